// coordinator: the system of record for a shard of colleges. Takes booth
// events on a ROUTER socket, orders and deduplicates them, and keeps them in a
// hash-chained RocksDB log. Restart it after a crash with the same --db.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_join.h"
#include "absl/flags/usage.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "common/key_files.h"
#include "common/transport.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/shard_map.h"
#include "registry/registry_import.h"
#include "absl/time/time.h"
#include "coordinator/capture_day.h"
#include "registry/registry.h"
#include "common/event_log.h"
#include "coordinator/ingest_server.h"
#include "common/log_format.h"
#include "coordinator/admin_server.h"
#include "coordinator/live_publisher.h"
#include "coordinator/live_view.h"
#include "coordinator/validator_broker.h"

ABSL_FLAG(std::string, db, "", "Directory of the coordinator's RocksDB database (created if missing).");
constexpr char kDefaultListen[] = "tcp://127.0.0.1:5555";
ABSL_FLAG(std::string, listen, "",
          "ZeroMQ endpoint for booth agents, e.g. tcp://0.0.0.0:5555 or tcp://127.0.0.1:* (default: the shard "
          "map's, else tcp://127.0.0.1:5555).");
ABSL_FLAG(std::string, validators, "",
          "Endpoint for the validator pool, e.g. tcp://*:5556: every accepted photo is checked by the "
          "validators connected there and its verdict recorded and sent to the booth. Empty: no checks.");
ABSL_FLAG(int, validation_timeout_ms, 15000, "A photo job unanswered this long goes to another validator.");
ABSL_FLAG(int, max_batch_events, 4096, "Most events in one group commit (one synced write).");
ABSL_FLAG(std::string, ready_file, "",
          "When set, write the bound endpoint to this file once the log is open and the socket bound (an old one is "
          "removed at start).");
ABSL_FLAG(int, stats_interval_ms, 10000, "How often to log throughput counters (0: never).");
ABSL_FLAG(std::string, clock_start, "",
          "Rehearsals: run the clock as if it were this ISO 8601 time now (e.g. 2024-09-21T08:30+08:00); "
          "it then advances in real time. Empty: the real time.");
ABSL_FLAG(std::string, keys, "",
          "Transport keys directory (gradcap transport-keys): when set, booths must connect with CURVE "
          "using an enrolled key, and each may only send in its own name; the admin socket takes only "
          "enrolled admin keys (keys/admins/).");
ABSL_FLAG(std::string, live, "",
          "Endpoint of the live feed for supervisors, e.g. tcp://127.0.0.1:5559: a snapshot, then every "
          "change, numbered (the supervisor view and `gradcap watch` subscribe). With --keys, only enrolled "
          "admin keys. Empty: none.");
ABSL_FLAG(double, booth_rate, 500,
          "Messages a second each booth may send (events and heartbeats; 0: no limit): more are refused unread "
          "(rate_limited) and resent by the booth later, so a flood from one booth leaves the others their share. "
          "Per enrolled key with --keys, else per connection.");
ABSL_FLAG(double, booth_burst, 2000, "Messages a booth may send at once above --booth_rate (a backlog after a link cut).");
ABSL_FLAG(int, refusal_interval_ms, 10000,
          "Refused messages: the first --refusals_logged of each peer and code in this interval are logged one by one, "
          "the rest counted in one record per peer and code at its end.");
ABSL_FLAG(int, refusals_logged, 10, "See --refusal_interval_ms.");
ABSL_FLAG(int, refusals_logged_total, 100,
          "Refused messages logged one by one in an interval over all peers; the rest are counted.");
ABSL_FLAG(std::string, admin, "",
          "Endpoint of the admin socket, e.g. tcp://127.0.0.1:5558: imports, head counts, closing a college "
          "and queries from `gradcap ... --coordinator ENDPOINT` while the coordinator runs. Empty: none.");

ABSL_FLAG(std::string, shard_map, "",
          "The shard map (common/shard_map.h): this coordinator is shard --shard of it, owns that shard's colleges "
          "and refuses their students elsewhere; --listen, --validators, --live and --admin default to the map's "
          "endpoints for it (give them to bind another address, e.g. tcp://*:5555).");
ABSL_FLAG(int, shard, -1, "With --shard_map: which shard this coordinator is (0, 1, ...).");

