// coordinator: the system of record for a shard of colleges. Takes booth
// events on a ROUTER socket, orders and deduplicates them, and keeps them in a
// hash-chained RocksDB log. Restart it after a crash with the same --db.
#include <csignal>
#include <cstdio>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/clock.h"
#include "common/key_files.h"
#include "common/transport.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "coordinator/event_applier.h"
#include "coordinator/event_log.h"
#include "coordinator/ingest_server.h"

ABSL_FLAG(std::string, db, "", "Directory of the coordinator's RocksDB database (created if missing).");
ABSL_FLAG(std::string, listen, "tcp://127.0.0.1:5555",
          "ZeroMQ endpoint for booth agents, e.g. tcp://0.0.0.0:5555 or tcp://127.0.0.1:*.");
ABSL_FLAG(int, max_batch_events, 4096, "Most events in one group commit (one synced write).");
ABSL_FLAG(std::string, ready_file, "",
          "When set, write the bound endpoint to this file once the log is open and the socket bound.");
ABSL_FLAG(int, stats_interval_ms, 10000, "How often to log throughput counters (0: never).");
ABSL_FLAG(std::string, keys, "",
          "Transport keys directory (gradcap transport-keys): when set, booths must connect with CURVE "
          "using an enrolled key, and each may only send in its own name.");

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "coordinator --db DIR [--listen tcp://127.0.0.1:5555]\n"
      "Receives booth events, enforces exactly-once ordered delivery and keeps the event log.");
  absl::ParseCommandLine(argc, argv);
  using namespace gradcap;
  const std::string db = absl::GetFlag(FLAGS_db);
  if (db.empty()) {
    std::fprintf(stderr, "coordinator: --db DIR is required\n");
    return 2;
  }
  if (absl::Status s = InitCrypto(); !s.ok()) {
    std::fprintf(stderr, "coordinator: %s\n", s.ToString().c_str());
    return 1;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  auto log = EventLog::Open(db, SystemClock::Get());
  if (!log.ok()) {
    std::fprintf(stderr, "coordinator: cannot open the event log in %s: %s\n", db.c_str(),
                 log.status().ToString().c_str());
    return 1;
  }
  LogInfo("coordinator", "event log ", db, " resumes at record ", (*log)->last_log_seq(), " with ",
          (*log)->booth_count(), " booths known");

  std::unique_ptr<CurveAuthenticator> authenticator;
  IngestOptions options;
  if (const std::string keys = absl::GetFlag(FLAGS_keys); !keys.empty()) {
    auto own = LoadCoordinatorKeys(keys);
    auto booths = LoadEnrolledBooths(keys);
    if (!own.ok() || !booths.ok()) {
      std::fprintf(stderr, "coordinator: cannot load transport keys from %s: %s\n", keys.c_str(),
                   (!own.ok() ? own.status() : booths.status()).ToString().c_str());
      return 1;
    }
    LogInfo("coordinator", "CURVE on: ", booths->size(), " booths enrolled in ", keys);
    auto started = CurveAuthenticator::Start(std::move(*booths));
    if (!started.ok()) {
      std::fprintf(stderr, "coordinator: %s\n", started.status().ToString().c_str());
      return 1;
    }
    authenticator = std::move(*started);
    options.curve_keys = *own;
  }
  AcceptAllApplier applier;
  options.endpoint = absl::GetFlag(FLAGS_listen);
  options.max_batch_events = absl::GetFlag(FLAGS_max_batch_events);
  options.stats_interval_ms = absl::GetFlag(FLAGS_stats_interval_ms);
  IngestServer server(log->get(), &applier, SystemClock::Get(), options);
  if (absl::Status s = server.Bind(); !s.ok()) {
    std::fprintf(stderr, "coordinator: %s\n", s.ToString().c_str());
    return 1;
  }
  LogInfo("coordinator", "listening on ", server.endpoint());
  if (const std::string ready = absl::GetFlag(FLAGS_ready_file); !ready.empty()) {
    const std::string tmp = ready + ".tmp";
    { std::ofstream(tmp) << server.endpoint() << "\n"; }
    std::rename(tmp.c_str(), ready.c_str());
  }
  absl::Status served = server.Run(g_stop);
  const IngestStats& st = server.stats();
  LogInfo("coordinator", "stopping: applied=", st.applied, " duplicates=", st.duplicates,
          " rejected=", st.rejected, " log_head=", (*log)->last_log_seq());
  if (!served.ok()) {
    std::fprintf(stderr, "coordinator: %s\n", served.ToString().c_str());
    return 1;
  }
  return 0;
}
