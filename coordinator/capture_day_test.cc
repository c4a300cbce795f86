// The capture-day decisions one rule at a time, in process, against a real
// registry in a temp RocksDB: each refusal with its reason code, each alert,
// and that replaying the records rebuilds the same state.
#include "coordinator/capture_day.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "common/collection_code.h"
#include "common/face_distance.h"
#include "common/sha256.h"
#include "common/temp_dir.h"
#include "coordinator/reconciliation.h"
#include "registry/registry_import.h"

namespace gradcap {
namespace {

constexpr int64_t kNine = 1726880400000;  // 2024-09-21T09:00+08:00; the schedule runs 08:00-12:00

class CaptureDayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    auto log = EventLog::Open(dir_.Sub("db"), &clock_);
    ASSERT_TRUE(log.ok());
    log_ = std::move(*log);
    Write("roster.csv",
          "student_no,name,id_no,college,class,level,cohort\n"
          "A1,张小三,P1,Arts,c,本科,2021\nA2,李四,P2,Arts,c,本科,2021\nA3,王五,P3,Arts,c,本科,2021\n"
          "A4,赵六,P4,Arts,c,本科,2021\nA5,钱七,P5,Arts,c,本科,2021\nA6,孙八,P6,Arts,c,本科,2021\n"
          "S1,周九,P7,Science,c,本科,2021\nU1,吴十,P8,Arts,c,本科,2021\n");
    Write("pay.csv", "student_no,amount,paid_at,txn_id\nA1,15,x,T1\nA2,15,x,T2\nA3,15,x,T3\nA4,15,x,T4\n"
                     "A5,15,x,T5\nA6,15,x,T6\nS1,15,x,T7\nU1,5,x,T8\n");
    Write("sched.csv", "college,booth,start,end,sign\nArts,B1,2024-09-21T08:00,2024-09-21T12:00,no\n"
                       "Science,B2,2024-09-21T08:00,2024-09-21T12:00,yes\n"
                       "Science,B1,2024-09-21T13:00,2024-09-21T14:00,no\n");
    ASSERT_TRUE(ImportRoster(*log_, dir_.Sub("roster.csv")).ok());
    ASSERT_TRUE(ImportPayments(*log_, dir_.Sub("pay.csv"), std::nullopt).ok());
    ASSERT_TRUE(ImportSchedule(*log_, dir_.Sub("sched.csv"), "Asia/Shanghai").ok());
    ASSERT_TRUE(InitCodeKeys(*log_, kNine).ok());
    registry_ = std::make_unique<Registry>(&log_->store());
    ASSERT_TRUE(registry_->Load().ok());
    day_ = std::make_unique<CaptureDay>(registry_.get());
  }

  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_.Sub(name)) << text; }

  std::string Code(const std::string& student, int64_t expires = kNine + 86'400'000) {
    v1::CodeBody body;
    body.set_student_no(student);
    body.set_expires_at_ms(expires);
    return SealCode(body, *registry_->CodeKey("k1"));
  }

  // Decides and applies one event at `booth`, as the coordinator does.
  // Applies a verdict on A1's photo awaiting one at B1 (number 1) with one
  // failed check of `severity`.
  void VerdictOnTheFirstPhoto(v1::Verdict verdict, const std::string& check, v1::Severity severity) {
    PendingPhoto p = day_->PhotosAwaitingVerdict()[0];
    v1::LogRecord r;
    r.set_log_seq(++log_seq_);
    v1::ValidationRecord* v = r.mutable_validation();
    v->mutable_result()->set_photo_sha256(p.sha256);
    v->mutable_result()->set_verdict(verdict);
    v1::CheckResult* c = v->mutable_result()->add_checks();
    c->set_id(check);
    c->set_status(v1::CHECK_FAIL);
    c->set_severity(severity);
    v->set_photo_log_seq(p.log_seq);
    v->set_booth("B1");
    v->set_shooting_no(1);
    v->set_student_no("A1");
    day_->Apply(r);
  }
  v1::AppliedEvent Play(const std::string& booth, v1::BoothEvent e, int64_t at = kNine) {
    e.mutable_id()->set_booth(booth);
    e.mutable_id()->set_epoch(1);
    e.mutable_id()->set_seq(++seqs_[booth]);
    v1::LogRecord r;
    r.set_log_seq(++log_seq_);
    r.set_recorded_at_ms(at);
    v1::AppliedEvent* a = r.mutable_applied();
    day_->Decide(e, at, a->mutable_outcome(), a->mutable_binding());
    *a->mutable_event() = e;
    a->set_decided_at_ms(at);
    day_->Apply(r);
    records_.push_back(r);
    return *a;
  }
  v1::AppliedEvent Scan(const std::string& booth, const std::string& payload, int64_t at = kNine) {
    v1::BoothEvent e;
    e.mutable_scan()->set_payload(payload);
    return Play(booth, e, at);
  }
  v1::AppliedEvent Photo(const std::string& booth, uint32_t named = 0, char tag = 'p') {
    v1::BoothEvent e;
    e.mutable_photo()->set_shooting_no(named);
    e.mutable_photo()->set_sha256(std::string(32, tag));
    return Play(booth, e);
  }
  v1::AppliedEvent Retake(const std::string& booth, char tag = 'r') {
    v1::BoothEvent e;
    e.mutable_retake()->set_sha256(std::string(32, tag));
    return Play(booth, e);
  }
  v1::AppliedEvent Sign(const std::string& booth) {
    v1::BoothEvent e;
    e.mutable_sign();
    return Play(booth, e);
  }
  v1::AppliedEvent Absent(const std::string& booth, const std::string& reason) {
    v1::BoothEvent e;
    e.mutable_absent()->set_reason(reason);
    return Play(booth, e);
  }
  // `face`: the descriptor the validator found (none: no face compared).
  void Verdict(const PendingPhoto& p, v1::Verdict verdict, const std::string& face = "") {
    v1::LogRecord r;
    r.set_log_seq(++log_seq_);
    v1::ValidationRecord* v = r.mutable_validation();
    v->mutable_result()->set_photo_sha256(p.sha256);
    v->mutable_result()->set_verdict(verdict);
    if (!face.empty()) {
      v->mutable_result()->set_face_model(kFaceModelName);
      v->mutable_result()->set_face_descriptor(face);
    }
    v->set_photo_log_seq(p.log_seq);
    v->set_booth(p.booth);
    v->set_shooting_no(p.shooting_no);
    v->set_student_no(p.student_no);
    day_->DecideVerdictAlerts(v);
    day_->Apply(r);
    records_.push_back(r);
  }

  TempDir dir_;
  ManualClock clock_{kNine};
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<CaptureDay> day_;
  std::map<std::string, uint64_t> seqs_;
  uint64_t log_seq_ = 100;
  std::vector<v1::LogRecord> records_;
};

