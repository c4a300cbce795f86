// The verdict path inside the running ingest loop: a photo committed at a
// booth goes to the validator pool, its result becomes one ValidationRecord
// in the log and is pushed to the booth — but a late result for a photo a
// retake replaced is recorded and never shown, and the same bytes checked
// before are answered from the log without another job. Real ZeroMQ on
// loopback, a real RocksDB, the real capture-day rules, a scripted worker.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "common/collection_code.h"
#include "common/envelope.h"
#include "common/log_format.h"
#include "common/temp_dir.h"
#include "coordinator/capture_day.h"
#include "coordinator/ingest_server.h"
#include "coordinator/scripted_worker_for_tests.h"
#include "registry/registry_import.h"

namespace gradcap {
namespace {

class VerdictPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    auto log = EventLog::Open(dir_.Sub("db"), &clock_);
    ASSERT_TRUE(log.ok());
    log_ = std::move(*log);
    std::ofstream(dir_.Sub("r.csv")) << "student_no,name,id_no,college,class,level,cohort\n"
                                        "A1,张小三,P1,Arts,c,本科,2021\nA2,李四,P2,Arts,c,本科,2021\n";
    std::ofstream(dir_.Sub("p.csv")) << "student_no,amount,paid_at,txn_id\nA1,15,x,T1\nA2,15,x,T2\n";
    std::ofstream(dir_.Sub("s.csv")) << "college,booth,start,end,sign\nArts,B1,2024-09-21T08:00,2024-09-21T12:00,no\n";
    ASSERT_TRUE(ImportRoster(*log_, dir_.Sub("r.csv")).ok());
    ASSERT_TRUE(ImportPayments(*log_, dir_.Sub("p.csv"), std::nullopt).ok());
    ASSERT_TRUE(ImportSchedule(*log_, dir_.Sub("s.csv"), "Asia/Shanghai").ok());
    ASSERT_TRUE(InitCodeKeys(*log_, clock_.NowMs()).ok());
    registry_ = std::make_unique<Registry>(&log_->store());
    ASSERT_TRUE(registry_->Load().ok());
    day_ = std::make_unique<CaptureDay>(registry_.get());
    ASSERT_TRUE(ReplayLog(*log_, day_.get()).ok());

    IngestOptions options;
    options.endpoint = "tcp://127.0.0.1:*";
    options.stats_interval_ms = 0;
    server_ = std::make_unique<IngestServer>(log_.get(), day_.get(), &clock_, options);
    ASSERT_TRUE(server_->Bind().ok());
    BrokerOptions broker_options;
    broker_options.endpoint = "tcp://127.0.0.1:*";
    const KvStore* store = &log_->store();
    broker_ = std::make_unique<ValidatorBroker>(
        [store](const std::string& sha) -> std::optional<std::string> {
          auto photo = store->Get(kPhotosColumn, sha);
          if (!photo.ok() || !photo->has_value()) return std::nullopt;
          return **photo;
        },
        broker_options, [this] { server_->Wake(); });
    ASSERT_TRUE(broker_->Start().ok());
    server_->AttachBroker(broker_.get());
    thread_ = std::thread([this] { (void)server_->Run(stop_); });
    SocketOptions booth_options;
    booth_options.immediate = false;
    booth_ = MessageSocket::Create(SocketKind::kDealer, booth_options).value();
    ASSERT_TRUE(booth_->Connect(server_->endpoint()).ok());
    worker_ = std::make_unique<ScriptedWorker>(broker_->endpoint(), "validator-1");
  }

