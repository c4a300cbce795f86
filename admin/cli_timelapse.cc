// `gradcap audit replay --db DIR --live ENDPOINT [--speed 10]`: the day played
// again on a live feed for the supervisor view (audit/timelapse.h).
#include <csignal>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "admin/cli_commands.h"
#include "audit/timelapse.h"
#include "common/key_files.h"
#include "coordinator/admin_server.h"

namespace gradcap::cli {
namespace {

std::atomic<bool> stop_requested{false};

void RequestStop(int) { stop_requested.store(true); }

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "gradcap audit replay --live: %s\n", std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int AuditTimelapse(const std::string& db, const TimelapseArgs& args) {
  TimelapseOptions options;
  options.endpoint = args.endpoint;
  options.speed = args.speed;
  options.max_gap_ms = args.max_gap_s * 1000;
  options.until = args.until;
  options.linger_ms = args.linger_s < 0 ? -1 : args.linger_s * 1000;
  options.stop = &stop_requested;
  options.wait_for_viewer = args.wait_viewer;
  std::unique_ptr<CurveAuthenticator> authenticator;
  if (!args.keys.empty()) {
    // Only enrolled admin keys (the supervisor's) may watch, as on the coordinator.
    absl::StatusOr<CurveKeyPair> own = LoadCoordinatorKeys(args.keys);
    if (!own.ok()) return Fail(own.status());
    auto admins = LoadEnrolledAdmins(args.keys);
    if (!admins.ok()) return Fail(admins.status());
    std::vector<EnrolledKey> enrolled;
    for (auto& [key, name] : *admins) enrolled.push_back(EnrolledKey{key, name, kAdminZapDomain});
    auto started = CurveAuthenticator::Start(std::move(enrolled));
    if (!started.ok()) return Fail(started.status());
    authenticator = std::move(*started);
    options.curve_keys = *own;
  } else if (args.endpoint.rfind("tcp://127.", 0) != 0 && args.endpoint.rfind("ipc://", 0) != 0) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "the feed carries students' names: serve ", args.endpoint,
        " only with --keys DIR (CURVE, enrolled admins), or bind a loopback address such as tcp://127.0.0.1:5569")));
  }
  std::signal(SIGINT, RequestStop);
  std::signal(SIGTERM, RequestStop);
  absl::StatusOr<TimelapseSummary> played = PlayTimelapse(db, options);
  if (!played.ok()) return Fail(played.status());
  std::printf("%s %llu records (%lld min of the day) in %.1f s, %llu live updates\n",
              played->stopped ? "stopped after" : "played", static_cast<unsigned long long>(played->records),
              static_cast<long long>(played->day_ms / 60'000), played->played_ms / 1000.0,
              static_cast<unsigned long long>(played->updates));
  return 0;
}

}  // namespace gradcap::cli