TEST_F(CaptureDayTest, AGoodScanGetsTheNextShootingNumberAndAMaskedName) {
  v1::AppliedEvent a = Scan("B1", Code("A1"));
  EXPECT_TRUE(a.outcome().accepted());
  EXPECT_EQ(a.outcome().shooting_no(), 1u);
  EXPECT_NE(a.outcome().masked_name().find('*'), std::string::npos);
  EXPECT_EQ(a.outcome().masked_name().find("小"), std::string::npos) << "never the plain name";
  EXPECT_EQ(Scan("B1", Code("A2")).outcome().shooting_no(), 2u);
  EXPECT_EQ(day_->StateOf("A2").status, CaptureDay::Status::kWaiting);
}

TEST_F(CaptureDayTest, EveryScanRefusalHasItsReasonCode) {
  std::string forged = Code("A1");
  forged[forged.size() - 2] ^= 1;
  EXPECT_EQ(Scan("B1", forged).outcome().reason(), v1::REASON_FORGED_CODE);
  EXPECT_EQ(Scan("B1", Code("A1", kNine - 1)).outcome().reason(), v1::REASON_EXPIRED_CODE);
  EXPECT_EQ(Scan("B1", "https://qr.alipay.com/x").outcome().reason(), v1::REASON_UNKNOWN_CODE);
  EXPECT_EQ(Scan("B1", Code("NOBODY")).outcome().reason(), v1::REASON_NOT_IN_ROSTER);
  EXPECT_EQ(Scan("B1", Code("U1")).outcome().reason(), v1::REASON_UNPAID);
  EXPECT_EQ(Scan("B2", Code("A1")).outcome().reason(), v1::REASON_WRONG_BOOTH);
  EXPECT_EQ(Scan("B1", Code("S1")).outcome().reason(), v1::REASON_OUTSIDE_SCHEDULE);
  ASSERT_TRUE(Scan("B1", Code("A1")).outcome().accepted());
  EXPECT_EQ(Scan("B1", Code("A1")).outcome().reason(), v1::REASON_DUPLICATE_SCAN);
  ASSERT_TRUE(Photo("B1").outcome().accepted());
  EXPECT_EQ(Scan("B1", Code("A1")).outcome().reason(), v1::REASON_ALREADY_PHOTOGRAPHED);
  // Nothing refused took a number.
  EXPECT_EQ(Scan("B1", Code("A2")).outcome().shooting_no(), 2u);
}

