// supervisor: the live view of the capture-day floor on a web page (README,
// "Watching the floor"). Subscribes to one or more coordinators' live feeds,
// merges them, and serves the page and its JSON API to logged-in users.
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/file_util.h"
#include "common/key_files.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/shard_map.h"
#include "supervisor/service.h"

ABSL_FLAG(
    std::vector<std::string>, coordinator, {},
    "A coordinator's live endpoint (its --live), e.g. tcp://127.0.0.1:5560; repeat the flag (or separate "
    "with commas) for several shards.");
ABSL_FLAG(std::string, shard_map, "",
          "The shard map (common/shard_map.h): watch every shard's live endpoint, in shard order (instead of "
          "--coordinator).");
ABSL_FLAG(std::string, listen, "127.0.0.1:8080",
          "HOST:PORT to serve the page and API on (port 0: any free one).");
ABSL_FLAG(std::string, users, "", "The users file (gradcap users add --users FILE ...).");
ABSL_FLAG(std::string, keys, "",
          "Transport keys directory: sign in to CURVE coordinators with an admin key.");
ABSL_FLAG(std::string, as, "supervisor", "With --keys: the enrolled admin whose key the supervisor uses.");
ABSL_FLAG(double, session_hours, 12, "A session ends this long after login.");
ABSL_FLAG(double, idle_minutes, 120, "... or after this long unused.");
ABSL_FLAG(bool, secure_cookies, false, "Mark the session cookie Secure (when served behind HTTPS).");
ABSL_FLAG(std::string, web_dir, "",
          "Serve the page from this folder instead of the copy built in (development).");
ABSL_FLAG(std::string, ready_file, "",
          "Write the page's URL here once serving (tests and scripts wait for it).");

namespace {

// Repeated --coordinator flags become one comma-separated list (Abseil keeps
// only the last occurrence of a flag).
std::vector<char*> JoinRepeatedCoordinators(int argc, char** argv, std::string* joined) {
  std::vector<std::string> endpoints;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--coordinator" || arg == "-coordinator") && i + 1 < argc) {
      endpoints.push_back(argv[++i]);
    } else if (arg.rfind("--coordinator=", 0) == 0) {
      endpoints.push_back(arg.substr(14));
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (!endpoints.empty()) {
    *joined = "--coordinator=" + absl::StrJoin(endpoints, ",");
    rest.push_back(joined->data());
  }
  return rest;
}

void RaiseOpenFileLimit() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "supervisor: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gradcap;
  absl::SetProgramUsageMessage(
      "supervisor --coordinator ENDPOINT [--coordinator ENDPOINT ...] --listen 127.0.0.1:8080 --users FILE\n"
      "  [--keys DIR [--as supervisor]]: the live view of the floor on a web page (README).");
  std::string joined;
  std::vector<char*> args = JoinRepeatedCoordinators(argc, argv, &joined);
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  if (!InitCrypto().ok()) return Fail("cannot initialise libsodium");
  RaiseOpenFileLimit();

  std::vector<std::string> endpoints;
  for (const std::string& e : absl::GetFlag(FLAGS_coordinator)) {
    if (!e.empty()) endpoints.push_back(e);
  }
  if (const std::string path = absl::GetFlag(FLAGS_shard_map); !path.empty()) {
    if (!endpoints.empty()) return Fail("give --coordinator or --shard_map, not both");
    auto map = gradcap::ShardMap::Load(path);
    if (!map.ok()) return Fail(std::string(map.status().message()));
    for (const gradcap::ShardEntry& shard : map->shards()) endpoints.push_back(shard.live);
    gradcap::LogInfo("supervisor", "map ", map->name(), ": ", endpoints.size(), " shards");
  }
  if (endpoints.empty()) {
    return Fail("give at least one --coordinator ENDPOINT (a coordinator's --live), or --shard_map FILE");
  }
  if (absl::GetFlag(FLAGS_users).empty()) return Fail("give --users FILE (make one with gradcap users add)");
  const std::string listen = absl::GetFlag(FLAGS_listen);
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return Fail(absl::StrCat("--listen wants HOST:PORT, not ", listen));
  }

  ServiceOptions options;
  options.coordinators = endpoints;
  options.address = listen.substr(0, colon);
  options.port = port;
  options.auth.users_path = absl::GetFlag(FLAGS_users);
  options.auth.session_lifetime_ms = static_cast<int64_t>(absl::GetFlag(FLAGS_session_hours) * 3600 * 1000);
  options.auth.session_idle_ms = static_cast<int64_t>(absl::GetFlag(FLAGS_idle_minutes) * 60 * 1000);
  options.auth.secure_cookies = absl::GetFlag(FLAGS_secure_cookies);
  options.web_dir = absl::GetFlag(FLAGS_web_dir);
  if (const std::string dir = absl::GetFlag(FLAGS_keys); !dir.empty()) {
    absl::StatusOr<BoothKeys> loaded = LoadAdminKeys(dir, absl::GetFlag(FLAGS_as));
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    options.keys = loaded->booth;
    options.server_public_key = loaded->coordinator_public_key;
  }

  // Signals are taken by sigwait below, never by a thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<SupervisorService>> service = SupervisorService::Start(options);
  if (!service.ok()) return Fail(std::string(service.status().message()));
  const std::string url = (*service)->url();
  LogInfo("supervisor", "serving ", url, " for ", endpoints.size(),
          " coordinator(s): ", absl::StrJoin(endpoints, ", "));
  if (const std::string ready = absl::GetFlag(FLAGS_ready_file); !ready.empty()) {
    if (absl::Status written = WriteFileAtomically(ready, url + "\n"); !written.ok()) {
      return Fail(std::string(written.message()));
    }
  }
  const struct timespec tick = {5, 0};
  while (true) {
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) break;
    (*service)->Tick();
  }
  LogInfo("supervisor", "stopping");
  service->reset();
  return 0;
}
