// Running a drill (see drill.h): set up a database from the drill's files,
// start the processes, play the steps, and wait — on the coordinator's admin
// socket, never by reading its database — for each booth event to be in the
// log before the next step (unless its booth or the coordinator is down,
// when it waits in the booth's outbox like on the real day). Colleges are
// closed through the same socket while the coordinator runs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/big_endian.h"
#include "common/clock.h"
#include "common/collection_code.h"
#include "common/file_util.h"
#include "common/qr_code.h"
#include "common/status_macros.h"
#include "common/shard_map.h"
#include "common/subprocess.h"
#include "common/logging.h"
#include "admin/admin_client.h"
#include "coordinator/admin_service.h"
#include "drill/drill.h"
#include "drill/drill_booth.h"
#include "drill/drill_internal.h"
#include "drill/drill_live.h"
#include "common/log_format.h"
#include "registry/registry.h"
#include "registry/registry_import.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;

std::string SelfDir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : self.parent_path().string();
}

std::string FindBinary(const std::string& given, const std::vector<std::string>& candidates) {
  if (!given.empty()) return given;
  for (const std::string& c : candidates) {
    if (fs::is_regular_file(c)) return c;
  }
  return candidates.front();
}

// Adds shard `one`'s report to the drill's: students, refusals, alerts and
// head counts side by side (each college is one shard's), the audits
// together (ok only when every shard's log holds).
void MergeShardReport(v1::DrillReport one, v1::DrillReport* report) {
  for (auto& st : *one.mutable_students()) *report->add_students() = std::move(st);
  std::sort(report->mutable_students()->begin(), report->mutable_students()->end(),
            [](const v1::DrillStudent& a, const v1::DrillStudent& b) { return a.student_no() < b.student_no(); });
  for (auto& r : *one.mutable_refusals()) *report->add_refusals() = std::move(r);
  for (auto& a : *one.mutable_alerts()) *report->add_alerts() = std::move(a);
  for (auto& c : *one.mutable_reconciliation()) *report->add_reconciliation() = std::move(c);
  report->set_events(report->events() + one.events());
  report->set_ran(report->ran() && one.ran());
  v1::AuditReport& audit = *report->mutable_audit();
  const v1::AuditReport& other = one.audit();
  if (audit.ok() && !other.ok()) {
    audit.set_first_bad_log_seq(other.first_bad_log_seq());
    audit.set_problem(other.problem());
  }
  audit.set_ok(audit.ok() && other.ok());
  audit.set_records(audit.records() + other.records());
  audit.set_applied(audit.applied() + other.applied());
  audit.set_rejected(audit.rejected() + other.rejected());
  audit.set_booths(audit.booths() + other.booths());
  audit.set_admin(audit.admin() + other.admin());
  audit.set_verdicts(audit.verdicts() + other.verdicts());
  audit.set_checkpoints(audit.checkpoints() + other.checkpoints());
}

// One coordinator of the drill: its database, sockets and process.
struct DrillCoordinator {
  std::string db, endpoint, validator_endpoint, admin_endpoint, live_endpoint, log_file, ready_file;
  std::vector<std::string> colleges;  // sharded drills: the colleges it owns
  std::unique_ptr<AdminTarget> admin;
  ChildProcess process;
  uint32_t starts = 0;
  v1::CodeKey key;
};

class Drill {
 public:
  Drill(const DrillOptions& o, v1::DrillFile file) : options_(o), file_(std::move(file)) {}

  absl::StatusOr<v1::DrillReport> Run();

 private:
  absl::Status Prepare();
  // Sets up coordinator `i`'s database from the drill's files.
  absl::Status PrepareDatabase(size_t i);
  absl::Status StartCoordinator(size_t i);
  absl::Status StartBooth(const std::string& booth);
  // Plays a step at a booth: the input, then (when it can be) its delivery.
  absl::Status PlayAtBooth(int index, const v1::DrillStep& step);
  void Refused(int index, const std::string& booth, const std::string& reason, const std::string& detail);
  absl::Status StartValidator(size_t index);
  int RunningValidators() const;
  absl::Status Play(int index, const v1::DrillStep& step);
  absl::Status WaitDelivered(const std::string& booth, int index);
  // What the running coordinators answer about every booth and student now,
  // each at one log head (asked again while the head moves).
  absl::StatusOr<v1::DrillLive> SnapshotLive(size_t i);
  absl::Status WaitAllDelivered();
  // Every photo so far has its verdict and `booth` has been shown its last.
  absl::Status WaitVerdictShown(const std::string& booth, int index);
  // Asks coordinator `i`'s admin socket.
  absl::StatusOr<v1::AdminReply> Ask(size_t i, v1::AdminRequest request);
  // Carries out an admin request: on the running coordinator, or on the
  // database itself while the coordinator is down.
  absl::StatusOr<v1::AdminReply> Admin(size_t i, v1::AdminRequest request);
  // The coordinators a "coordinator" or "coordinator:N" step names.
  std::vector<size_t> Targets(const std::string& process) const;
  size_t ShardOfBooth(const std::string& booth) const;
  size_t ShardOfCollege(const std::string& college) const;
  std::string Code(const std::string& student_no);
  int64_t DrillNowMs() const { return start_clock_ms_ + (SystemClock::Get()->MonotonicMs() - started_mono_ms_); }
  bool sharded() const { return file_.shards_size() > 0; }

