// gradcap: the registrar's, supervisor's and auditor's command line (see
// kUsage). Commands about the day go to a running coordinator's admin socket
// (--coordinator, or the endpoint a coordinator holding --db advertises) and
// open the database themselves only when no coordinator holds it.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <algorithm>
#include <map>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "admin/admin_client.h"
#include "admin/cli_commands.h"
#include "audit/audit.h"
#include "common/json_text.h"
#include "common/key_files.h"
#include "common/sha256.h"
#include "common/shard_map.h"
#include "drill/drill.h"

ABSL_FLAG(std::string, db, "", "The coordinator database directory.");
ABSL_FLAG(std::string, coordinator, "",
          "A running coordinator's admin endpoint (its --admin), e.g. tcp://127.0.0.1:5558. Without it the "
          "command opens --db itself, or asks the coordinator holding --db at the endpoint it advertises there.");
ABSL_FLAG(std::string, shard_map, "",
          "Day commands on every running shard of this shard map (imports, keys, status), or on the shard of "
          "--college (reconcile, close) or --key (keys retire); student and booth ask each shard in turn.");
ABSL_FLAG(std::string, as, "",
          "Who is acting, as the log will name them (default: $USER). With --keys: the enrolled admin whose key "
          "(keys/admins/NAME.secret) signs in to the coordinator.");
ABSL_FLAG(bool, json, false, "Print machine-readable JSON.");
ABSL_FLAG(std::string, keys, "", "Transport keys directory.");
ABSL_FLAG(std::string, booth, "", "Booth id.");
ABSL_FLAG(std::string, admin, "", "transport-keys enroll|revoke: this administrator (instead of a booth).");
ABSL_FLAG(std::string, validator, "", "transport-keys revoke: this validator's key (enrolled as a booth named validator*).");
ABSL_FLAG(bool, replace, false, "Replace an existing key pair (the old key stops working).");
ABSL_FLAG(std::string, out, "", "Output directory.");
ABSL_FLAG(std::string, college, "", "Only this college.");
ABSL_FLAG(int, valid_days, 60, "Days an issued collection code stays valid.");
ABSL_FLAG(std::string, amount_due, "", "Amount each student must pay, in 元 (default 15; remembered).");
ABSL_FLAG(std::string, timezone, "Asia/Shanghai", "Time zone of the schedule's local times.");
ABSL_FLAG(std::string, key, "", "Code key id (k1, k2, ...).");
ABSL_FLAG(std::string, override, "", "close: close although students still wait; the reason is logged.");
ABSL_FLAG(std::vector<std::string>, checkpoint, {},
          "audit verify: checkpoint file(s) handed out at closes (comma-separated) to hold the log against.");
ABSL_FLAG(std::string, public_key, "",
          "audit verify: the checkpoint key's public half (`gradcap keys public`), from outside the database.");
ABSL_FLAG(int64_t, until, 0, "audit replay: replay records 1 … N only (the day as it stood then).");
ABSL_FLAG(bool, face_alerts, false,
          "audit replay: also re-decide face_duplicate alerts (each verdict searched in the day's face index, "
          "~1 ms a verdict at 20,000 students).");
ABSL_FLAG(bool, unmasked, false,
          "audit student: show the plain name and ID number; who looked is logged first (--as, --purpose).");
ABSL_FLAG(std::string, purpose, "", "audit student --unmasked: why, for the log.");
ABSL_FLAG(int64_t, log_seq, 0, "audit checkpoint export: the checkpoint at, or of, this record.");
ABSL_FLAG(std::string, name_by, "student_no", "export: name each photo by student_no or id_no.");
ABSL_FLAG(bool, force, false, "export: also photos that failed their checks or have no verdict yet.");
ABSL_FLAG(bool, thumbnails, false, "report: show each student's photo on file (small copies in thumbs/).");
ABSL_FLAG(std::string, model, "/usr/share/dlib/shape_predictor_68_face_landmarks.dat",
          "export: the landmark model that frames captures not already 480 × 640.");
