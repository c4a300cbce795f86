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
#include "absl/time/time.h"
#include "common/big_endian.h"
#include "common/clock.h"
#include "common/collection_code.h"
#include "common/file_util.h"
#include "common/qr_code.h"
#include "common/status_macros.h"
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

class Drill {
 public:
  Drill(const DrillOptions& o, v1::DrillFile file) : options_(o), file_(std::move(file)) {}

  absl::StatusOr<v1::DrillReport> Run();

 private:
  absl::Status Prepare();
  absl::Status StartCoordinator();
  absl::Status StartBooth(const std::string& booth);
  // Plays a step at a booth: the input, then (when it can be) its delivery.
  absl::Status PlayAtBooth(int index, const v1::DrillStep& step);
  void Refused(int index, const std::string& booth, const std::string& reason, const std::string& detail);
  absl::Status StartValidator(size_t index);
  int RunningValidators() const;
  absl::Status Play(int index, const v1::DrillStep& step);
  absl::Status WaitDelivered(const std::string& booth, int index);
  // What the running coordinator answers about every booth and student now,
  // at one log head (asked again while the head moves).
  absl::StatusOr<v1::DrillLive> SnapshotLive();
  absl::Status WaitAllDelivered();
  // Every photo so far has its verdict and `booth` has been shown its last.
  absl::Status WaitVerdictShown(const std::string& booth, int index);
  // Asks the running coordinator's admin socket.
  absl::StatusOr<v1::AdminReply> Ask(v1::AdminRequest request);
  // Carries out an admin request: on the running coordinator, or on the
  // database itself while the coordinator is down.
  absl::StatusOr<v1::AdminReply> Admin(v1::AdminRequest request);
  std::string Code(const std::string& student_no);
  int64_t DrillNowMs() const { return start_clock_ms_ + (SystemClock::Get()->MonotonicMs() - started_mono_ms_); }

  DrillOptions options_;
  v1::DrillFile file_;
  std::string work_, db_, endpoint_, validator_endpoint_, admin_endpoint_, live_endpoint_, coordinator_bin_,
      booth_bin_, validator_bin_;
  DrillSupervisor supervisor_;
  std::unique_ptr<AdminTarget> admin_;
  ChildProcess coordinator_;
  std::vector<std::unique_ptr<ChildProcess>> validators_;
  std::map<std::string, std::unique_ptr<DrillBooth>> booths_;
  std::vector<v1::DrillRefusal> step_refusals_;
  v1::DrillReport head_counts_;  // head_counts only
  v1::DrillLive live_;
  uint32_t coordinator_starts_ = 0;
  v1::CodeKey key_;
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
  {
    GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<EventLog> log, EventLog::Open(db_, SystemClock::Get()));
    GRADCAP_RETURN_IF_ERROR(ImportRoster(*log, file_.roster()).status());
    GRADCAP_RETURN_IF_ERROR(ImportPayments(*log, file_.payments(), std::nullopt).status());
    GRADCAP_RETURN_IF_ERROR(ImportSchedule(*log, file_.schedule(), "Asia/Shanghai").status());
    if (!file_.codes().empty()) GRADCAP_RETURN_IF_ERROR(ImportExternalCodes(*log, file_.codes()).status());
    GRADCAP_RETURN_IF_ERROR(InitCodeKeys(*log, SystemClock::Get()->NowMs()).status());
    Registry registry(&log->store());
    GRADCAP_RETURN_IF_ERROR(registry.Load());
    key_ = *registry.CodeKey("k1");
    // Steps that name students or colleges must name real ones.
    for (int i = 0; i < file_.steps_size(); ++i) {
      const v1::DrillStep& s = file_.steps(i);
      if (!s.scan().empty() && !registry.FindStudent(s.scan())) {
        return absl::InvalidArgumentError(absl::StrCat("step ", i, ": student ", s.scan(), " is not in the roster"));
      }
      for (const std::string* college : {&s.close(), &s.head_count()}) {
        if (college->empty()) continue;
        GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::Student> of_college, registry.StudentsOf(*college));
        if (of_college.empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat("step ", i, ": no student of college \"", *college, "\" in the roster"));
        }
      }
    }
    int64_t earliest = 0;
    auto cursor = log->store().NewCursor(kScheduleColumn);
    for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
      v1::ScheduleSlot slot;
      if (slot.ParseFromArray(cursor->value().data(), static_cast<int>(cursor->value().size())) &&
          (earliest == 0 || slot.start_ms() < earliest)) {
        earliest = slot.start_ms();
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
  }
  endpoint_ = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
  validator_endpoint_ = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
  admin_endpoint_ = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
  live_endpoint_ = options_.live_feed;
  if (live_endpoint_.empty() && !options_.live_listen.empty()) {
    live_endpoint_ = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
  }
  if (!options_.live_listen.empty() && options_.users_file.empty()) {
    return absl::InvalidArgumentError("--live needs --users FILE (gradcap users add)");
  }
  RemoteOptions remote;
  remote.endpoint = admin_endpoint_;
  remote.actor = "drill";
  GRADCAP_ASSIGN_OR_RETURN(admin_, ConnectAdmin(remote));
  started_mono_ms_ = SystemClock::Get()->MonotonicMs();
  return absl::OkStatus();
}