namespace {

std::atomic<bool> g_stop{false};

// With --shard_map: the map's endpoint for a socket flag not given.
void DefaultFromMap(absl::Flag<std::string>& flag, const std::string& endpoint) {
  if (absl::GetFlag(flag).empty()) absl::SetFlag(&flag, endpoint);
}

// Records the shard's colleges in the database (once, or when the map
// changed before the day began). False after saying why not.
bool AssignShard(gradcap::EventLog& log, const gradcap::ShardMap& map, int shard) {
  using namespace gradcap;
  auto change = PlanShardAssignment(log.store(), map.Assignment(shard), map.source(), log.booth_count());
  if (!change.ok()) {
    std::fprintf(stderr, "coordinator: %s\n", std::string(change.status().message()).c_str());
    return false;
  }
  if (!change->has_value()) return true;
  const std::string detail = (*change)->record.detail();
  if (absl::Status s = CommitChange(log, std::move(**change), "coordinator"); !s.ok()) {
    std::fprintf(stderr, "coordinator: cannot record the shard assignment: %s\n", s.ToString().c_str());
    return false;
  }
  LogInfo("coordinator", "recorded the shard assignment: ", detail);
  return true;
}
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
  std::optional<ShardMap> shard_map;
  const int shard = absl::GetFlag(FLAGS_shard);
  if (const std::string path = absl::GetFlag(FLAGS_shard_map); !path.empty()) {
    auto loaded = ShardMap::Load(path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "coordinator: %s\n", std::string(loaded.status().message()).c_str());
      return 2;
    }
    if (shard < 0 || shard >= static_cast<int>(loaded->shards().size())) {
      std::fprintf(stderr, "coordinator: --shard %d: %s has shards 0–%zu\n", shard, path.c_str(),
                   loaded->shards().size() - 1);
      return 2;
    }
    const ShardEntry& own = loaded->shards()[shard];
    DefaultFromMap(FLAGS_listen, own.booth);
    DefaultFromMap(FLAGS_validators, own.validators);
    DefaultFromMap(FLAGS_live, own.live);
    DefaultFromMap(FLAGS_admin, own.admin);
    shard_map = std::move(*loaded);
  } else if (shard >= 0) {
    std::fprintf(stderr, "coordinator: --shard needs --shard_map FILE\n");
    return 2;
  }
  DefaultFromMap(FLAGS_listen, kDefaultListen);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  const Clock* clock = SystemClock::Get();
  std::unique_ptr<OffsetClock> rehearsal_clock;
  if (const std::string start = absl::GetFlag(FLAGS_clock_start); !start.empty()) {
    absl::Time t;
    std::string err;
    if (!absl::ParseTime("%Y-%m-%dT%H:%M%Ez", start, &t, &err) &&
        !absl::ParseTime("%Y-%m-%dT%H:%M:%S%Ez", start, &t, &err)) {
      std::fprintf(stderr, "coordinator: --clock_start \"%s\" is not a time like 2024-09-21T08:30+08:00\n",
                   start.c_str());
      return 2;
    }
    rehearsal_clock = std::make_unique<OffsetClock>(clock, absl::ToUnixMillis(t) - clock->NowMs());
    clock = rehearsal_clock.get();
    LogInfo("coordinator", "rehearsal clock: now is ", start);
  }
  // A ready file left by an earlier run (a crash, a container restart on the
  // same volume) must not say "ready" before this run's log is open.
  if (const std::string ready = absl::GetFlag(FLAGS_ready_file); !ready.empty()) {
    std::error_code ignored;
    std::filesystem::remove(ready, ignored);
  }
  auto log = EventLog::Open(db, clock);
  if (!log.ok()) {
    std::fprintf(stderr, "coordinator: cannot open the event log in %s: %s\n", db.c_str(),
                 log.status().ToString().c_str());
    return 1;
  }
  if (shard_map.has_value()) {
    if (!AssignShard(**log, *shard_map, shard)) return 1;
    LogInfo("coordinator", "shard ", shard, " of ", shard_map->shards().size(), " (map ", shard_map->name(), "): ",
            absl::StrJoin(shard_map->shards()[shard].colleges, ", "));
  }
  Registry registry(&(*log)->store());
  if (absl::Status s = registry.Load(); !s.ok()) {
    std::fprintf(stderr, "coordinator: cannot load the roster and schedule: %s\n", s.ToString().c_str());
    return 1;
  }
  CaptureDay day(&registry);
  if (absl::Status replayed = ReplayLog(**log, &day); !replayed.ok()) {
    std::fprintf(stderr, "coordinator: cannot replay the event log: %s\n", replayed.ToString().c_str());
    return 1;
  }
  LogInfo("coordinator", "event log ", db, " resumes at record ", (*log)->last_log_seq(), " with ",
          (*log)->booth_count(), " booths known, ", day.photos_awaiting_verdict(), " photos awaiting a verdict");

  std::unique_ptr<CurveAuthenticator> authenticator;
  IngestOptions options;
  if (const std::string keys = absl::GetFlag(FLAGS_keys); !keys.empty()) {
    auto own = LoadCoordinatorKeys(keys);
    auto booths = LoadEnrolledBooths(keys);
    auto admins = LoadEnrolledAdmins(keys);
    if (!own.ok() || !booths.ok() || !admins.ok()) {
      std::fprintf(stderr, "coordinator: cannot load transport keys from %s: %s\n", keys.c_str(),
                   (!own.ok() ? own.status() : !booths.ok() ? booths.status() : admins.status()).ToString().c_str());
      return 1;
    }
    std::vector<EnrolledKey> enrolled;
    for (auto& [key, name] : *booths) enrolled.push_back(EnrolledKey{key, name, kBoothZapDomain});
    for (auto& [key, name] : *admins) enrolled.push_back(EnrolledKey{key, name, kAdminZapDomain});
    // A key revoked in the log stays out, whatever the key files say.
    std::erase_if(enrolled, [&](const EnrolledKey& k) {
      auto revoked = day.revoked_keys().find(k.public_key);
      if (revoked == day.revoked_keys().end()) return false;
      LogWarning("coordinator", "key of ", revoked->second, " in ", keys, " was revoked (see the log): left out");
      return true;
    });
    LogInfo("coordinator", "CURVE on: ", booths->size(), " booths and ", admins->size(), " admins in ", keys, ", ",
            enrolled.size(), " keys enrolled");
    auto started = CurveAuthenticator::Start(std::move(enrolled));
    if (!started.ok()) {
      std::fprintf(stderr, "coordinator: %s\n", started.status().ToString().c_str());
      return 1;
    }
    authenticator = std::move(*started);
    options.curve_keys = *own;
    options.authenticator = authenticator.get();
  }
  options.booth_rate.per_second = absl::GetFlag(FLAGS_booth_rate);
  options.booth_rate.burst = absl::GetFlag(FLAGS_booth_burst);
  options.refusals.interval_ms = absl::GetFlag(FLAGS_refusal_interval_ms);
  options.refusals.per_peer_logged = absl::GetFlag(FLAGS_refusals_logged);
  options.refusals.total_logged = absl::GetFlag(FLAGS_refusals_logged_total);
  options.endpoint = absl::GetFlag(FLAGS_listen);
  options.max_batch_events = absl::GetFlag(FLAGS_max_batch_events);
  options.stats_interval_ms = absl::GetFlag(FLAGS_stats_interval_ms);
  IngestServer server(log->get(), &day, clock, options);
  if (absl::Status s = server.Bind(); !s.ok()) {
    std::fprintf(stderr, "coordinator: %s\n", s.ToString().c_str());
    return 1;
  }
  LogInfo("coordinator", "listening on ", server.endpoint());
  std::unique_ptr<ValidatorBroker> broker;
  if (const std::string validators = absl::GetFlag(FLAGS_validators); !validators.empty()) {
    BrokerOptions broker_options;
    broker_options.endpoint = validators;
    broker_options.curve_keys = options.curve_keys;
    broker_options.authenticator = options.authenticator;
    broker_options.job_timeout_ms = absl::GetFlag(FLAGS_validation_timeout_ms);
    const KvStore* store = &(*log)->store();
    broker = std::make_unique<ValidatorBroker>(
        [store](const std::string& sha) -> std::optional<std::string> {
          auto photo = store->Get(kPhotosColumn, sha);
          if (!photo.ok()) {
            // A damaged store is not a missing photo: say so, loudly.
            LogError("coordinator", "photo ", ToHex(sha), " cannot be read from the photo store: ",
                     photo.status().ToString(), " — run `gradcap audit verify`");
            return std::nullopt;
          }
          if (!photo->has_value()) {
            LogError("coordinator", "photo ", ToHex(sha), " is not in the photo store");
            return std::nullopt;
          }
          return std::move(**photo);
        },
        broker_options, [&server] { server.Wake(); });
    if (absl::Status s = broker->Start(); !s.ok()) {
      std::fprintf(stderr, "coordinator: validator endpoint %s: %s\n", validators.c_str(), s.ToString().c_str());
      return 1;
    }
    LogInfo("coordinator", "validator pool on ", broker->endpoint(), "; ", day.photos_awaiting_verdict(),
            " photos from the log still need a verdict");
    server.AttachBroker(broker.get());
  }
  AdminService admin_service(log->get(), &day, &registry, clock);
  std::unique_ptr<AdminServer> admin;
  if (const std::string endpoint = absl::GetFlag(FLAGS_admin); !endpoint.empty()) {
    AdminOptions admin_options;
    admin_options.endpoint = endpoint;
    admin_options.curve_keys = options.curve_keys;
    admin_options.authenticator = options.authenticator;
    admin = std::make_unique<AdminServer>(admin_options, &admin_service, clock);
    if (absl::Status s = admin->Bind(); !s.ok()) {
      std::fprintf(stderr, "coordinator: admin endpoint %s: %s\n", endpoint.c_str(), s.ToString().c_str());
      return 1;
    }
    server.AttachAdmin(admin.get());
    LogInfo("coordinator", "admin socket on ", admin->endpoint(), options.curve_keys ? " (CURVE, enrolled admins)" : "");
  }
  std::unique_ptr<LivePublisher> live;
  std::unique_ptr<LiveView> view;
  std::unique_ptr<CoordinatorSources> live_sources;
  if (const std::string endpoint = absl::GetFlag(FLAGS_live); !endpoint.empty()) {
    LiveOptions live_options;
    live_options.endpoint = endpoint;
    live_options.curve_keys = options.curve_keys;
    live_options.authenticator = options.authenticator;
    live = std::make_unique<LivePublisher>(live_options, clock);
    if (absl::Status s = live->Bind(); !s.ok()) {
      std::fprintf(stderr, "coordinator: live endpoint %s: %s\n", endpoint.c_str(), s.ToString().c_str());
      return 1;
    }
    live_sources = std::make_unique<CoordinatorSources>(&server.booths(), log->get());
    view = std::make_unique<LiveView>(&day, &registry, live_sources.get(), live.get(), clock,
                                      admin != nullptr ? admin->endpoint() : "");
    server.AttachLive(live.get(), view.get());
    LogInfo("coordinator", "live feed on ", live->endpoint(), " (run ", live->run(), ")");
  }
  // Tools on this machine find the admin socket of the coordinator holding
  // the database here (gradcap without --coordinator).
  const std::string admin_file = db + "/ADMIN_ENDPOINT";
  if (admin != nullptr) {
    if (absl::Status s = WriteFileAtomically(admin_file, admin->endpoint() + "\n"); !s.ok()) {
      std::fprintf(stderr, "coordinator: %s\n", s.ToString().c_str());
      return 1;
    }
  } else {
    std::remove(admin_file.c_str());
  }
  if (const std::string ready = absl::GetFlag(FLAGS_ready_file); !ready.empty()) {
    if (absl::Status s = WriteFileAtomically(ready, server.endpoint() + "\n"); !s.ok()) {
      std::fprintf(stderr, "coordinator: --ready_file: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  absl::Status served = server.Run(g_stop);
  if (admin != nullptr) std::remove(admin_file.c_str());
  const IngestStats& st = server.stats();
  LogInfo("coordinator", "stopping: applied=", st.applied, " duplicates=", st.duplicates,
          " rejected=", st.rejected, " (rate_limited=", st.rate_limited, " revoked=", st.revoked,
          "; logged one by one=", server.refusals().logged(), " counted=", server.refusals().counted(),
          ") log_head=", (*log)->last_log_seq());
  if (!served.ok()) {
    std::fprintf(stderr, "coordinator: %s\n", served.ToString().c_str());
    return 1;
  }
  return 0;
}