ABSL_FLAG(std::string, users, "", "users: the supervisor view's users file.");
ABSL_FLAG(std::string, name, "", "users: the user's name.");
ABSL_FLAG(std::string, role, "", "users add: office (sees every college) or college (a college lead).");
ABSL_FLAG(bool, photos, false, "users add: a college lead may see photos and unmasked names (office always may).");
ABSL_FLAG(bool, once, false, "watch: print the state once and exit.");
ABSL_FLAG(std::string, live, "",
          "drill: serve the supervisor view of the rehearsal at HOST:PORT (with --users FILE). audit replay: play "
          "the day again as a live feed at this ZeroMQ endpoint (a supervisor's --coordinator), e.g. "
          "tcp://127.0.0.1:5569.");
ABSL_FLAG(double, speed, 10, "audit replay --live: how much faster than the day it is played.");
ABSL_FLAG(int64_t, max_gap_s, 60, "audit replay --live: a quieter stretch of the day (lunch) is cut to this many "
          "seconds of day time.");
ABSL_FLAG(bool, wait_viewer, false, "audit replay --live: start playing when the first viewer subscribes.");
ABSL_FLAG(int64_t, linger_s, -1, "audit replay --live: after the last record keep serving this long; "
          "-1: until Ctrl-C.");
ABSL_FLAG(std::string, live_feed, "",
          "drill: bind the coordinator's live feed at this endpoint (for a supervisor started elsewhere).");

