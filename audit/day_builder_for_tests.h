// Test helper: a capture day written into a real coordinator database, in
// process, exactly as the coordinator writes it — each booth event decided
// by CaptureDay::Decide on the injected clock, staged with its photo bytes,
// applied and committed; verdicts staged with the alerts the rules decide;
// closes, checkpoints and imports through the AdminService. The live
// CaptureDay is kept, so tests compare the audit tools with the live state.
#pragma once

#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "common/collection_code.h"
#include "common/event_log.h"
#include "common/sha256.h"
#include "coordinator/admin_service.h"
#include "coordinator/capture_day.h"
#include "registry/registry.h"
#include "registry/registry_import.h"

namespace gradcap::testing {

inline constexpr int64_t kSampleDayNine = 1726880400000;  // 2024-09-21T09:00+08:00

class DayBuilder {
 public:
  // A new database in `db` with the sample roster, payments and schedule of
  // `sample_dir` (deploy/sample) and keys made; the clock at 09:00.
  DayBuilder(const std::string& db, const std::string& sample_dir) : clock_(kSampleDayNine) {
    log_ = EventLog::Open(db, &clock_).value();
    for (const char* f : {"roster.csv", "payments.csv", "schedule.csv"})
      Check(Import(sample_dir + "/" + f, f));
    Check(InitCodeKeys(*log_, clock_.NowMs()).status());
    registry_ = std::make_unique<Registry>(&log_->store());
    Check(registry_->Load());
    day_ = std::make_unique<CaptureDay>(registry_.get());
    Check(ReplayLog(*log_, day_.get()));
    service_ = std::make_unique<AdminService>(log_.get(), day_.get(), registry_.get(), &clock_);
  }

  struct Played {
    uint64_t log_seq = 0;
    v1::AppliedEvent applied;
  };

  Played Scan(const std::string& booth, const std::string& student) {
    v1::CodeBody body;
    body.set_student_no(student);
    body.set_expires_at_ms(clock_.NowMs() + 86'400'000);
    return ScanPayload(booth, SealCode(body, *registry_->CodeKey("k1")));
  }
  Played ScanPayload(const std::string& booth, const std::string& payload) {
    v1::BoothEvent e;
    e.mutable_scan()->set_payload(payload);
    return Play(booth, std::move(e));
  }
  Played Sign(const std::string& booth, uint32_t named = 0) {
    v1::BoothEvent e;
    e.mutable_sign()->set_shooting_no(named);
    return Play(booth, std::move(e));
  }
  Played Photo(const std::string& booth, const std::string& jpeg, uint32_t named = 0) {
    v1::BoothEvent e;
    FillPhoto(e.mutable_photo(), jpeg, named);
    return Play(booth, std::move(e));
  }
  Played Retake(const std::string& booth, const std::string& jpeg) {
    v1::BoothEvent e;
    FillPhoto(e.mutable_retake(), jpeg, 0);
    return Play(booth, std::move(e));
  }
  Played Absent(const std::string& booth, const std::string& reason) {
    v1::BoothEvent e;
    e.mutable_absent()->set_reason(reason);
    return Play(booth, std::move(e));
  }

  // The verdict of the accepted photo at `photo_log_seq`; `failed` reject-severity checks fail.
  uint64_t Verdict(uint64_t photo_log_seq, v1::Verdict verdict, const std::vector<std::string>& failed = {}) {
    const PendingPhoto* p = day_->AwaitingVerdict(photo_log_seq);
    if (p == nullptr) {
      ADD_FAILURE() << "record " << photo_log_seq << " holds no photo awaiting a verdict";
      return 0;
    }
    v1::ValidationRecord v;
    v1::ValidationResult* r = v.mutable_result();
    r->set_photo_sha256(p->sha256);
    r->set_rule_set("test");
    r->set_verdict(verdict);
    r->set_worker("validator-1");
    for (const std::string& id : failed) {
      v1::CheckResult* c = r->add_checks();
      c->set_id(id);
      c->set_status(v1::CHECK_FAIL);
      c->set_severity(v1::SEVERITY_REJECT);
      c->set_reason_en(id + " failed");
    }
    v.set_photo_log_seq(p->log_seq);
    v.set_booth(p->booth);
    v.set_shooting_no(p->shooting_no);
    v.set_student_no(p->student_no);
    day_->DecideVerdictAlerts(&v);
    v1::LogRecord staged;
    const uint64_t log_seq = log_->StageValidation(v, &staged);
    day_->Apply(staged);
    Check(log_->Commit());
    return log_seq;
  }

  // An admin request carried out as the coordinator would (close, checkpoint, …).
  v1::AdminReply Admin(v1::AdminRequest request, const std::string& actor = "wang") {
    AdminContext context;
    context.commit = [this] { return log_->Commit(); };
    context.last_heard_ago_ms = [](const std::string&) -> int64_t { return -1; };
    v1::AdminReply reply;
    Check(service_->Handle(request, actor, context, &reply));
    return reply;
  }
  v1::AdminReply Close(const std::string& college, const std::string& override_reason = "") {
    v1::AdminRequest request;
    request.mutable_close()->set_college(college);
    request.mutable_close()->set_override_reason(override_reason);
    return Admin(std::move(request));
  }

  void Advance(int64_t ms) { clock_.Advance(ms); }
  // Closes the database (the audit tools then open it read-only).
  void Stop() {
    service_.reset();
    day_.reset();
    registry_.reset();
    log_.reset();
  }

  EventLog& log() { return *log_; }
  CaptureDay& day() { return *day_; }
  Registry& registry() { return *registry_; }
  ManualClock& clock() { return clock_; }

 private:
  static void Check(const absl::Status& s) { ASSERT_TRUE(s.ok()) << s; }
  absl::Status Import(const std::string& path, const std::string& which) {
    if (which == std::string("roster.csv")) return ImportRoster(*log_, path).status();
    if (which == std::string("payments.csv")) return ImportPayments(*log_, path, std::nullopt).status();
    return ImportSchedule(*log_, path, "Asia/Shanghai").status();
  }
  static void FillPhoto(v1::Photo* p, const std::string& jpeg, uint32_t named) {
    p->set_jpeg(jpeg);
    p->set_sha256(DigestBytes(Sha256(jpeg)));
    p->set_shooting_no(named);
    p->set_file_name("capture.jpg");
  }
  Played Play(const std::string& booth, v1::BoothEvent e) {
    e.mutable_id()->set_booth(booth);
    e.mutable_id()->set_epoch(1);
    e.mutable_id()->set_seq(++seqs_[booth]);
    e.set_booth_time_ms(clock_.NowMs());
    v1::Outcome outcome;
    v1::Binding binding;
    day_->Decide(e, clock_.NowMs(), &outcome, &binding);
    v1::LogRecord staged;
    Played played;
    played.log_seq = log_->StageApplied(e, outcome, binding, clock_.NowMs(), &staged);
    day_->Apply(staged);
    Check(log_->Commit());
    played.applied = staged.applied();
    clock_.Advance(1000);
    return played;
  }

  ManualClock clock_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<CaptureDay> day_;
  std::unique_ptr<AdminService> service_;
  std::map<std::string, uint64_t> seqs_;
};

}  // namespace gradcap::testing