  void TearDown() override { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  // Sends one booth event and returns its ack (verdict pushes seen on the
  // way are kept in verdicts_).
  v1::Ack Send(v1::BoothEvent event) {
    event.mutable_id()->set_booth("B1");
    event.mutable_id()->set_epoch(1);
    event.mutable_id()->set_seq(++seq_);
    v1::Envelope e;
    *e.mutable_event() = event;
    EXPECT_TRUE(booth_->Send({SerializeEnvelope(e)}).ok());
    for (int i = 0; i < 100; ++i) {
      std::optional<v1::Envelope> r = Next(100);
      if (r && r->has_ack() && r->ack().id().seq() == seq_) return r->ack();
    }
    ADD_FAILURE() << "no ack for seq " << seq_;
    return {};
  }
  std::optional<v1::Envelope> Next(int ms) {
    auto frames = booth_->Receive(ms);
    if (!frames.ok() || !frames->has_value()) return std::nullopt;
    v1::Envelope r;
    EXPECT_TRUE(r.ParseFromString((**frames)[0]));
    if (r.has_verdict()) verdicts_.push_back(r.verdict());
    return r;
  }
  v1::Ack Scan(const std::string& student) {
    v1::CodeBody body;
    body.set_student_no(student);
    body.set_expires_at_ms(clock_.NowMs() + 86'400'000);
    v1::BoothEvent e;
    e.mutable_scan()->set_payload(SealCode(body, *registry_->CodeKey("k1")));
    return Send(e);
  }
  v1::Ack Photo(const std::string& bytes, bool retake = false) {
    v1::BoothEvent e;
    v1::Photo* p = retake ? e.mutable_retake() : e.mutable_photo();
    p->set_jpeg(bytes);
    p->set_sha256(DigestBytes(Sha256(bytes)));
    return Send(e);
  }
  // Reads what the booth is sent until `n` verdicts arrived or `ms` passed.
  void CollectVerdicts(size_t n, int ms) {
    const int64_t deadline = SystemClock::Get()->MonotonicMs() + ms;
    while (verdicts_.size() < n && SystemClock::Get()->MonotonicMs() < deadline) Next(50);
  }
  // What is on disk, read as an auditor would (the loop owns log_).
  std::vector<v1::ValidationRecord> RecordsInLog() {
    std::vector<v1::ValidationRecord> out;
    auto reader = EventLog::OpenReadOnly(dir_.Sub("db"));
    EXPECT_TRUE(reader.ok()) << reader.status();
    if (!reader.ok()) return out;
    EXPECT_TRUE((*reader)->ForEachRecord([&](const v1::LogRecord& r) {
                           if (r.has_validation()) out.push_back(r.validation());
                         }).ok());
    return out;
  }

  TempDir dir_;
  ManualClock clock_{1726880400000};  // 2024-09-21T09:00+08:00
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<CaptureDay> day_;
  std::unique_ptr<IngestServer> server_;
  std::unique_ptr<ValidatorBroker> broker_;
  std::unique_ptr<MessageSocket> booth_;
  std::unique_ptr<ScriptedWorker> worker_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  uint64_t seq_ = 0;
  std::vector<v1::PhotoVerdict> verdicts_;
};

TEST_F(VerdictPathTest, ACommittedPhotoIsCheckedRecordedAndItsVerdictPushedToTheBooth) {
  ASSERT_TRUE(Scan("A1").outcome().accepted());
  const v1::Ack photo = Photo("jpeg-of-A1");
  ASSERT_TRUE(photo.outcome().accepted());
  std::optional<v1::ValidationJob> job = worker_->NextJob(5000);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->jpeg(), "jpeg-of-A1");
  EXPECT_EQ(job->log_seq(), photo.log_seq());
  worker_->Answer(*job, v1::VERDICT_PASS);
  CollectVerdicts(1, 5000);
  ASSERT_EQ(verdicts_.size(), 1u);
  EXPECT_EQ(verdicts_[0].verdict(), v1::VERDICT_PASS);
  EXPECT_EQ(verdicts_[0].shooting_no(), 1u);
  EXPECT_EQ(verdicts_[0].photo_log_seq(), photo.log_seq());
  std::vector<v1::ValidationRecord> records = RecordsInLog();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].student_no(), "A1");
  EXPECT_EQ(records[0].photo_log_seq(), photo.log_seq());
}