absl::Status Drill::StartCoordinator() {
  const std::string ready = work_ + "/coordinator.ready";
  fs::remove(ready);
  const std::string clock = absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", absl::FromUnixMillis(DrillNowMs()),
                                             absl::FixedTimeZone(8 * 3600));
  std::vector<std::string> args = {coordinator_bin_, "--db",  db_,   "--listen",          endpoint_,
                                   "--admin",        admin_endpoint_, "--ready_file", ready, "--clock_start",
                                   clock,            "--stats_interval_ms", "0"};
  if (!validators_.empty()) {
    args.push_back("--validators");
    args.push_back(validator_endpoint_);
  }
  if (!live_endpoint_.empty()) {
    args.push_back("--live");
    args.push_back(live_endpoint_);
  }
  if (!coordinator_.Start(args, work_ + "/coordinator.log")) {
    return absl::UnavailableError("cannot start the coordinator");
  }
  ++coordinator_starts_;
  for (int i = 0; i < 400; ++i) {
    if (fs::exists(ready)) return absl::OkStatus();
    if (!coordinator_.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return absl::UnavailableError(absl::StrCat("the coordinator did not start; see ", work_, "/coordinator.log"));
}

absl::Status Drill::StartBooth(const std::string& booth) {
  std::unique_ptr<DrillBooth>& b = booths_[booth];
  if (!b) {
    DrillBoothOptions o;
    o.booth = booth;
    o.work_dir = work_;
    o.booth_bin = booth_bin_;
    o.endpoint = endpoint_;
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
  if (!process->Start({validator_bin_, "--coordinator", validator_endpoint_, "--store", work_ + "/" + name, "--name",
                       name},
                      work_ + "/" + name + ".log")) {
    return absl::UnavailableError(absl::StrCat("cannot start ", name));
  }
  return absl::OkStatus();
}

int Drill::RunningValidators() const {
  int n = 0;
  for (const auto& v : validators_) n += v && v->running();
  return n;
}

std::string Drill::Code(const std::string& student_no) {
  v1::CodeBody body;
  body.set_student_no(student_no);
  body.set_issued_at_ms(start_clock_ms_ - 86'400'000);
  body.set_expires_at_ms(start_clock_ms_ + 30 * 86'400'000LL);
  return SealCode(body, key_);
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
  if (s.kill() == "coordinator") {
    coordinator_.Signal(SIGKILL);
    coordinator_.Wait(5000);
  } else if (s.start() == "coordinator") {
    if (!coordinator_.running()) GRADCAP_RETURN_IF_ERROR(StartCoordinator());
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
    absl::StatusOr<v1::AdminReply> closed = Admin(std::move(request));
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
    v1::AdminRequest request;
    request.mutable_import()->set_kind(v1::ImportRequest::PAYMENTS);
    request.mutable_import()->set_file_name(source->name);
    request.mutable_import()->set_content(source->bytes);
    absl::StatusOr<v1::AdminReply> imported = Admin(std::move(request));
    if (!imported.ok()) {
      v1::DrillRefusal r;
      r.set_step(index);
      r.set_reason("import_refused");
      r.set_detail(std::string(imported.status().message()));
      step_refusals_.push_back(r);
    }
  } else if (!s.head_count().empty()) {
    GRADCAP_RETURN_IF_ERROR(WaitAllDelivered());
    v1::AdminRequest request;
    request.mutable_head_count()->set_college(s.head_count());
    absl::StatusOr<v1::AdminReply> counted = Admin(std::move(request));
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

absl::StatusOr<v1::AdminReply> Drill::Ask(v1::AdminRequest request) { return admin_->Call(std::move(request)); }

absl::StatusOr<v1::AdminReply> Drill::Admin(v1::AdminRequest request) {
  if (coordinator_.running()) return Ask(std::move(request));
  GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<AdminTarget> local, OpenLocalAdmin(db_, "drill"));
  return local->Call(std::move(request));
}

absl::Status Drill::WaitDelivered(const std::string& booth, int index) {
  DrillBooth& b = *booths_[booth];
  if (!coordinator_.running() || b.offline() || !b.running() || b.last_seq() == 0) return absl::OkStatus();
  v1::AdminRequest request;
  request.mutable_wait()->set_booth(booth);
  request.mutable_wait()->set_seq(b.last_seq());
  request.mutable_wait()->set_timeout_ms(options_.step_timeout_ms);
  absl::StatusOr<v1::AdminReply> reply = Ask(std::move(request));
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
  if (!coordinator_.running() || RunningValidators() == 0) return absl::OkStatus();
  GRADCAP_RETURN_IF_ERROR(WaitDelivered(booth, index));
  v1::AdminRequest wait;
  wait.mutable_wait()->set_verdicts(true);
  wait.mutable_wait()->set_timeout_ms(std::min<uint32_t>(options_.verdict_timeout_ms, kMaxAdminWaitMs));
  GRADCAP_RETURN_IF_ERROR(Ask(std::move(wait)).status());
  v1::AdminRequest shown;
  shown.mutable_booth()->set_booth(booth);
  GRADCAP_ASSIGN_OR_RETURN(v1::AdminReply reply, Ask(std::move(shown)));
  if (!reply.booth().state().has_last_verdict() || booths_[booth]->offline() || !booths_[booth]->running()) {
    return absl::OkStatus();
  }
  return booths_[booth]->AwaitVerdict(reply.booth().state().last_verdict().log_seq());
}

absl::StatusOr<v1::DrillLive> Drill::SnapshotLive() {
  std::vector<std::string> students;
  {
    GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<EventLog> log, EventLog::OpenReadOnly(db_));
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
    GRADCAP_ASSIGN_OR_RETURN(v1::AdminReply before, Ask(status));
    for (const std::string& booth : file_.booths()) {
      v1::AdminRequest request;
      request.mutable_booth()->set_booth(booth);
      GRADCAP_ASSIGN_OR_RETURN(v1::AdminReply reply, Ask(std::move(request)));
      *live.add_booths() = reply.booth();
    }
    for (const std::string& no : students) {
      v1::AdminRequest request;
      request.mutable_student()->set_student_no(no);
      GRADCAP_ASSIGN_OR_RETURN(v1::AdminReply reply, Ask(std::move(request)));
      *live.add_students() = reply.student();
    }
    GRADCAP_ASSIGN_OR_RETURN(v1::AdminReply after, Ask(status));
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
  GRADCAP_RETURN_IF_ERROR(StartCoordinator());
  if (!live_endpoint_.empty()) {
    LogInfo("drill", "coordinator admin socket at ", admin_endpoint_, ", live feed at ", live_endpoint_);
  }
  if (!options_.live_listen.empty()) {
    const std::string self = SelfDir();
    GRADCAP_RETURN_IF_ERROR(supervisor_.Start(
        FindBinary(options_.supervisor_bin, {self + "/supervisor", self + "/../supervisor/supervisor"}),
        options_.live_listen, options_.users_file, live_endpoint_, work_));
  }
  for (size_t i = 0; i < validators_.size(); ++i) GRADCAP_RETURN_IF_ERROR(StartValidator(i));
  for (const std::string& b : file_.booths()) GRADCAP_RETURN_IF_ERROR(StartBooth(b));
  for (int i = 0; i < file_.steps_size(); ++i) {
    GRADCAP_RETURN_IF_ERROR(Play(i, file_.steps(i)));
    if (!live_endpoint_.empty()) LogInfo("drill", "step ", i, " played");
  }
  // What can still be delivered is delivered, and checked while a validator
  // runs; then everyone stops.
  if (coordinator_.running()) {
    GRADCAP_RETURN_IF_ERROR(WaitAllDelivered());
    if (RunningValidators() > 0) {
      v1::AdminRequest request;
      request.mutable_wait()->set_verdicts(true);
      request.mutable_wait()->set_timeout_ms(std::min<uint32_t>(options_.verdict_timeout_ms, kMaxAdminWaitMs));
      absl::StatusOr<v1::AdminReply> reply = Ask(std::move(request));
      LogInfo("drill", "photos without a verdict at the end: ",
              reply.ok() ? absl::StrCat(reply->wait().photos_awaiting_verdict()) : reply.status().ToString(), " (",
              RunningValidators(), " validators running)");
    }
    absl::StatusOr<v1::DrillLive> live = SnapshotLive();
    if (live.ok()) {
      live_ = *std::move(live);
    } else {
      LogWarning("drill", "asking the coordinator for its state at the end: ", live.status().ToString());
    }
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
  coordinator_.Signal(SIGTERM);
  coordinator_.Wait(10000);
  GRADCAP_ASSIGN_OR_RETURN(v1::DrillReport report, BuildDrillReport(db_, file_, step_of));
  for (const v1::DrillRefusal& r : step_refusals_) *report.add_refusals() = r;
  std::stable_sort(report.mutable_refusals()->begin(), report.mutable_refusals()->end(),
                   [](const v1::DrillRefusal& a, const v1::DrillRefusal& b) { return a.step() < b.step(); });
  report.set_db(options_.db_dir.empty() ? "" : db_);
  *report.mutable_head_counts() = head_counts_.head_counts();
  report.set_coordinator_starts(coordinator_starts_);
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