namespace {

constexpr char kUsage[] =
    "gradcap <command> ...\n"
    "Day commands take --db DIR (a stopped coordinator's database, or one whose running coordinator\n"
    "advertises its admin socket) or --coordinator ENDPOINT (a running coordinator's --admin socket);\n"
    "with CURVE add --keys DIR --as ADMIN. Changes are logged naming --as (default $USER).\n"
    "With shards, --shard_map FILE instead: imports, keys and status go to every shard, reconcile and\n"
    "close to --college's shard (each shard keeps its own colleges' rows of a whole-university file).\n"
    "  roster import FILE.csv            students (学号,姓名,身份证号,学院,班级,层次,年级[,学籍照片])\n"
    "  payments import FILE.csv [--amount_due 15]   (学号,金额,缴费时间,交易号)\n"
    "  schedule import FILE.csv [--timezone Asia/Shanghai]   (学院,机位,开始,结束,签名)\n"
    "  codes import FILE.csv             external (学信网) codes: code,student_no (采集码,学号)\n"
    "  keys init|rotate                  make the (next) collection-code sealing key\n"
    "  keys retire --key ID              codes sealed with ID stop verifying\n"
    "  reconcile --college NAME [--json] the head count so far\n"
    "  close --college NAME [--override REASON] [--json]\n"
    "                                   sign-off head count; refused while students wait\n"
    "  student STUDENT_NO [--json]       where a student stands (masked name)\n"
    "  booth BOOTH [--json]              a booth's queue and progress\n"
    "  status [--json]                   the log head and every booth's progress\n"
    "  audit checkpoint [--out FILE]     sign a checkpoint of the log head now (the end of the day)\n"
    "Read-only on --db DIR (safe beside a running coordinator):\n"
    "  codes issue --db DIR --out DIR [--college NAME] [--valid_days 60]\n"
    "                                   one phone-screen QR PNG per student, plus codes.csv\n"
    "  codes inspect --db DIR PAYLOAD [--json]   what a scanned payload holds, or why it fails\n"
    "  audit verify --db DIR [--json] [--checkpoint FILE[,FILE] --public_key FILE]\n"
    "                                   check the log's hash chain, per-booth order, photos and signed\n"
    "                                   checkpoints (and handed-out checkpoint files); exit 0 only when all holds\n"
    "  audit replay --db DIR [--json] [--until N] [--face_alerts]\n"
    "                                   rebuild the day from the log alone and compare it with what was recorded\n"
    "  audit replay --db DIR --live ENDPOINT [--speed 10] [--max_gap_s 60] [--keys DIR] [--linger_s N]\n"
    "                                   [--wait_viewer]\n"
    "                                   play the day again as a live feed for the supervisor view (review meetings)\n"
    "  audit student --db DIR STUDENT_NO [--json] [--unmasked [--purpose WHY]]\n"
    "                                   one student's whole story, and whose face is on their photo and why\n"
    "                                   (--unmasked is logged first, on the coordinator or the database)\n"
    "  audit checkpoint export --db DIR [--college NAME | --log_seq N] --out FILE\n"
    "                                   a signed checkpoint as a small file for the college\n"
    "  keys public --db DIR [--out FILE] the public half of the checkpoint key\n"
    "  export --db DIR --out DIR [--college NAME] [--name_by student_no|id_no] [--force]\n"
    "                                   per college the passing photos for upload, manifest.csv, absent.csv\n"
    "                                   and retake-needed.csv (the 补拍 list); never overwrites\n"
    "  report --db DIR --out DIR [--thumbnails]\n"
    "                                   the day in HTML (open index.html, no server) and CSVs\n"
    "The live view:\n"
    "  watch --coordinator LIVE_ENDPOINT [--keys DIR --as ADMIN] [--once]\n"
    "                                   every booth, queue, alert and head count in the terminal\n"
    "  users add --users FILE --name NAME --role office|college [--college 学院[,学院]] [--photos]\n"
    "  users passwd|remove --users FILE --name NAME;  users list --users FILE\n"
    "                                   who may log in to the supervisor page (password on stdin)\n"
    "Rehearsals and keys:\n"
    "  drill FILE.json [--json] [--db DIR] [--live 127.0.0.1:PORT --users FILE] [--live_feed ENDPOINT]\n"
    "                                   a scripted capture day with real processes (README); --live\n"
    "                                   serves the supervisor view of it\n"
    "  shards check --shard_map FILE [--json]   the shard map as every process reads it, or its bad line\n"
    "  transport-keys init --keys DIR   make the coordinator's CURVE key pair\n"
    "  transport-keys enroll --keys DIR --booth ID | --admin NAME [--replace]\n"
    "                                   make and enrol a booth's (or an administrator's) key pair; copy\n"
    "                                   coordinator.public and booths/ID.secret to the booth\n"
    "  transport-keys revoke --booth ID | --validator NAME | --admin NAME\n"
    "      (--coordinator ENDPOINT [--keys MY_KEYS --as ME]: cut off at once, logged;\n"
    "       --keys DIR alone, coordinator stopped: the key files are set aside)\n";

std::string Actor() {
  if (const std::string as = absl::GetFlag(FLAGS_as); !as.empty()) return as;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unnamed";
}

absl::StatusOr<std::unique_ptr<gradcap::AdminTarget>> OpenRemote(const std::string& endpoint);

// Where a day command is carried out (see the file comment).
absl::StatusOr<std::unique_ptr<gradcap::AdminTarget>> OpenTarget(bool create) {
  using namespace gradcap;
  std::string endpoint = absl::GetFlag(FLAGS_coordinator);
  const std::string db = absl::GetFlag(FLAGS_db);
  if (endpoint.empty()) {
    absl::StatusOr<std::unique_ptr<AdminTarget>> local = OpenLocalAdmin(db, Actor(), create);
    if (local.ok() || !absl::IsFailedPrecondition(local.status())) return local;
    std::optional<std::string> advertised = AdvertisedAdminEndpoint(db);
    if (!advertised.has_value()) return local.status();
    endpoint = *advertised;
    std::fprintf(stderr, "gradcap: a coordinator holds %s; asking it at %s\n", db.c_str(), endpoint.c_str());
  }
  return OpenRemote(endpoint);
}

// A running coordinator's admin socket, as --as (with --keys: its key).
absl::StatusOr<std::unique_ptr<gradcap::AdminTarget>> OpenRemote(const std::string& endpoint) {
  using namespace gradcap;
  RemoteOptions remote;
  remote.endpoint = endpoint;
  remote.actor = Actor();
  if (const std::string keys = absl::GetFlag(FLAGS_keys); !keys.empty()) {
    if (absl::GetFlag(FLAGS_as).empty()) {
      return absl::InvalidArgumentError("with --keys, say which enrolled admin you are: --as NAME");
    }
    absl::StatusOr<BoothKeys> own = LoadAdminKeys(keys, absl::GetFlag(FLAGS_as));
    if (!own.ok()) return own.status();
    remote.keys = own->booth;
    remote.server_public_key = own->coordinator_public_key;
  }
  return ConnectAdmin(remote);
}

int TransportKeys(const std::string& verb) {
  const std::string dir = absl::GetFlag(FLAGS_keys);
  if (dir.empty()) {
    std::fprintf(stderr, "gradcap transport-keys: --keys DIR is required\n");
    return 2;
  }
  absl::Status done;
  if (verb == "init") {
    done = gradcap::InitTransportKeys(dir);
  } else {
    const std::string booth = absl::GetFlag(FLAGS_booth), admin = absl::GetFlag(FLAGS_admin);
    if (booth.empty() == admin.empty()) {
      std::fprintf(stderr, "gradcap transport-keys enroll: give --booth ID or --admin NAME\n");
      return 2;
    }
    done = !booth.empty() ? gradcap::EnrollBooth(dir, booth, absl::GetFlag(FLAGS_replace))
                          : gradcap::EnrollAdmin(dir, admin, absl::GetFlag(FLAGS_replace));
  }
  if (!done.ok()) {
    std::fprintf(stderr, "gradcap transport-keys %s: %s\n", verb.c_str(), std::string(done.message()).c_str());
    return 1;
  }
  std::printf("ok\n");
  return 0;
}

int OnTarget(const std::string& what, const std::function<int(gradcap::AdminTarget&)>& run);

// Online (a coordinator given, or advertised in --db): one revoke_key request,
// logged naming who asked. Offline: the key files set aside.
int RevokeTransportKey() {
  using gradcap::v1::RevokeKeyRequest;
  const std::string booth = absl::GetFlag(FLAGS_booth), admin = absl::GetFlag(FLAGS_admin),
                    validator = absl::GetFlag(FLAGS_validator);
  if ((!booth.empty()) + (!admin.empty()) + (!validator.empty()) != 1) {
    std::fprintf(stderr, "gradcap transport-keys revoke: give one of --booth ID, --validator NAME, --admin NAME\n");
    return 2;
  }
  const std::string name = !booth.empty() ? booth : !admin.empty() ? admin : validator;
  const bool online = !absl::GetFlag(FLAGS_coordinator).empty() ||
                      (!absl::GetFlag(FLAGS_db).empty() && gradcap::AdvertisedAdminEndpoint(absl::GetFlag(FLAGS_db)));
  if (!online) {
    const std::string dir = absl::GetFlag(FLAGS_keys);
    if (dir.empty()) {
      std::fprintf(stderr,
                   "gradcap transport-keys revoke: give --coordinator ENDPOINT (running) or --keys DIR (stopped)\n");
      return 2;
    }
    absl::StatusOr<std::string> key = gradcap::RevokeKeyFiles(dir, admin.empty() ? "booths" : "admins", name);
    if (!key.ok()) {
      std::fprintf(stderr, "gradcap transport-keys revoke: %s\n", std::string(key.status().message()).c_str());
      return 1;
    }
    std::printf("key %s of %s set aside in %s (*.revoked): the coordinator will not load it when it starts\n",
                key->c_str(), name.c_str(), dir.c_str());
    return 0;
  }
  return OnTarget("transport-keys revoke", [&](gradcap::AdminTarget& target) {
    gradcap::v1::AdminRequest request;
    request.mutable_revoke_key()->set_role(!booth.empty()       ? RevokeKeyRequest::BOOTH
                                           : !admin.empty()     ? RevokeKeyRequest::ADMIN
                                                                : RevokeKeyRequest::VALIDATOR);
    request.mutable_revoke_key()->set_name(name);
    absl::StatusOr<gradcap::v1::AdminReply> reply = target.Call(std::move(request));
    if (!reply.ok()) {
      std::fprintf(stderr, "gradcap transport-keys revoke: %s\n", std::string(reply.status().message()).c_str());
      return 1;
    }
    std::printf("key %s of %s revoked at record %llu: its connections are refused from now on\n",
                reply->revoke_key().public_key().c_str(), name.c_str(),
                static_cast<unsigned long long>(reply->revoke_key().log_seq()));
    return 0;
  });
}

int Drill(const std::string& file) {
  gradcap::DrillOptions options;
  options.file = file;
  options.db_dir = absl::GetFlag(FLAGS_db);
  options.live_listen = absl::GetFlag(FLAGS_live);
  options.users_file = absl::GetFlag(FLAGS_users);
  options.live_feed = absl::GetFlag(FLAGS_live_feed);
  auto report = gradcap::RunDrill(options);
  if (!report.ok()) {
    std::fprintf(stderr, "gradcap drill: %s\n", std::string(report.status().message()).c_str());
    return 1;
  }
  if (absl::GetFlag(FLAGS_json)) {
    std::printf("%s\n", gradcap::cli::ToJson(*report).c_str());
  } else {
    std::printf("%s", gradcap::FormatDrillReport(*report).c_str());
  }
  return 0;
}

// A day command over the shards of --shard_map: the shard of --college (or
// of --key), else every shard in turn (a student or booth: the first shard
// that knows them).
int OnShards(const std::string& what, const std::function<int(gradcap::AdminTarget&)>& run) {
  using namespace gradcap;
  if (!absl::GetFlag(FLAGS_coordinator).empty() || !absl::GetFlag(FLAGS_db).empty()) {
    std::fprintf(stderr, "gradcap %s: give --shard_map, or --coordinator / --db, not both\n", what.c_str());
    return 2;
  }
  absl::StatusOr<ShardMap> map = ShardMap::Load(absl::GetFlag(FLAGS_shard_map));
  if (!map.ok()) {
    std::fprintf(stderr, "gradcap %s: %s\n", what.c_str(), std::string(map.status().message()).c_str());
    return 2;
  }
  std::vector<int> shards;
  if (const std::string college = absl::GetFlag(FLAGS_college); !college.empty()) {
    std::optional<int> shard = map->ShardOf(college);
    if (!shard.has_value()) {
      std::fprintf(stderr, "gradcap %s: %s is in no shard of %s\n", what.c_str(), college.c_str(),
                   map->source().c_str());
      return 2;
    }
    shards.push_back(*shard);
  } else if (what == "keys retire") {
    std::optional<int> shard = ShardOfKeyId(absl::GetFlag(FLAGS_key));
    if (!shard.has_value() || *shard >= static_cast<int>(map->shards().size())) {
      std::fprintf(stderr, "gradcap keys retire: --key %s names no shard of %s (keys of shard N are sN-kM)\n",
                   absl::GetFlag(FLAGS_key).c_str(), map->source().c_str());
      return 2;
    }
    shards.push_back(*shard);
  } else {
    for (const ShardEntry& s : map->shards()) shards.push_back(s.index);
  }
  const bool first_that_knows = what == "student" || what == "booth";
  int worst = 0;
  for (int shard : shards) {
    const std::string& endpoint = map->shards()[shard].admin;
    if (shards.size() > 1 && !first_that_knows) std::printf("== shard %d (%s)\n", shard, endpoint.c_str());
    absl::StatusOr<std::unique_ptr<AdminTarget>> target = OpenRemote(endpoint);
    if (!target.ok()) {
      std::fprintf(stderr, "gradcap %s: shard %d at %s: %s\n", what.c_str(), shard, endpoint.c_str(),
                   std::string(target.status().message()).c_str());
      worst = std::max(worst, 1);
      continue;
    }
    const int rc = run(**target);
    std::fflush(stdout);
    if (first_that_knows && rc == 0) return 0;
    worst = std::max(worst, rc);
  }
  return worst;
}

// `gradcap shards check --shard_map FILE`: the map as every process will
// read it, or the line that is wrong.
int ShardsCheck(bool json) {
  using namespace gradcap;
  const std::string path = absl::GetFlag(FLAGS_shard_map);
  if (path.empty()) {
    std::fprintf(stderr, "gradcap shards check: --shard_map FILE is required\n");
    return 2;
  }
  absl::StatusOr<ShardMap> map = ShardMap::Load(path);
  if (!map.ok()) {
    std::fprintf(stderr, "gradcap shards check: %s\n", std::string(map.status().message()).c_str());
    return 1;
  }
  if (json) {
    std::string out = absl::StrCat("{\"map\":", JsonQuote(map->name()), ",\"shards\":[");
    for (const ShardEntry& s : map->shards()) {
      std::vector<std::string> colleges;
      for (const std::string& c : s.colleges) colleges.push_back(JsonQuote(c));
      absl::StrAppend(&out, s.index == 0 ? "" : ",", "{\"shard\":", s.index, ",\"booth\":", JsonQuote(s.booth),
                      ",\"validators\":", JsonQuote(s.validators), ",\"live\":", JsonQuote(s.live),
                      ",\"admin\":", JsonQuote(s.admin), ",\"colleges\":[", absl::StrJoin(colleges, ","), "]}");
    }
    std::printf("%s]}\n", out.c_str());
    return 0;
  }
  std::printf("map %s: %zu shards\n", map->name().c_str(), map->shards().size());
  for (const ShardEntry& s : map->shards()) {
    std::printf("shard %d: booths → %s, validators → %s, live %s, admin %s\n  %s\n", s.index, s.booth.c_str(),
                s.validators.c_str(), s.live.c_str(), s.admin.c_str(), absl::StrJoin(s.colleges, ", ").c_str());
  }
  return 0;
}

// A day command: find its target, then run it.
int OnTarget(const std::string& what, const std::function<int(gradcap::AdminTarget&)>& run) {
  if (!absl::GetFlag(FLAGS_shard_map).empty()) return OnShards(what, run);
  // Only the registrar's first steps may make a new database.
  const bool create = what.find(" import") != std::string::npos || what == "keys init";
  absl::StatusOr<std::unique_ptr<gradcap::AdminTarget>> target = OpenTarget(create);
  if (!target.ok()) {
    std::fprintf(stderr, "gradcap %s: %s\n", what.c_str(), std::string(target.status().message()).c_str());
    return 1;
  }
  return run(**target);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (!gradcap::InitCrypto().ok()) return 1;
  std::vector<std::string> words(args.begin() + 1, args.end());
  namespace cli = gradcap::cli;
  const std::string db = absl::GetFlag(FLAGS_db);
  const bool json = absl::GetFlag(FLAGS_json);
  auto arg = [&words](size_t i) { return words.size() > i ? words[i] : std::string(); };
  const std::string first = arg(0), command = words.size() >= 3 && words[0] == "audit" && words[1] == "checkpoint" &&
                                                        words[2] == "export"
                                                    ? "audit checkpoint export"
                                                : words.size() >= 2 ? words[0] + " " + words[1]
                                                                    : first;
  // How many words each command takes (its arguments included).
  const std::map<std::string, size_t> arity = {
      {"roster import", 3}, {"payments import", 3}, {"schedule import", 3}, {"codes import", 3},
      {"codes inspect", 3}, {"codes issue", 2},     {"keys init", 2},       {"keys rotate", 2},
      {"keys retire", 2},   {"audit verify", 2},    {"transport-keys init", 2}, {"transport-keys enroll", 2},
      {"transport-keys revoke", 2},
      {"audit replay", 2},  {"audit student", 3},   {"audit checkpoint", 2}, {"audit checkpoint export", 3},
      {"keys public", 2},   {"export", 1},          {"report", 1},
      {"reconcile", 1},     {"close", 1},           {"status", 1},          {"student", 2},
      {"booth", 2},         {"drill", 2},           {"watch", 1},           {"users add", 2},
      {"users remove", 2},  {"users passwd", 2},    {"users list", 2},      {"shards check", 2}};
  std::string matched = arity.count(command) ? command : arity.count(first) ? first : "";
  if (matched.empty()) {
    std::fprintf(stderr, "%s", kUsage);
    if (!words.empty()) {
      std::string given;
      for (const auto& w : words) given += (given.empty() ? "" : " ") + w;
      std::fprintf(stderr, "gradcap: unknown command \"%s\"\n", given.c_str());
    }
    return 2;
  }
  if (words.size() > arity.at(matched)) {
    std::fprintf(stderr, "gradcap %s: unexpected argument \"%s\"\n", matched.c_str(), words[arity.at(matched)].c_str());
    return 2;
  }
  const std::string operand = arg(arity.at(matched) - 1);
  if (matched == "drill") return Drill(operand);
  if (matched == "shards check") return ShardsCheck(json);
  if (matched.rfind("users ", 0) == 0) {
    cli::UsersArgs users;
    users.file = absl::GetFlag(FLAGS_users);
    users.name = absl::GetFlag(FLAGS_name);
    users.role = absl::GetFlag(FLAGS_role);
    users.college = absl::GetFlag(FLAGS_college);
    users.photos = absl::GetFlag(FLAGS_photos);
    return cli::Users(words[1], users);
  }
  if (matched == "watch") {
    cli::WatchArgs watch;
    watch.endpoint = absl::GetFlag(FLAGS_coordinator);
    watch.keys = absl::GetFlag(FLAGS_keys);
    watch.as = absl::GetFlag(FLAGS_as).empty() ? "supervisor" : absl::GetFlag(FLAGS_as);
    watch.once = absl::GetFlag(FLAGS_once);
    return cli::Watch(watch);
  }
  if (matched == "audit verify") {
    return cli::AuditVerify(db, {absl::GetFlag(FLAGS_checkpoint), absl::GetFlag(FLAGS_public_key)}, json);
  }
  if (matched == "audit replay" && !absl::GetFlag(FLAGS_live).empty()) {
    cli::TimelapseArgs args;
    args.endpoint = absl::GetFlag(FLAGS_live);
    args.keys = absl::GetFlag(FLAGS_keys);
    args.speed = absl::GetFlag(FLAGS_speed);
    args.max_gap_s = absl::GetFlag(FLAGS_max_gap_s);
    args.until = static_cast<uint64_t>(std::max<int64_t>(0, absl::GetFlag(FLAGS_until)));
    args.linger_s = absl::GetFlag(FLAGS_linger_s);
    args.wait_viewer = absl::GetFlag(FLAGS_wait_viewer);
    return cli::AuditTimelapse(db, args);
  }
  if (matched == "audit replay") {
    gradcap::ReplayOptions options;
    options.until = static_cast<uint64_t>(std::max<int64_t>(0, absl::GetFlag(FLAGS_until)));
    options.face_alerts = absl::GetFlag(FLAGS_face_alerts);
    return cli::AuditReplay(db, options, json);
  }
  if (matched == "audit student") {
    cli::StudentOptions options;
    options.json = json;
    options.unmasked = absl::GetFlag(FLAGS_unmasked);
    options.purpose = absl::GetFlag(FLAGS_purpose);
    return cli::AuditStudent(db, operand, options, [] { return OpenTarget(/*create=*/false); });
  }
  if (matched == "audit checkpoint export") {
    return cli::AuditCheckpointExport(db, absl::GetFlag(FLAGS_college),
                                      static_cast<uint64_t>(std::max<int64_t>(0, absl::GetFlag(FLAGS_log_seq))),
                                      absl::GetFlag(FLAGS_out));
  }
  if (matched == "keys public") return cli::KeysPublic(db, absl::GetFlag(FLAGS_out));
  if (matched == "export") {
    cli::ExportFlags flags;
    flags.out_dir = absl::GetFlag(FLAGS_out);
    flags.college = absl::GetFlag(FLAGS_college);
    flags.name_by = absl::GetFlag(FLAGS_name_by);
    flags.force = absl::GetFlag(FLAGS_force);
    flags.model = absl::GetFlag(FLAGS_model);
    return cli::Export(db, flags);
  }
  if (matched == "report") return cli::Report(db, absl::GetFlag(FLAGS_out), absl::GetFlag(FLAGS_thumbnails));
  if (matched == "transport-keys init" || matched == "transport-keys enroll") return TransportKeys(words[1]);
  if (matched == "transport-keys revoke") return RevokeTransportKey();
  if (matched == "codes issue") {
    return cli::CodesIssue(db, absl::GetFlag(FLAGS_out), absl::GetFlag(FLAGS_college), absl::GetFlag(FLAGS_valid_days));
  }
  if (matched == "codes inspect") {
    if (words.size() < 3) {
      std::fprintf(stderr, "gradcap codes inspect: which PAYLOAD?\n");
      return 2;
    }
    return cli::CodesInspect(db, operand, json);
  }
  if ((matched == "student" || matched == "booth") && words.size() < 2) {
    std::fprintf(stderr, "gradcap %s: which %s?\n", matched.c_str(), matched == "student" ? "STUDENT_NO" : "BOOTH");
    return 2;
  }
  const bool is_import = matched.size() > 7 && matched.substr(matched.size() - 7) == " import";
  if (is_import && words.size() < 3) {
    std::fprintf(stderr, "gradcap %s: which FILE.csv?\n", matched.c_str());
    return 2;
  }
  return OnTarget(matched, [&](gradcap::AdminTarget& target) {
    if (is_import) {
      cli::ImportOptions options;
      if (const std::string due = absl::GetFlag(FLAGS_amount_due); !due.empty()) options.amount_due = due;
      options.timezone = absl::GetFlag(FLAGS_timezone);
      const cli::ImportKind kind = matched == "roster import"     ? cli::ImportKind::kRoster
                                   : matched == "payments import" ? cli::ImportKind::kPayments
                                   : matched == "schedule import" ? cli::ImportKind::kSchedule
                                                                  : cli::ImportKind::kExternalCodes;
      return cli::Import(target, kind, operand, options);
    }
    if (matched == "keys init") return cli::Keys(target, cli::KeysOp::kInit, "");
    if (matched == "keys rotate") return cli::Keys(target, cli::KeysOp::kRotate, "");
    if (matched == "keys retire") return cli::Keys(target, cli::KeysOp::kRetire, absl::GetFlag(FLAGS_key));
    if (matched == "reconcile" || matched == "close") {
      return cli::Reconcile(target, absl::GetFlag(FLAGS_college), matched == "close", absl::GetFlag(FLAGS_override),
                            json);
    }
    if (matched == "student") return cli::Student(target, operand, json);
    if (matched == "audit checkpoint") return cli::AuditCheckpoint(target, absl::GetFlag(FLAGS_out), json);
    if (matched == "booth") return cli::Booth(target, operand, json);
    return cli::Status(target, json);
  });
}