  DrillOptions options_;
  v1::DrillFile file_;
  std::string work_, db_, shard_map_, live_endpoints_, coordinator_bin_, booth_bin_, validator_bin_;
  DrillSupervisor supervisor_;
  std::vector<std::unique_ptr<DrillCoordinator>> shards_;  // one when the drill is not sharded
  std::map<std::string, size_t> booth_shard_, college_shard_, student_shard_;
  std::map<std::string, std::string> student_college_;
  std::vector<std::unique_ptr<ChildProcess>> validators_;
  std::map<std::string, std::unique_ptr<DrillBooth>> booths_;
  std::vector<v1::DrillRefusal> step_refusals_;
  v1::DrillReport head_counts_;  // head_counts only
  v1::DrillLive live_;
  int64_t start_clock_ms_ = 0, started_mono_ms_ = 0;
};

absl::Status Drill::Prepare() {
  char tmpl[] = "/tmp/gradcap-drill-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return absl::UnavailableError("cannot make a temp folder");
  work_ = tmpl;
  db_ = options_.db_dir.empty() ? work_ + "/db" : options_.db_dir;
  if (!options_.db_dir.empty() && fs::exists(db_) && !fs::is_empty(db_)) {
    return absl::FailedPreconditionError(absl::StrCat("--db ", db_, " is not empty: give a new folder"));
  }
  const std::string self = SelfDir();
  coordinator_bin_ = FindBinary(options_.coordinator_bin, {self + "/coordinator", self + "/../coordinator/coordinator"});
  booth_bin_ = FindBinary(options_.booth_agent_bin, {self + "/booth-agent", self + "/../booth-agent/booth-agent"});
  for (const std::string& b : {coordinator_bin_, booth_bin_}) {
    if (!fs::is_regular_file(b)) return absl::NotFoundError(absl::StrCat("cannot find ", b));
  }
  const int validators = file_.has_validators() ? file_.validators() : 2;
  if (validators < 0 || validators > 16) {
    return absl::InvalidArgumentError(absl::StrCat("\"validators\": ", validators, " is not between 0 and 16"));
  }
  if (validators > 0) {
    validator_bin_ = FindBinary(options_.validator_bin, {self + "/validator", self + "/../validator/validator"});
    if (!fs::is_regular_file(validator_bin_)) return absl::NotFoundError(absl::StrCat("cannot find ", validator_bin_));
    validators_.resize(validators);
  }
  if (!options_.live_listen.empty() && options_.users_file.empty()) {
    return absl::InvalidArgumentError("--live needs --users FILE (gradcap users add)");
  }
  if (sharded() && !options_.live_feed.empty()) {
    return absl::InvalidArgumentError("--live_feed: a sharded drill's live feeds are in its shard map (--live serves them)");
  }
  const size_t count = sharded() ? file_.shards_size() : 1;
  auto port = [] { return absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort()); };
  std::string map_text = "# written by gradcap drill\nmap = drill\n";
  for (size_t i = 0; i < count; ++i) {
    auto c = std::make_unique<DrillCoordinator>();
    c->db = sharded() ? absl::StrCat(db_, "/shard-", i) : db_;
    c->endpoint = port();
    c->validator_endpoint = port();
    c->admin_endpoint = port();
    c->live_endpoint = sharded() || !options_.live_listen.empty() ? port() : options_.live_feed;
    if (!sharded() && !options_.live_feed.empty()) c->live_endpoint = options_.live_feed;
    const std::string suffix = sharded() ? absl::StrCat("-", i) : "";
    c->log_file = absl::StrCat(work_, "/coordinator", suffix, ".log");
    c->ready_file = absl::StrCat(work_, "/coordinator", suffix, ".ready");
    if (sharded()) {
      c->colleges.assign(file_.shards(i).colleges().begin(), file_.shards(i).colleges().end());
      absl::StrAppend(&map_text, "shard = ", i, "\nbooth = ", c->endpoint, "\nvalidators = ", c->validator_endpoint,
                      "\nlive = ", c->live_endpoint, "\nadmin = ", c->admin_endpoint,
                      "\ncolleges = ", absl::StrJoin(c->colleges, ", "), "\n");
    }
    shards_.push_back(std::move(c));
  }
  if (sharded()) {
    shard_map_ = work_ + "/shards.map";
    GRADCAP_RETURN_IF_ERROR(WriteFileAtomically(shard_map_, map_text));
  }
  std::vector<std::string> live;
  for (const auto& c : shards_) {
    if (!c->live_endpoint.empty()) live.push_back(c->live_endpoint);
  }
  live_endpoints_ = absl::StrJoin(live, ",");
  int64_t earliest = 0;
  for (size_t i = 0; i < count; ++i) {
    GRADCAP_RETURN_IF_ERROR(PrepareDatabase(i));
    GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<EventLog> log, EventLog::OpenReadOnly(shards_[i]->db));
    auto cursor = log->store().NewCursor(kScheduleColumn);
    for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
      v1::ScheduleSlot slot;
      if (slot.ParseFromArray(cursor->value().data(), static_cast<int>(cursor->value().size())) &&
          (earliest == 0 || slot.start_ms() < earliest)) {
        earliest = slot.start_ms();
      }
    }
  }
  // Steps that name students or colleges must name real ones.
  for (int i = 0; i < file_.steps_size(); ++i) {
    const v1::DrillStep& s = file_.steps(i);
    if (!s.scan().empty() && !student_shard_.contains(s.scan())) {
      return absl::InvalidArgumentError(absl::StrCat("step ", i, ": student ", s.scan(), " is not in the roster"));
    }
    for (const std::string* college : {&s.close(), &s.head_count()}) {
      if (!college->empty() && !college_shard_.contains(*college)) {
        return absl::InvalidArgumentError(
            absl::StrCat("step ", i, ": no student of college \"", *college, "\" in the roster"));
      }
    }
  }
  start_clock_ms_ = earliest + 5 * 60'000;
  if (!file_.clock().empty()) {
    absl::Time t;
    std::string err;
    if (!absl::ParseTime("%Y-%m-%dT%H:%M%Ez", file_.clock(), &t, &err) &&
        !absl::ParseTime("%Y-%m-%dT%H:%M:%S%Ez", file_.clock(), &t, &err)) {
      return absl::InvalidArgumentError(absl::StrCat("clock \"", file_.clock(), "\" is not like 2024-09-21T09:00+08:00"));
    }
    start_clock_ms_ = absl::ToUnixMillis(t);
  }
  for (auto& c : shards_) {
    RemoteOptions remote;
    remote.endpoint = c->admin_endpoint;
    remote.actor = "drill";
    GRADCAP_ASSIGN_OR_RETURN(c->admin, ConnectAdmin(remote));
  }
  started_mono_ms_ = SystemClock::Get()->MonotonicMs();
  return absl::OkStatus();
}

