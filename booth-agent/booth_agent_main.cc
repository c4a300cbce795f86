// booth-agent: runs one capture booth (see booth_agent.h), or, as
// `booth-agent decode FILE... [--json]`, checks pictures of codes offline.
// Settings come from flags or a file of flags (--flagfile=booth.flags).
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "booth-agent/booth_agent.h"
#include "booth-agent/frame_scanner.h"
#include "booth-agent/operator_display.h"
#include "common/booth_id.h"
#include "common/clock.h"
#include "common/json_text.h"
#include "common/key_files.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/shard_map.h"

ABSL_FLAG(std::string, booth, "", "This booth's id, e.g. B1 (1–64 bytes of UTF-8, no spaces, no /, not starting with .).");
ABSL_FLAG(std::string, operator_name, "",
          "Who operates this booth today (a name or staff number): logged with every verdict they overrule "
          "(default: \"booth ID\").");
ABSL_FLAG(std::string, colleges, "", "The college(s) shooting at this booth, shown to the operator.");
ABSL_FLAG(std::string, coordinator, "",
          "The coordinator's ZeroMQ endpoint (default tcp://127.0.0.1:5555; with --shard_map: its shard's).");
ABSL_FLAG(std::string, shard_map, "",
          "The shard map (common/shard_map.h): connect to the shard that owns --colleges (instead of --coordinator).");
ABSL_FLAG(std::string, outbox, "", "Directory of this booth's durable outbox (created if missing).");
ABSL_FLAG(std::string, keys, "",
          "Transport keys directory holding coordinator.public and booths/<booth>.secret: connect with "
          "CURVE (required when the coordinator runs with --keys).");
ABSL_FLAG(int, camera, -1, "Read codes from camera /dev/video<N> (V4L2); -1: no camera.");
ABSL_FLAG(std::string, video, "", "Read codes from this video file instead of a camera (rehearsals).");
ABSL_FLAG(
    std::string, scan_folder, "",
    "Read codes from image files in this folder (each file is one showing; new files are picked up, in the "
    "order they were made: modification time, then name).");
ABSL_FLAG(
    std::string, hot_folder, "",
    "The tethered camera's folder: each complete JPEG written here is sent as the photo of the "
    "current shooting number (moved to sent/ once stored; bad files to rejected/). Files already in the "
    "scan and hot folders at start-up are taken in the order they were made, across both folders; a photo "
    "found at start-up is HELD until the operator types /keep (send it) or /drop (move it to held/, never "
    "sent); without --stdin_scans it is set aside in held/ at once.");
ABSL_FLAG(
    bool, stdin_scans, false,
    "Read stdin line by line: codes from a keyboard-wedge USB scanner, and operator commands "
    "/s (sign), /r (next photo is a retake), /a REASON (absent), /p (camera photo), /n N (the next photo "
    "is for shooting number N), /keep (send the held start-up photo), /drop (set it aside in held/), "
    "/offline, /online, /help (list the commands).");
ABSL_FLAG(bool, tui, false, "Draw the operator screen on the terminal (stderr keeps the log).");
ABSL_FLAG(int, debounce_ms, 2000, "A code seen again within this many ms is the same showing.");
ABSL_FLAG(uint64_t, synthetic_scans, 0,
          "Generate this many synthetic scan events in all (counted across restarts), for drills and load.");
ABSL_FLAG(uint64_t, synthetic_photo_bytes, 0, "When > 0, synthetic events are photos of this many bytes.");
ABSL_FLAG(int, synthetic_chunk, 50, "Synthetic events stored per synced outbox write.");
ABSL_FLAG(double, synthetic_rate, 0, "Synthetic events per second (0: as fast as the outbox takes them).");
ABSL_FLAG(bool, exit_when_delivered, false,
          "Exit 0 once every source has ended (stdin closed, video over, folders caught up) and every "
          "event is acked.");
ABSL_FLAG(
    int, journal_fd, -1,
    "Write one line of JSON to this file descriptor for every input once it is durably handled (stored in "
    "the outbox, taken effect, or refused on the spot), naming the outbox seqs it made: "
    "{\"input\":\"line\",\"text\":\"/s\",\"seqs\":[7]} (see booth-agent/journal.h). For drills and tests; "
    "the reader must keep reading (a full pipe makes the booth wait). -1: none.");