TEST_F(CaptureDayTest, APhotoBindsToTheHeadOfTheQueueOnly) {
  EXPECT_EQ(Photo("B1").outcome().reason(), v1::REASON_PHOTO_WITHOUT_SCAN);
  Scan("B1", Code("A1"));
  Scan("B1", Code("A2"));
  v1::AppliedEvent wrong = Photo("B1", 2);
  EXPECT_EQ(wrong.outcome().reason(), v1::REASON_SHOOTING_NO_MISMATCH);
  EXPECT_EQ(day_->StateOf("A2").status, CaptureDay::Status::kWaiting);
  v1::AppliedEvent right = Photo("B1", 1);
  EXPECT_TRUE(right.outcome().accepted());
  EXPECT_EQ(right.binding().student_no(), "A1");
  EXPECT_EQ(day_->StateOf("A1").status, CaptureDay::Status::kPhotographed);
  EXPECT_EQ(Photo("B1").binding().student_no(), "A2");  // no number named: the head
}

TEST_F(CaptureDayTest, SigningIsNeededFirstWhereTheScheduleSaysSo) {
  Scan("B2", Code("S1"));
  EXPECT_EQ(Photo("B2").outcome().reason(), v1::REASON_NOT_SIGNED);
  EXPECT_TRUE(Sign("B2").outcome().accepted());
  EXPECT_TRUE(Photo("B2").outcome().accepted());
}

TEST_F(CaptureDayTest, SignAndAbsentNeedSomeoneWaitingAndAbsentNeedsAReason) {
  EXPECT_EQ(Sign("B1").outcome().reason(), v1::REASON_NOBODY_WAITING);
  Scan("B1", Code("A1"));
  EXPECT_EQ(Absent("B1", "").outcome().reason(), v1::REASON_REASON_REQUIRED);
  EXPECT_TRUE(Absent("B1", "left the queue").outcome().accepted());
  EXPECT_EQ(day_->StateOf("A1").status, CaptureDay::Status::kAbsent);
  EXPECT_EQ(Absent("B1", "x").outcome().reason(), v1::REASON_NOBODY_WAITING);
}

TEST_F(CaptureDayTest, ARetakeReplacesTheLastPhotoAtThatBoothAndKeepsTheBinding) {
  EXPECT_EQ(Retake("B1").outcome().reason(), v1::REASON_RETAKE_WITHOUT_PHOTO);
  Scan("B1", Code("A1"));
  Photo("B1", 0, 'a');
  Scan("B1", Code("A2"));
  v1::AppliedEvent retake = Retake("B1", 'b');
  EXPECT_TRUE(retake.outcome().accepted());
  EXPECT_EQ(retake.binding().student_no(), "A1");  // the last photographed, not the new head
  EXPECT_EQ(day_->StateOf("A1").photo_sha256, std::string(32, 'b'));
  EXPECT_EQ(day_->StateOf("A1").photo_versions, 2u);
  EXPECT_EQ(day_->StateOf("A2").status, CaptureDay::Status::kWaiting);
}