absl::Status Drill::PrepareDatabase(size_t i) {
  DrillCoordinator& c = *shards_[i];
  GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<EventLog> log, EventLog::Open(c.db, SystemClock::Get()));
  if (sharded()) {
    // Recorded before the keys, as the coordinator would on its first start.
    GRADCAP_ASSIGN_OR_RETURN(ShardMap map, ShardMap::Load(shard_map_));
    GRADCAP_ASSIGN_OR_RETURN(std::optional<RegistryChange> change,
                             PlanShardAssignment(log->store(), map.Assignment(static_cast<int>(i)), shard_map_, 0));
    if (change.has_value()) GRADCAP_RETURN_IF_ERROR(CommitChange(*log, std::move(*change), "drill"));
  }
  GRADCAP_RETURN_IF_ERROR(ImportRoster(*log, file_.roster()).status());
  GRADCAP_RETURN_IF_ERROR(ImportPayments(*log, file_.payments(), std::nullopt).status());
  GRADCAP_RETURN_IF_ERROR(ImportSchedule(*log, file_.schedule(), "Asia/Shanghai").status());
  if (!file_.codes().empty()) GRADCAP_RETURN_IF_ERROR(ImportExternalCodes(*log, file_.codes()).status());
  GRADCAP_ASSIGN_OR_RETURN(std::string key_id, InitCodeKeys(*log, SystemClock::Get()->NowMs()));
  Registry registry(&log->store());
  GRADCAP_RETURN_IF_ERROR(registry.Load());
  c.key = *registry.CodeKey(key_id);
  GRADCAP_ASSIGN_OR_RETURN(std::vector<std::string> colleges, registry.Colleges());
  for (const std::string& college : colleges) {
    college_shard_.emplace(college, i);
    GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::Student> of_college, registry.StudentsOf(college));
    for (const v1::Student& s : of_college) {
      student_shard_.emplace(s.student_no(), i);
      student_college_.emplace(s.student_no(), s.college());
    }
  }
  for (const std::string& booth : file_.booths()) {
    if (registry.SlotsAt(booth).empty()) continue;
    if (auto [it, fresh] = booth_shard_.emplace(booth, i); !fresh && it->second != i) {
      return absl::InvalidArgumentError(absl::StrCat("booth ", booth, " is scheduled for colleges of shards ",
                                                     it->second, " and ", i, ": a booth serves one shard"));
    }
  }
  return absl::OkStatus();
}