ABSL_FLAG(int, status_interval_ms, 5000, "How often to log the link and outbox state (0: never).");
ABSL_FLAG(bool, json, false, "decode: print one JSON object per file.");

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

using namespace gradcap;

// When this process was started (forked), on the wall clock: /proc/self/stat
// has it in clock ticks since boot; subtract the time since then (on the
// boot-time clock) from now. Good to a tick (10 ms); 0 when unknown.
int64_t ProcessStartWallNs(const Clock& clock) {
  std::ifstream in("/proc/self/stat");
  std::string stat;
  std::getline(in, stat);
  const size_t paren = stat.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  uint64_t start_ticks = 0;
  for (int n = 3; n <= 22 && fields >> field; ++n) {
    if (n == 22 && !absl::SimpleAtoi(field, &start_ticks)) return 0;
  }
  timespec boot{};
  const long hz = ::sysconf(_SC_CLK_TCK);
  if (start_ticks == 0 || hz <= 0 || ::clock_gettime(CLOCK_BOOTTIME, &boot) != 0) return 0;
  const int64_t since_boot_ns = int64_t(boot.tv_sec) * 1'000'000'000 + boot.tv_nsec;
  const int64_t started_since_boot_ns = int64_t(start_ticks) * (1'000'000'000 / hz);
  return clock.NowMs() * 1'000'000 - (since_boot_ns - started_since_boot_ns);
}

int Decode(const std::vector<std::string>& files) {
  if (files.empty()) {
    std::fprintf(stderr, "booth-agent decode: which FILE(s)?\n");
    return 2;
  }
  const bool json = absl::GetFlag(FLAGS_json);
  int failures = 0;
  for (const std::string& file : files) {
    absl::StatusOr<std::vector<std::string>> payloads = DecodeImageFile(file);
    if (json) {
      std::string list;
      if (payloads.ok()) {
        for (const auto& p : *payloads) list += (list.empty() ? "" : ",") + JsonQuote(p);
      }
      std::printf("{\"file\":%s,\"ok\":%s,\"codes\":[%s]%s}\n", JsonQuote(file).c_str(),
                  payloads.ok() ? "true" : "false", list.c_str(),
                  payloads.ok() ? "" : (",\"error\":" + JsonQuote(std::string(payloads.status().message()))).c_str());
    } else if (!payloads.ok()) {
      std::printf("%s: error: %s\n", file.c_str(), std::string(payloads.status().message()).c_str());
    } else if (payloads->empty()) {
      std::printf("%s: no code\n", file.c_str());
    } else {
      for (const auto& p : *payloads) std::printf("%s: %s\n", file.c_str(), p.c_str());
    }
    failures += payloads.ok() ? 0 : 1;
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "booth-agent --booth ID --outbox DIR [--coordinator tcp://HOST:PORT] [--keys DIR]\n"
      "            [--camera N | --video FILE | --scan_folder DIR] [--hot_folder DIR] [--stdin_scans] [--tui]\n"
      "booth-agent decode FILE... [--json]\n"
      "Runs one booth: reads collection codes, picks up photos, stores every event in a durable outbox\n"
      "and delivers it to the coordinator exactly once and in order, online or not.");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (!InitCrypto().ok()) return 1;
  if (args.size() >= 2 && std::string(args[1]) == "decode") {
    return Decode(std::vector<std::string>(args.begin() + 2, args.end()));
  }
  if (args.size() > 1) {
    std::fprintf(stderr, "booth-agent: unexpected argument \"%s\" (see --help)\n", args[1]);
    return 2;
  }
  BoothConfig config;
  config.booth = absl::GetFlag(FLAGS_booth);
  config.outbox_dir = absl::GetFlag(FLAGS_outbox);
  if (config.booth.empty() || config.outbox_dir.empty()) {
    std::fprintf(stderr, "booth-agent: --booth ID and --outbox DIR are required (see --help)\n");
    return 2;
  }
  // The same rule the coordinator, the schedule and the keys hold it to.
  if (absl::Status id = CheckBoothId(config.booth); !id.ok()) {
    std::fprintf(stderr, "booth-agent: --booth: %s\n", std::string(id.message()).c_str());
    return 2;
  }
  config.colleges = absl::GetFlag(FLAGS_colleges);
  config.operator_name = absl::GetFlag(FLAGS_operator_name);
  config.link.endpoint = absl::GetFlag(FLAGS_coordinator);
  if (const std::string path = absl::GetFlag(FLAGS_shard_map); !path.empty()) {
    if (!config.link.endpoint.empty()) {
      std::fprintf(stderr, "booth-agent: give --coordinator or --shard_map, not both\n");
      return 2;
    }
    auto map = ShardMap::Load(path);
    const std::vector<std::string> colleges = SplitColleges(config.colleges);
    absl::StatusOr<int> shard = map.ok() ? map->ShardOfAll(colleges) : absl::StatusOr<int>(map.status());
    if (!shard.ok()) {
      std::fprintf(stderr, "booth-agent: %s\n", std::string(shard.status().message()).c_str());
      return 2;
    }
    config.link.endpoint = map->shards()[*shard].booth;
    LogInfo("booth-agent", "shard ", *shard, " of map ", map->name(), ": coordinator ", config.link.endpoint);
  }
  if (config.link.endpoint.empty()) config.link.endpoint = "tcp://127.0.0.1:5555";
  if (const std::string keys = absl::GetFlag(FLAGS_keys); !keys.empty()) {
    auto loaded = LoadBoothKeys(keys, config.booth);
    if (!loaded.ok()) {
      std::fprintf(stderr, "booth-agent: cannot load transport keys: %s\n", loaded.status().ToString().c_str());
      return 1;
    }
    config.link.curve_keys = loaded->booth;
    config.link.coordinator_public_key = loaded->coordinator_public_key;
  }
  config.camera = absl::GetFlag(FLAGS_camera);
  config.video = absl::GetFlag(FLAGS_video);
  config.scan_folder = absl::GetFlag(FLAGS_scan_folder);
  config.hot_folder = absl::GetFlag(FLAGS_hot_folder);
  config.stdin_lines = absl::GetFlag(FLAGS_stdin_scans);
  config.debounce_ms = absl::GetFlag(FLAGS_debounce_ms);
  config.synthetic_scans = absl::GetFlag(FLAGS_synthetic_scans);
  config.synthetic_photo_bytes = absl::GetFlag(FLAGS_synthetic_photo_bytes);
  config.synthetic_chunk = static_cast<uint64_t>(std::max(1, absl::GetFlag(FLAGS_synthetic_chunk)));
  config.synthetic_rate = absl::GetFlag(FLAGS_synthetic_rate);
  config.journal_fd = absl::GetFlag(FLAGS_journal_fd);
  if (config.journal_fd >= 0 && ::fcntl(config.journal_fd, F_GETFD) < 0) {
    std::fprintf(stderr, "booth-agent: --journal_fd %d is not an open file descriptor\n", config.journal_fd);
    return 2;
  }

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  const Clock* clock = SystemClock::Get();
  config.began_ns = ProcessStartWallNs(*clock);
  BoothAgent agent(config, clock);
  if (absl::Status s = agent.Start(); !s.ok()) {
    std::fprintf(stderr, "booth-agent: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  const bool tui = absl::GetFlag(FLAGS_tui);
  const int status_interval = absl::GetFlag(FLAGS_status_interval_ms);
  int64_t last_status_ms = clock->MonotonicMs(), last_draw_ms = 0;
  while (!g_stop.load()) {
    if (absl::Status s = agent.Turn(10); !s.ok()) {
      LogError("booth-agent", s.ToString());
      return absl::IsFailedPrecondition(s) ? 3 : 1;
    }
    const int64_t now = clock->MonotonicMs();
    if (tui && now - last_draw_ms >= 250) {
      last_draw_ms = now;
      std::printf("\x1b[H\x1b[2J%s", RenderBoothView(agent.view()).c_str());
      std::fflush(stdout);
    }
    if (status_interval > 0 && now - last_status_ms >= status_interval) {
      last_status_ms = now;
      LogInfo("booth-agent", "booth ", config.booth, agent.view().online ? " online" : " offline", " — ",
              agent.outbox().depth(), " waiting, acked through ", agent.outbox().acked_through(), " of ",
              agent.outbox().last_seq());
    }
    if (absl::GetFlag(FLAGS_exit_when_delivered) && agent.Drained()) {
      LogInfo("booth-agent", "booth ", config.booth, ": all ", agent.outbox().last_seq(), " events delivered");
      return 0;
    }
  }
  LogInfo("booth-agent", "stopping with ", agent.outbox().depth(), " events waiting in the outbox");
  return 0;
}