TEST_F(CaptureDayTest, ScanningSomeoneElsesCodeAgainRaisesASubstitutionAlert) {
  Scan("B1", Code("A1"));
  v1::AppliedEvent again = Scan("B1", Code("A1"));
  ASSERT_EQ(again.binding().alerts_size(), 1);
  EXPECT_EQ(again.binding().alerts(0).kind(), v1::ALERT_DUPLICATE_SCAN);
  Photo("B1");
  v1::AppliedEvent after = Scan("B1", Code("A1"));
  ASSERT_EQ(after.binding().alerts_size(), 1);
  EXPECT_EQ(after.binding().alerts(0).kind(), v1::ALERT_ALREADY_PHOTOGRAPHED);
  Scan("B1", Code("A2"));
  v1::AppliedEvent mismatch = Photo("B1", 7);
  ASSERT_EQ(mismatch.binding().alerts_size(), 1);
  EXPECT_EQ(mismatch.binding().alerts(0).kind(), v1::ALERT_SHOOTING_NO_MISMATCH);
  EXPECT_EQ(day_->alerts().size(), 3u);
}

TEST_F(CaptureDayTest, ABurstOfScansRaisesOneAlertAndAQuietBoothNone) {
  // Four codes within 10 s with four waiting: one person with several phones.
  int alerts = 0;
  for (const char* s : {"A1", "A2", "A3", "A4", "A5"}) alerts += Scan("B1", Code(s), kNine + 1000).binding().alerts_size();
  EXPECT_EQ(alerts, 1);
  // Spread over minutes, the same number of scans raises nothing.
  day_ = std::make_unique<CaptureDay>(registry_.get());
  alerts = 0;
  int64_t t = kNine;
  for (const char* s : {"A1", "A2", "A3", "A4", "A5"}) alerts += Scan("B1", Code(s), t += 20'000).binding().alerts_size();
  EXPECT_EQ(alerts, 0);
}

TEST_F(CaptureDayTest, AfterAReplayTheBurstWindowIsStillThere) {
  for (const char* s : {"A1", "A2", "A3"}) Scan("B1", Code(s), kNine + 1000);
  // Restart: the state comes back from the records alone.
  day_ = std::make_unique<CaptureDay>(registry_.get());
  for (const v1::LogRecord& r : records_) day_->Apply(r);
  v1::AppliedEvent fourth = Scan("B1", Code("A4"), kNine + 2000);
  ASSERT_EQ(fourth.binding().alerts_size(), 1) << "the scans before the restart still count";
  EXPECT_EQ(fourth.binding().alerts(0).kind(), v1::ALERT_SCAN_BURST);
}

TEST_F(CaptureDayTest, VerdictsReachTheCurrentPhotoOnlyAndLeaveTheWaitingList) {
  Scan("B1", Code("A1"));
  Photo("B1", 0, 'a');
  std::vector<PendingPhoto> pending = day_->PhotosAwaitingVerdict();
  ASSERT_EQ(pending.size(), 1u);
  Retake("B1", 'b');
  ASSERT_EQ(day_->PhotosAwaitingVerdict().size(), 2u);
  Verdict(pending[0], v1::VERDICT_FAIL);  // late: about the replaced photo
  EXPECT_EQ(day_->StateOf("A1").verdict, v1::VERDICT_PENDING) << "a verdict for a replaced photo changes nothing";
  EXPECT_FALSE(day_->LastVerdict("B1").has_value());
  Verdict(day_->PhotosAwaitingVerdict()[0], v1::VERDICT_PASS);
  EXPECT_EQ(day_->StateOf("A1").verdict, v1::VERDICT_PASS);
  EXPECT_EQ(day_->LastVerdict("B1")->verdict(), v1::VERDICT_PASS);
  EXPECT_EQ(day_->photos_awaiting_verdict(), 0u);
  ASSERT_NE(day_->KnownResult(std::string(32, 'a')), nullptr);
}

// Validators answer out of order (one is slow, one is killed and its photo
// checked again): the alert for two students' photos of one face names the
// later-captured photo and is filed under it, whichever verdict came last —
// a rerun or a replay names the same photo every time.
TEST_F(CaptureDayTest, ADuplicateFaceAlertIsAboutTheLaterPhotoWhicheverVerdictArrivesLast) {
  float values[kFaceDescriptorDims] = {};
  values[0] = 1;
  const std::string face = EncodeFaceDescriptor(values);
  std::vector<std::string> details;
  for (const bool later_first : {false, true}) {
    day_ = std::make_unique<CaptureDay>(registry_.get());
    Scan("B1", Code("A1"));
    const uint64_t first_photo = [&] { Photo("B1", 0, 'a'); return log_seq_; }();
    Scan("B1", Code("A2"));
    const uint64_t second_photo = [&] { Photo("B1", 0, 'b'); return log_seq_; }();
    std::vector<PendingPhoto> pending = day_->PhotosAwaitingVerdict();
    ASSERT_EQ(pending.size(), 2u);
    std::sort(pending.begin(), pending.end(), [](const PendingPhoto& a, const PendingPhoto& b) { return a.log_seq < b.log_seq; });
    if (later_first) std::swap(pending[0], pending[1]);
    Verdict(pending[0], v1::VERDICT_PASS, face);
    Verdict(pending[1], v1::VERDICT_PASS, face);
    std::vector<const CaptureDay::AlertEntry*> duplicates;
    for (const CaptureDay::AlertEntry& e : day_->alerts()) {
      if (e.alert.kind() == v1::ALERT_FACE_DUPLICATE) duplicates.push_back(&e);
    }
    ASSERT_EQ(duplicates.size(), 1u) << "later first: " << later_first;
    const CaptureDay::AlertEntry& e = *duplicates[0];
    EXPECT_EQ(e.photo_log_seq, second_photo) << "later first: " << later_first;
    EXPECT_NE(e.photo_log_seq, first_photo);
    ASSERT_EQ(e.alert.shooting_nos_size(), 2);
    EXPECT_EQ(e.alert.shooting_nos(0), 2u);  // the later photo, then the one it repeats
    EXPECT_EQ(e.alert.shooting_nos(1), 1u);
    EXPECT_EQ(e.alert.booth(), "B1");
    EXPECT_EQ(e.alert.detail().rfind("photo of #2 ", 0), 0u) << e.alert.detail();
    details.push_back(e.alert.detail());
    // A replay of the same records files it under the same photo.
    std::vector<v1::LogRecord> records(records_.end() - 6, records_.end());
    CaptureDay replayed(registry_.get());
    for (const v1::LogRecord& r : records) replayed.Apply(r);
    int replayed_duplicates = 0;
    for (const CaptureDay::AlertEntry& r : replayed.alerts()) {
      if (r.alert.kind() != v1::ALERT_FACE_DUPLICATE) continue;
      ++replayed_duplicates;
      EXPECT_EQ(r.photo_log_seq, second_photo);
    }
    EXPECT_EQ(replayed_duplicates, 1);
  }
  EXPECT_EQ(details[0], details[1]);
}

TEST_F(CaptureDayTest, TheOperatorOverrulesTheLastFailedVerdictWithAReasonAndTheHeadCountSaysSo) {
  auto overrule = [&](const std::string& reason, uint32_t number) {
    v1::BoothEvent e;
    e.mutable_override_verdict()->set_reason(reason);
    e.mutable_override_verdict()->set_shooting_no(number);
    return Play("B1", e);
  };
  EXPECT_EQ(overrule("fine", 1).outcome().reason(), v1::REASON_NOTHING_TO_OVERRIDE);  // no verdict yet
  Scan("B1", Code("A1"));
  Photo("B1", 0, 'a');
  VerdictOnTheFirstPhoto(v1::VERDICT_FAIL, "exposure", v1::SEVERITY_REJECT);
  EXPECT_EQ(Reconcile(*day_, *registry_, "Arts")->failed_pending_retake(), 1u);
  EXPECT_EQ(overrule("", 1).outcome().reason(), v1::REASON_REASON_REQUIRED);
  EXPECT_EQ(overrule("lights checked", 2).outcome().reason(), v1::REASON_SHOOTING_NO_MISMATCH);
  v1::AppliedEvent ok = overrule("lights checked by the photographer", 1);
  ASSERT_TRUE(ok.outcome().accepted()) << ok.outcome().detail();
  EXPECT_EQ(ok.binding().student_no(), "A1");
  EXPECT_TRUE(day_->StateOf("A1").overridden);
  auto count = Reconcile(*day_, *registry_, "Arts");
  EXPECT_EQ(count->passed_by_operator(), 1u);
  EXPECT_EQ(count->failed_pending_retake(), 0u);
  EXPECT_EQ(count->retake_students_size(), 0);
  // A retake is a new photo: its verdict stands on its own.
  Retake("B1", 'b');
  EXPECT_FALSE(day_->StateOf("A1").overridden);
  EXPECT_EQ(overrule("again", 1).outcome().reason(), v1::REASON_NOTHING_TO_OVERRIDE) << "the shown verdict was replaced";
}

// A photo that passed with a warning (a glare the photographer checked) can
// be confirmed with /ok like a failed one is overruled: the confirmation is
// logged with the warned check, and the head count still counts it passed.
TEST_F(CaptureDayTest, TheOperatorConfirmsAWarnedPhotoAndItStaysPassed) {
  Scan("B1", Code("A1"));
  Photo("B1", 0, 'a');
  VerdictOnTheFirstPhoto(v1::VERDICT_PASS, "glasses_glare", v1::SEVERITY_WARN);
  v1::BoothEvent e;
  e.mutable_override_verdict()->set_reason("no glare on the lenses, checked on the camera");
  e.mutable_override_verdict()->set_shooting_no(1);
  e.mutable_override_verdict()->add_check_ids("glasses_glare");
  v1::AppliedEvent ok = Play("B1", e);
  ASSERT_TRUE(ok.outcome().accepted()) << ok.outcome().detail();
  EXPECT_NE(ok.outcome().detail().find("glasses_glare"), std::string::npos) << ok.outcome().detail();
  auto count = Reconcile(*day_, *registry_, "Arts");
  EXPECT_EQ(count->passed(), 1u);
  EXPECT_EQ(count->passed_by_operator(), 0u);
}

TEST_F(CaptureDayTest, TheHeadCountComesFromTheStateAndACloseIsRemembered) {
  Scan("B1", Code("A1"));
  Photo("B1");
  Scan("B1", Code("A2"));
  Scan("B1", Code("U1"));  // unpaid: refused
  auto r = Reconcile(*day_, *registry_, "Arts");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->roster(), 7u);
  EXPECT_EQ(r->paid(), 6u);
  EXPECT_EQ(r->scanned(), 2u);
  EXPECT_EQ(r->photographed(), 1u);
  EXPECT_EQ(r->verdict_pending(), 1u);
  EXPECT_EQ(r->waiting(), 1u);
  EXPECT_EQ(r->refused_scans().at("unpaid"), 1u);
  EXPECT_EQ(PlanClose(*day_, *registry_, "Arts", "").status().code(), absl::StatusCode::kFailedPrecondition);
  auto close = PlanClose(*day_, *registry_, "Arts", "A2 went home ill");
  ASSERT_TRUE(close.ok()) << close.status();
  EXPECT_EQ(close->action(), "college_close_override");
  v1::LogRecord record;
  record.set_log_seq(++log_seq_);
  *record.mutable_admin() = *close;
  day_->Apply(record);
  EXPECT_TRUE(Reconcile(*day_, *registry_, "Arts")->closed());
  EXPECT_TRUE(Reconcile(*day_, *registry_, "Arts")->override_used());
  EXPECT_EQ(Reconcile(*day_, *registry_, "Nowhere").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace gradcap