absl::Status Drill::StartCoordinator(size_t i) {
  DrillCoordinator& c = *shards_[i];
  fs::remove(c.ready_file);
  const std::string clock = absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", absl::FromUnixMillis(DrillNowMs()),
                                             absl::FixedTimeZone(8 * 3600));
  std::vector<std::string> args = {coordinator_bin_, "--db",  c.db, "--ready_file", c.ready_file, "--clock_start",
                                   clock,            "--stats_interval_ms", "0"};
  if (sharded()) {
    // Every socket from the map, as deployed.
    args.insert(args.end(), {"--shard_map", shard_map_, "--shard", std::to_string(i)});
  } else {
    args.insert(args.end(), {"--listen", c.endpoint, "--admin", c.admin_endpoint});
    if (!validators_.empty()) args.insert(args.end(), {"--validators", c.validator_endpoint});
    if (!c.live_endpoint.empty()) args.insert(args.end(), {"--live", c.live_endpoint});
  }
  if (!c.process.Start(args, c.log_file)) return absl::UnavailableError("cannot start the coordinator");
  ++c.starts;
  for (int attempt = 0; attempt < 400; ++attempt) {
    if (fs::exists(c.ready_file)) return absl::OkStatus();
    if (!c.process.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return absl::UnavailableError(absl::StrCat("the coordinator did not start; see ", c.log_file));
}

size_t Drill::ShardOfBooth(const std::string& booth) const {
  auto it = booth_shard_.find(booth);
  return it == booth_shard_.end() ? 0 : it->second;
}

size_t Drill::ShardOfCollege(const std::string& college) const {
  auto it = college_shard_.find(college);
  return it == college_shard_.end() ? 0 : it->second;
}

std::vector<size_t> Drill::Targets(const std::string& process) const {
  std::vector<size_t> out;
  if (process == "coordinator") {
    for (size_t i = 0; i < shards_.size(); ++i) out.push_back(i);
  } else if (process.rfind("coordinator:", 0) == 0) {
    out.push_back(std::stoul(process.substr(12)));  // checked by LoadDrill
  }
  return out;
}

absl::Status Drill::StartBooth(const std::string& booth) {
  std::unique_ptr<DrillBooth>& b = booths_[booth];
  if (!b) {
    DrillBoothOptions o;
    o.booth = booth;
    o.work_dir = work_;
    o.booth_bin = booth_bin_;
    o.endpoint = shards_[ShardOfBooth(booth)]->endpoint;
    o.timeout_ms = options_.step_timeout_ms;
    b = std::make_unique<DrillBooth>(o);
  }
  GRADCAP_RETURN_IF_ERROR(b->Start());
  // What it had waiting is delivered now, unless its link is down.
  return WaitDelivered(booth, -1);
}

absl::Status Drill::StartValidator(size_t index) {
  auto& process = validators_[index];
  if (!process) process = std::make_unique<ChildProcess>();
  const std::string name = absl::StrCat("validator-", index + 1);
  std::vector<std::string> args = {validator_bin_, "--store", work_ + "/" + name, "--name", name};
  if (sharded()) {
    args.insert(args.end(), {"--shard_map", shard_map_});  // serves every shard
  } else {
    args.insert(args.end(), {"--coordinator", shards_[0]->validator_endpoint});
  }
  if (!process->Start(args, work_ + "/" + name + ".log")) {
    return absl::UnavailableError(absl::StrCat("cannot start ", name));
  }
  return absl::OkStatus();
}

int Drill::RunningValidators() const {
  int n = 0;
  for (const auto& v : validators_) n += v && v->running();
  return n;
}

// The student's code as their own shard issued it (the only one when the
// drill is not sharded).
std::string Drill::Code(const std::string& student_no) {
  v1::CodeBody body;
  body.set_student_no(student_no);
  body.set_issued_at_ms(start_clock_ms_ - 86'400'000);
  body.set_expires_at_ms(start_clock_ms_ + 30 * 86'400'000LL);
  auto own = student_shard_.find(student_no);
  if (sharded()) body.set_college(student_college_[student_no]);
  return SealCode(body, shards_[own == student_shard_.end() ? 0 : own->second]->key);
}

void Drill::Refused(int index, const std::string& booth, const std::string& reason, const std::string& detail) {
  v1::DrillRefusal r;
  r.set_step(index);
  r.set_booth(booth);
  r.set_reason(reason);
  r.set_detail(detail);
  step_refusals_.push_back(std::move(r));
}

absl::Status Drill::PlayAtBooth(int index, const v1::DrillStep& s) {
  DrillBooth& booth = *booths_[s.booth()];
  absl::StatusOr<DrillInput> fed;
  if (!s.scan().empty() || !s.scan_payload().empty()) {
    const std::string payload = s.scan().empty() ? s.scan_payload() : Code(s.scan());
    absl::StatusOr<std::string> png = RenderCodeScreenPng(payload, s.scan().empty() ? "" : s.scan());
    // Too long for one QR: fed as a wedge scanner would type it.
    fed = booth.ShowCode(png.ok() ? *png : "", payload, index);
  } else if (s.sign()) {
    fed = booth.Type("/s", index);
  } else if (s.absent()) {
    fed = booth.Type(s.reason().empty() ? "/a" : absl::StrCat("/a ", s.reason()), index);
  } else if (!s.ok().empty()) {
    // The operator overrules the verdict on the screen: it must be there.
    GRADCAP_RETURN_IF_ERROR(WaitVerdictShown(s.booth(), index));
    fed = booth.Type(absl::StrCat("/ok ", s.ok()), index);
  } else {
    absl::StatusOr<std::string> jpeg = ReadWholeFile(s.photo().empty() ? s.retake() : s.photo());
    if (!jpeg.ok()) return absl::InvalidArgumentError(absl::StrCat("step ", index, ": ", jpeg.status().message()));
    fed = booth.Shoot(*jpeg, s.shooting_no(), !s.retake().empty(), index);
  }
  if (absl::IsFailedPrecondition(fed.status())) {
    Refused(index, s.booth(), "booth_down", std::string(fed.status().message()));
    return absl::OkStatus();
  }
  GRADCAP_RETURN_IF_ERROR(fed.status());
  if (fed->waiting) return absl::OkStatus();  // in its folder until the agent starts again
  if (fed->seqs.empty()) {
    // The booth kept it from the coordinator: a payment QR, an absence
    // without a reason — the operator sees why on the spot.
    Refused(index, s.booth(),
            s.absent()          ? "reason_required"
            : !s.ok().empty()   ? "nothing_to_override"
                                : "not_a_collection_code",
            fed->note);
    return absl::OkStatus();
  }
  return WaitDelivered(s.booth(), index);
}

absl::Status Drill::Play(int index, const v1::DrillStep& s) {
  const bool at_booth = !s.scan().empty() || !s.scan_payload().empty() || s.sign() || s.absent() ||
                        !s.photo().empty() || !s.retake().empty() || !s.ok().empty();
  if (at_booth) return PlayAtBooth(index, s);
  if (s.kill().rfind("coordinator", 0) == 0) {
    for (size_t i : Targets(s.kill())) {
      shards_[i]->process.Signal(SIGKILL);
      shards_[i]->process.Wait(5000);
    }
  } else if (s.start().rfind("coordinator", 0) == 0) {
    for (size_t i : Targets(s.start())) {
      if (!shards_[i]->process.running()) GRADCAP_RETURN_IF_ERROR(StartCoordinator(i));
    }
  } else if (s.kill().rfind("booth:", 0) == 0) {
    booths_[s.kill().substr(6)]->Kill();
  } else if (s.start().rfind("booth:", 0) == 0) {
    if (!booths_[s.start().substr(6)]->running()) GRADCAP_RETURN_IF_ERROR(StartBooth(s.start().substr(6)));
  } else if (!s.offline().empty() || !s.online().empty()) {
    const std::string& booth = s.offline().empty() ? s.online() : s.offline();
    absl::StatusOr<DrillInput> typed = booths_[booth]->Type(s.offline().empty() ? "/online" : "/offline", index);
    if (absl::IsFailedPrecondition(typed.status())) {
      Refused(index, booth, "booth_down", std::string(typed.status().message()));
    } else {
      GRADCAP_RETURN_IF_ERROR(typed.status());
      if (!s.online().empty()) GRADCAP_RETURN_IF_ERROR(WaitDelivered(booth, index));
    }
  } else if (s.wait_ms() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(s.wait_ms()));
  } else if (!s.hold().empty()) {
    GRADCAP_RETURN_IF_ERROR(WaitAllDelivered());  // the view shows everything played so far
    HoldForLine(index, s.hold());
  } else if (!s.close().empty()) {
    // The college closes while the day goes on: through the admin socket,
    // or on the database itself while the coordinator is down.
    GRADCAP_RETURN_IF_ERROR(WaitAllDelivered());
    v1::AdminRequest request;
    request.mutable_close()->set_college(s.close());
    request.mutable_close()->set_override_reason(s.override());
    absl::StatusOr<v1::AdminReply> closed = Admin(ShardOfCollege(s.close()), std::move(request));
    if (closed.ok()) {
      LogInfo("drill", "step ", index, ": ", s.close(), " closed", s.override().empty() ? "" : " with an override");
    } else if (absl::IsFailedPrecondition(closed.status()) || absl::IsNotFound(closed.status())) {
      v1::DrillRefusal r;
      r.set_step(index);
      r.set_reason("close_refused");
      r.set_detail(std::string(closed.status().message()));
      step_refusals_.push_back(r);
    } else {
      return absl::UnavailableError(absl::StrCat("step ", index, ": closing ", s.close(), ": ",
                                                 closed.status().message()));
    }
  }
  if (!s.import_payments().empty()) {
    // A ledger arriving mid-day: every booth event so far is in first.
    GRADCAP_RETURN_IF_ERROR(WaitAllDelivered());
    absl::StatusOr<ImportSource> source = ReadImportSource(s.import_payments());
    if (!source.ok()) return absl::InvalidArgumentError(absl::StrCat("step ", index, ": ", source.status().message()));
    // The whole ledger to every shard: each takes its own students'.
    for (size_t i = 0; i < shards_.size(); ++i) {
      v1::AdminRequest request;
      request.mutable_import()->set_kind(v1::ImportRequest::PAYMENTS);
      request.mutable_import()->set_file_name(source->name);
      request.mutable_import()->set_content(source->bytes);
      absl::StatusOr<v1::AdminReply> imported = Admin(i, std::move(request));
      if (!imported.ok()) {
        v1::DrillRefusal r;
        r.set_step(index);
        r.set_reason("import_refused");
        r.set_detail(std::string(imported.status().message()));
        step_refusals_.push_back(r);
      }
    }
  } else if (!s.head_count().empty()) {
    GRADCAP_RETURN_IF_ERROR(WaitAllDelivered());
    v1::AdminRequest request;
    request.mutable_head_count()->set_college(s.head_count());
    absl::StatusOr<v1::AdminReply> counted = Admin(ShardOfCollege(s.head_count()), std::move(request));
    if (!counted.ok()) {
      return absl::UnavailableError(absl::StrCat("step ", index, ": head count: ", counted.status().message()));
    }
    v1::DrillHeadCount* h = head_counts_.add_head_counts();
    h->set_step(index);
    *h->mutable_head_count() = counted->head_count();
  }
  if (s.kill() == "validator") {
    // The first running validator dies; its job (if any) goes to another.
    for (auto& v : validators_) {
      if (v && v->running()) {
        v->Signal(SIGKILL);
        v->Wait(5000);
        break;
      }
    }
  } else if (s.start() == "validator") {
    for (size_t i = 0; i < validators_.size(); ++i) {
      if (!validators_[i] || !validators_[i]->running()) {
        GRADCAP_RETURN_IF_ERROR(StartValidator(i));
        break;
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::AdminReply> Drill::Ask(size_t i, v1::AdminRequest request) {
  return shards_[i]->admin->Call(std::move(request));
}

absl::StatusOr<v1::AdminReply> Drill::Admin(size_t i, v1::AdminRequest request) {
  if (shards_[i]->process.running()) return Ask(i, std::move(request));
  GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<AdminTarget> local, OpenLocalAdmin(shards_[i]->db, "drill"));
  return local->Call(std::move(request));
}

absl::Status Drill::WaitDelivered(const std::string& booth, int index) {
  DrillBooth& b = *booths_[booth];
  const size_t shard = ShardOfBooth(booth);
  if (!shards_[shard]->process.running() || b.offline() || !b.running() || b.last_seq() == 0) return absl::OkStatus();
  v1::AdminRequest request;
  request.mutable_wait()->set_booth(booth);
  request.mutable_wait()->set_seq(b.last_seq());
  request.mutable_wait()->set_timeout_ms(options_.step_timeout_ms);
  absl::StatusOr<v1::AdminReply> reply = Ask(shard, std::move(request));
  if (!reply.ok()) {
    return absl::UnavailableError(absl::StrCat("step ", index, ": asking the coordinator about booth ", booth, ": ",
                                               reply.status().message(), "; see ", work_));
  }
  if (reply->wait().reached()) return absl::OkStatus();
  return absl::DeadlineExceededError(absl::StrCat("step ", index, ": booth ", booth, " delivered ",
                                                  reply->wait().committed_seq(), " of ", b.last_seq(),
                                                  " events within ", options_.step_timeout_ms, " ms; see ", work_));
}

absl::Status Drill::WaitVerdictShown(const std::string& booth, int index) {
  const size_t shard = ShardOfBooth(booth);
  if (!shards_[shard]->process.running() || RunningValidators() == 0) return absl::OkStatus();
  GRADCAP_RETURN_IF_ERROR(WaitDelivered(booth, index));
  v1::AdminRequest wait;
  wait.mutable_wait()->set_verdicts(true);
  wait.mutable_wait()->set_timeout_ms(std::min<uint32_t>(options_.verdict_timeout_ms, kMaxAdminWaitMs));
  GRADCAP_RETURN_IF_ERROR(Ask(shard, std::move(wait)).status());
  v1::AdminRequest shown;
  shown.mutable_booth()->set_booth(booth);
  GRADCAP_ASSIGN_OR_RETURN(v1::AdminReply reply, Ask(shard, std::move(shown)));
  if (!reply.booth().state().has_last_verdict() || booths_[booth]->offline() || !booths_[booth]->running()) {
    return absl::OkStatus();
  }
  return booths_[booth]->AwaitVerdict(reply.booth().state().last_verdict().log_seq());
}

absl::StatusOr<v1::DrillLive> Drill::SnapshotLive(size_t i) {
  std::vector<std::string> students;
  {
    GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<EventLog> log, EventLog::OpenReadOnly(shards_[i]->db));
    Registry registry(&log->store());
    GRADCAP_RETURN_IF_ERROR(registry.Load());
    GRADCAP_ASSIGN_OR_RETURN(std::vector<std::string> colleges, registry.Colleges());
    for (const std::string& college : colleges) {
      GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::Student> of_college, registry.StudentsOf(college));
      for (const v1::Student& s : of_college) students.push_back(s.student_no());
    }
  }
  std::sort(students.begin(), students.end());
  for (int attempt = 0; attempt < 5; ++attempt) {
    v1::DrillLive live;
    v1::AdminRequest status;
    status.mutable_status();
    GRADCAP_ASSIGN_OR_RETURN(v1::AdminReply before, Ask(i, status));
    for (const std::string& booth : file_.booths()) {
      if (ShardOfBooth(booth) != i) continue;
      v1::AdminRequest request;
      request.mutable_booth()->set_booth(booth);
      GRADCAP_ASSIGN_OR_RETURN(v1::AdminReply reply, Ask(i, std::move(request)));
      *live.add_booths() = reply.booth();
    }
    for (const std::string& no : students) {
      v1::AdminRequest request;
      request.mutable_student()->set_student_no(no);
      GRADCAP_ASSIGN_OR_RETURN(v1::AdminReply reply, Ask(i, std::move(request)));
      *live.add_students() = reply.student();
    }
    GRADCAP_ASSIGN_OR_RETURN(v1::AdminReply after, Ask(i, status));
    if (after.status().log_head() == before.status().log_head()) {
      *live.mutable_status() = after.status();
      return live;
    }
  }
  return absl::UnavailableError("the log kept moving while the drill asked the coordinator for its state");
}

absl::Status Drill::WaitAllDelivered() {
  for (const auto& [booth, b] : booths_) GRADCAP_RETURN_IF_ERROR(WaitDelivered(booth, -1));
  return absl::OkStatus();
}

absl::StatusOr<v1::DrillReport> Drill::Run() {
  if (absl::Status prepared = Prepare(); !prepared.ok()) {
    std::error_code ec;
    if (!work_.empty()) fs::remove_all(work_, ec);  // nothing ran: nothing to look at
    return prepared;
  }
  for (size_t i = 0; i < shards_.size(); ++i) {
    GRADCAP_RETURN_IF_ERROR(StartCoordinator(i));
    if (!shards_[i]->live_endpoint.empty()) {
      LogInfo("drill", "coordinator", sharded() ? absl::StrCat(" of shard ", i) : "", " admin socket at ",
              shards_[i]->admin_endpoint, ", live feed at ", shards_[i]->live_endpoint);
    }
  }
  if (sharded()) LogInfo("drill", shards_.size(), " shards, map ", shard_map_);
  if (!options_.live_listen.empty()) {
    const std::string self = SelfDir();
    GRADCAP_RETURN_IF_ERROR(supervisor_.Start(
        FindBinary(options_.supervisor_bin, {self + "/supervisor", self + "/../supervisor/supervisor"}),
        options_.live_listen, options_.users_file, live_endpoints_, work_));
  }
  for (size_t i = 0; i < validators_.size(); ++i) GRADCAP_RETURN_IF_ERROR(StartValidator(i));
  for (const std::string& b : file_.booths()) GRADCAP_RETURN_IF_ERROR(StartBooth(b));
  for (int i = 0; i < file_.steps_size(); ++i) {
    GRADCAP_RETURN_IF_ERROR(Play(i, file_.steps(i)));
    if (!live_endpoints_.empty()) LogInfo("drill", "step ", i, " played");
  }
  // What can still be delivered is delivered, and checked while a validator
  // runs; then everyone stops.
  GRADCAP_RETURN_IF_ERROR(WaitAllDelivered());
  for (size_t i = 0; i < shards_.size(); ++i) {
    if (!shards_[i]->process.running()) continue;
    if (RunningValidators() > 0) {
      v1::AdminRequest request;
      request.mutable_wait()->set_verdicts(true);
      request.mutable_wait()->set_timeout_ms(std::min<uint32_t>(options_.verdict_timeout_ms, kMaxAdminWaitMs));
      absl::StatusOr<v1::AdminReply> reply = Ask(i, std::move(request));
      LogInfo("drill", "photos without a verdict at the end", sharded() ? absl::StrCat(" (shard ", i, ")") : "", ": ",
              reply.ok() ? absl::StrCat(reply->wait().photos_awaiting_verdict()) : reply.status().ToString(), " (",
              RunningValidators(), " validators running)");
    }
    absl::StatusOr<v1::DrillLive> live = SnapshotLive(i);
    if (!live.ok()) {
      LogWarning("drill", "asking the coordinator for its state at the end: ", live.status().ToString());
      continue;
    }
    // Shard 0's status; every shard's booths and students.
    if (!live_.has_status()) *live_.mutable_status() = live->status();
    for (v1::BoothReport& b : *live->mutable_booths()) *live_.add_booths() = std::move(b);
    for (v1::StudentReport& st : *live->mutable_students()) *live_.add_students() = std::move(st);
  }
  for (auto& v : validators_) {
    if (v && v->running()) {
      v->Signal(SIGTERM);
      v->Wait(5000);
    }
  }
  std::map<std::pair<std::string, uint64_t>, int> step_of;
  for (auto& [booth, b] : booths_) {
    b->Stop();
    for (const auto& [seq, step] : b->steps()) step_of[{booth, seq}] = step;
  }
  supervisor_.Stop();
  for (auto& c : shards_) {
    c->process.Signal(SIGTERM);
    c->process.Wait(10000);
  }
  v1::DrillReport report;
  uint32_t starts = 0;
  for (size_t i = 0; i < shards_.size(); ++i) {
    GRADCAP_ASSIGN_OR_RETURN(v1::DrillReport one, BuildDrillReport(shards_[i]->db, file_, step_of));
    starts += shards_[i]->starts;
    if (i == 0) {
      report = std::move(one);
      continue;
    }
    MergeShardReport(std::move(one), &report);
  }
  for (const v1::DrillRefusal& r : step_refusals_) *report.add_refusals() = r;
  std::stable_sort(report.mutable_refusals()->begin(), report.mutable_refusals()->end(),
                   [](const v1::DrillRefusal& a, const v1::DrillRefusal& b) { return a.step() < b.step(); });
  report.set_db(options_.db_dir.empty() ? "" : db_);
  *report.mutable_head_counts() = head_counts_.head_counts();
  report.set_coordinator_starts(starts);
  if (live_.has_status()) *report.mutable_live() = live_;
  // Process logs and folders go; the database stays only where --db put it.
  // (A drill that could not run keeps everything, and its error says where.)
  // GRADCAP_DRILL_KEEP=1 keeps them for a look (the report says where).
  if (std::getenv("GRADCAP_DRILL_KEEP") == nullptr) {
    std::error_code ec;
    fs::remove_all(work_, ec);
  } else {
    LogInfo("drill", "process logs and folders kept in ", work_);
  }
  return report;
}

}  // namespace

absl::StatusOr<v1::DrillReport> RunDrill(const DrillOptions& options) {
  GRADCAP_ASSIGN_OR_RETURN(v1::DrillFile file, LoadDrill(options.file));
  Drill drill(options, std::move(file));
  return drill.Run();
}

}  // namespace gradcap