TEST_F(VerdictPathTest, ALateVerdictForAReplacedPhotoIsRecordedButNeverShown) {
  ASSERT_TRUE(Scan("A1").outcome().accepted());
  ASSERT_TRUE(Photo("first").outcome().accepted());
  std::optional<v1::ValidationJob> first = worker_->NextJob(5000);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(Photo("second", /*retake=*/true).outcome().accepted());
  ScriptedWorker other(broker_->endpoint(), "validator-2");
  std::optional<v1::ValidationJob> second = other.NextJob(5000);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->jpeg(), "second");
  other.Answer(*second, v1::VERDICT_PASS);
  CollectVerdicts(1, 5000);
  worker_->Answer(*first, v1::VERDICT_FAIL);  // the replaced photo's verdict comes last
  // Both verdicts are in the log; the booth was shown only the current one.
  for (int i = 0; i < 100 && RecordsInLog().size() < 2; ++i) Next(50);
  ASSERT_EQ(RecordsInLog().size(), 2u);
  CollectVerdicts(2, 300);
  ASSERT_EQ(verdicts_.size(), 1u);
  EXPECT_EQ(verdicts_[0].verdict(), v1::VERDICT_PASS);
  Stop();
  EXPECT_EQ(day_->StateOf("A1").verdict, v1::VERDICT_PASS);
}

TEST_F(VerdictPathTest, TheSameBytesCheckedBeforeAreAnsweredFromTheLogWithoutAJob) {
  ASSERT_TRUE(Scan("A1").outcome().accepted());
  ASSERT_TRUE(Photo("same-bytes").outcome().accepted());
  std::optional<v1::ValidationJob> job = worker_->NextJob(5000);
  ASSERT_TRUE(job.has_value());
  worker_->Answer(*job, v1::VERDICT_PASS);
  CollectVerdicts(1, 5000);
  ASSERT_TRUE(Scan("A2").outcome().accepted());
  worker_->Ready();
  ASSERT_TRUE(Photo("same-bytes").outcome().accepted());
  CollectVerdicts(2, 5000);
  ASSERT_EQ(verdicts_.size(), 2u);
  EXPECT_EQ(verdicts_[1].shooting_no(), 2u);
  EXPECT_FALSE(worker_->NextJob(300).has_value()) << "the same bytes were sent for another check";
  EXPECT_EQ(RecordsInLog().size(), 2u);
}

TEST_F(VerdictPathTest, AVerdictFromAValidatorNotGivenTheJobIsLoggedAsARefusalAndNeverApplied) {
  ASSERT_TRUE(Scan("A1").outcome().accepted());
  const v1::Ack photo = Photo("jpeg-of-A1");
  std::optional<v1::ValidationJob> job = worker_->NextJob(5000);
  ASSERT_TRUE(job.has_value());
  ScriptedWorker forger(broker_->endpoint(), "validator-forger");
  forger.Answer(*job, v1::VERDICT_PASS);
  std::vector<v1::Rejection> refused;
  for (int i = 0; i < 100 && refused.empty(); ++i) {
    Next(50);
    auto reader = EventLog::OpenReadOnly(dir_.Sub("db"));
    ASSERT_TRUE(reader.ok());
    ASSERT_TRUE((*reader)->ForEachRecord([&](const v1::LogRecord& r) {
                             if (r.has_rejected()) refused.push_back(r.rejected());
                           }).ok());
  }
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].code(), v1::ERROR_JOB_NOT_GIVEN);
  EXPECT_EQ(refused[0].socket(), "validator");
  EXPECT_NE(refused[0].peer().find("validator-forger"), std::string::npos) << refused[0].peer();
  EXPECT_EQ(refused[0].peer_address(), "127.0.0.1");
  EXPECT_TRUE(RecordsInLog().empty()) << "the forged verdict was recorded";
  // The validator given the job still decides it.
  worker_->Answer(*job, v1::VERDICT_FAIL);
  CollectVerdicts(1, 5000);
  ASSERT_EQ(verdicts_.size(), 1u);
  EXPECT_EQ(verdicts_[0].verdict(), v1::VERDICT_FAIL);
  EXPECT_EQ(verdicts_[0].photo_log_seq(), photo.log_seq());
}

}  // namespace
}  // namespace gradcap
