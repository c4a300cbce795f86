// The admin socket of a running coordinator, with the real processes: the
// registrar's `gradcap` imports payments, asks head counts and closes a
// college while a booth scans — the coordinator is never stopped — and bad
// requests get clear answers while booths notice nothing. With CURVE, only
// enrolled admin keys are answered and the log names the key's owner.
#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

#include <fstream>

#include "absl/strings/str_format.h"
#include "admin/admin_client.h"
#include "common/collection_code.h"
#include "common/envelope.h"
#include "common/event_log.h"
#include "common/key_files.h"
#include "common/kv_store.h"
#include "common/log_format.h"
#include "common/sha256.h"
#include "common/temp_dir.h"
#include "common/transport.h"
#include "registry/registry.h"
#include "tests/process.h"

namespace gradcap {
namespace {

using testing::ChildProcess;

constexpr char kCollege[] = "信息工程学院";

class AdminSocketTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(InitCrypto().ok()); }

  void TearDown() override {
    coordinator_.Signal(SIGTERM);
    coordinator_.Wait(10000);
  }

  // The sample day's reference data, imported offline before the day.
  void Prepare() {
    db_ = dir_.Sub("db");
    const std::string sample = SAMPLE_DIR;
    Gradcap({"roster", "import", "--db", db_, sample + "/roster.csv"});
    Gradcap({"payments", "import", "--db", db_, sample + "/payments.csv"});
    Gradcap({"schedule", "import", "--db", db_, sample + "/schedule.csv"});
    Gradcap({"keys", "init", "--db", db_});
    auto store = KvStore::Open(db_, LogColumns(), OpenMode::kReadOnly);
    ASSERT_TRUE(store.ok());
    Registry registry(store->get());
    ASSERT_TRUE(registry.Load().ok());
    key_ = registry.CodeKey("k1").value();
  }

  void Start(const std::vector<std::string>& extra = {}) {
    endpoint_ = absl::StrFormat("tcp://127.0.0.1:%d", testing::FreeLoopbackPort());
    admin_ = absl::StrFormat("tcp://127.0.0.1:%d", testing::FreeLoopbackPort());
    const std::string ready = dir_.Sub("ready");
    std::vector<std::string> args = {COORDINATOR_BIN, "--db",          db_,   "--listen",
                                     endpoint_,       "--admin",       admin_, "--ready_file",
                                     ready,           "--clock_start", "2024-09-21T09:00+08:00",
                                     "--stats_interval_ms", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_TRUE(coordinator_.Start(args, dir_.Sub("coordinator.log")));
    ASSERT_FALSE(testing::WaitForFile(ready, 20000).empty()) << testing::ReadFile(dir_.Sub("coordinator.log"));
  }

  void ConnectBooth(const std::optional<BoothKeys>& keys = std::nullopt) {
    SocketOptions options;
    options.immediate = false;
    if (keys.has_value()) {
      options.curve_keys = keys->booth;
      options.curve_server_public_key = keys->coordinator_public_key;
    }
    booth_ = MessageSocket::Create(SocketKind::kDealer, options).value();
    ASSERT_TRUE(booth_->Connect(endpoint_).ok());
  }

  int Gradcap(std::vector<std::string> args, std::string* out = nullptr, int expect = 0) {
    args.insert(args.begin(), GRADCAP_BIN);
    std::string text;
    const int status = testing::RunCommand(args, &text);
    EXPECT_EQ(status, expect) << text;
    if (out != nullptr) *out = text;
    return status;
  }

  v1::Ack Scan(const std::string& student) {
    v1::CodeBody body;
    body.set_student_no(student);
    body.set_expires_at_ms(1900000000000);
    v1::BoothEvent e;
    e.mutable_scan()->set_payload(SealCode(body, key_));
    return Send(e);
  }

  v1::Ack Send(v1::BoothEvent event) {
    event.mutable_id()->set_booth("B1");
    event.mutable_id()->set_epoch(1);
    event.mutable_id()->set_seq(++seq_);
    v1::Envelope e;
    *e.mutable_event() = event;
    EXPECT_TRUE(booth_->Send({SerializeEnvelope(e)}).ok());
    for (int tries = 0; tries < 100; ++tries) {
      auto reply = booth_->Receive(100);
      if (!reply.ok() || !reply->has_value()) continue;
      v1::Envelope r;
      if (r.ParseFromString((**reply)[0]) && r.has_ack() && r.ack().id().seq() == seq_) return r.ack();
    }
    ADD_FAILURE() << "no ack for seq " << seq_;
    return {};
  }

  // The admin records in the log, read after the coordinator stopped.
  std::vector<v1::AdminRecord> AdminRecords() {
    std::vector<v1::AdminRecord> out;
    auto log = EventLog::OpenReadOnly(db_);
    EXPECT_TRUE(log.ok()) << log.status();
    if (!log.ok()) return out;
    EXPECT_TRUE((*log)->ForEachRecord([&](const v1::LogRecord& r) {
                       if (r.has_admin()) out.push_back(r.admin());
                     }).ok());
    return out;
  }

  uint64_t LogHead(AdminTarget& target) {
    v1::AdminRequest status;
    status.mutable_status();
    auto reply = target.Call(status);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? reply->status().log_head() : 0;
  }

  TempDir dir_;
  std::string db_, endpoint_, admin_;
  ChildProcess coordinator_;
  std::unique_ptr<MessageSocket> booth_;
  v1::CodeKey key_;
  uint64_t seq_ = 0;
};

TEST_F(AdminSocketTest, APaymentImportedWhileTheDayRunsLetsTheStudentsNextScanThrough) {
  Prepare();
  Start();
  ConnectBooth();
  const pid_t pid = coordinator_.pid();
  EXPECT_EQ(Scan("S2021008").outcome().reason(), v1::REASON_UNPAID);
  std::ofstream(dir_.Sub("late.csv")) << "学号,金额,缴费时间,交易号\nS2021008,15,2024-09-21 10:05,TXN-LATE-1\n";
  std::string out;
  Gradcap({"payments", "import", "--coordinator", admin_, "--as", "registrar-wang", dir_.Sub("late.csv")}, &out);
  EXPECT_NE(out.find("1 new payments"), std::string::npos) << out;
  const v1::Ack again = Scan("S2021008");
  EXPECT_TRUE(again.outcome().accepted()) << again.outcome().detail();
  EXPECT_EQ(again.outcome().shooting_no(), 1u);
  EXPECT_EQ(coordinator_.pid(), pid);
  EXPECT_TRUE(coordinator_.running()) << "the coordinator was never stopped";
  coordinator_.Signal(SIGTERM);
  ASSERT_TRUE(coordinator_.Wait(10000));
  const std::vector<v1::AdminRecord> records = AdminRecords();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().action(), "payments_import");
  EXPECT_EQ(records.back().actor(), "registrar-wang");
  EXPECT_EQ(records.back().source(), "late.csv");
  Gradcap({"audit", "verify", "--db", db_});
}

TEST_F(AdminSocketTest, HeadCountsAndACloseWithOverrideWhileTheBoothScans) {
  Prepare();
  Start();
  ConnectBooth();
  for (const char* s : {"S2021001", "S2021002", "S2021003"}) ASSERT_TRUE(Scan(s).outcome().accepted());
  std::string out;
  Gradcap({"reconcile", "--coordinator", admin_, "--college", kCollege, "--json"}, &out);
  v1::Reconciliation r;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &r).ok()) << out;
  EXPECT_EQ(r.scanned(), 3u);
  EXPECT_EQ(r.waiting(), 3u);
  // The booth goes on; the count follows.
  v1::BoothEvent sign;
  sign.mutable_sign()->set_shooting_no(1);
  ASSERT_TRUE(Send(sign).outcome().accepted());
  v1::BoothEvent photo;
  photo.mutable_photo()->set_jpeg("photo-1");
  photo.mutable_photo()->set_shooting_no(1);
  ASSERT_TRUE(Send(photo).outcome().accepted());
  Gradcap({"reconcile", "--coordinator", admin_, "--college", kCollege, "--json"}, &out);
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &r).ok()) << out;
  EXPECT_EQ(r.photographed(), 1u);
  EXPECT_EQ(r.waiting(), 2u);
  // Closing with students waiting needs a reason; with one it is logged.
  Gradcap({"close", "--coordinator", admin_, "--college", kCollege}, &out, 1);
  EXPECT_NE(out.find("still waiting (S2021002, S2021003)"), std::string::npos) << out;
  Gradcap({"close", "--coordinator", admin_, "--as", "lead-li", "--college", kCollege, "--override",
           "two students left for an exam", "--json"},
          &out);
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &r).ok()) << out;
  EXPECT_TRUE(r.closed());
  EXPECT_TRUE(r.override_used());
  // The booth never noticed.
  EXPECT_TRUE(Scan("S2021004").outcome().accepted());
  // The same head count from the stopped coordinator's database.
  coordinator_.Signal(SIGTERM);
  ASSERT_TRUE(coordinator_.Wait(10000));
  Gradcap({"reconcile", "--db", db_, "--college", kCollege, "--json"}, &out);
  v1::Reconciliation offline;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &offline).ok()) << out;
  EXPECT_TRUE(offline.closed());
  EXPECT_EQ(offline.photographed(), 1u);
  EXPECT_EQ(offline.waiting(), 3u);  // S2021004 scanned after the close
  const std::vector<v1::AdminRecord> records = AdminRecords();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().action(), "college_close_override");
  EXPECT_EQ(records.back().actor(), "lead-li");
  EXPECT_EQ(records.back().override_reason(), "two students left for an exam");
  EXPECT_EQ(records.back().head_count().waiting(), 2u);
}

TEST_F(AdminSocketTest, GradcapOnTheDatabaseAsksTheCoordinatorHoldingIt) {
  Prepare();
  Start();
  ConnectBooth();
  ASSERT_TRUE(Scan("S2021001").outcome().accepted());
  std::string out;
  Gradcap({"student", "--db", db_, "S2021001", "--json"}, &out);
  EXPECT_NE(out.find("asking it at " + admin_), std::string::npos) << out;
  EXPECT_NE(out.find("\"status\":\"waiting\""), std::string::npos) << out;
  Gradcap({"booth", "--db", db_, "B1"}, &out);
  EXPECT_NE(out.find("#1 "), std::string::npos) << out;
}

TEST_F(AdminSocketTest, ABadImportWhileRunningWritesNothingAndBoothsDoNotNotice) {
  Prepare();
  Start();
  ConnectBooth();
  ASSERT_TRUE(Scan("S2021001").outcome().accepted());
  RemoteOptions remote;
  remote.endpoint = admin_;
  auto target = ConnectAdmin(remote);
  ASSERT_TRUE(target.ok());
  const uint64_t head = LogHead(**target);
  std::ofstream(dir_.Sub("bad.csv")) << "学号,金额,缴费时间,交易号\nS2021009,15,x,T-A\nS2021010,fifteen,x,T-B\n";
  std::string out;
  Gradcap({"payments", "import", "--coordinator", admin_, dir_.Sub("bad.csv")}, &out, 1);
  EXPECT_NE(out.find("bad.csv line 3, column 金额"), std::string::npos) << out;
  Gradcap({"roster", "import", "--coordinator", admin_, dir_.Sub("missing.csv")}, &out, 1);
  EXPECT_NE(out.find("missing.csv"), std::string::npos) << out;
  EXPECT_EQ(LogHead(**target), head) << "a refused import wrote something";
  EXPECT_EQ(Scan("S2021008").outcome().reason(), v1::REASON_UNPAID);
  EXPECT_EQ(Scan("S2021002").outcome().shooting_no(), 2u);
}

TEST_F(AdminSocketTest, MalformedAndUnknownRequestsGetAClearErrorAndServingGoesOn) {
  Prepare();
  Start();
  ConnectBooth();
  SocketOptions options;
  options.immediate = false;
  auto raw = MessageSocket::Create(SocketKind::kDealer, options).value();
  ASSERT_TRUE(raw->Connect(admin_).ok());
  auto ask = [&](const Frames& frames) -> v1::AdminReply {
    EXPECT_TRUE(raw->Send(frames).ok());
    auto reply = raw->Receive(5000);
    EXPECT_TRUE(reply.ok() && reply->has_value());
    v1::Envelope e;
    if (reply.ok() && reply->has_value()) EXPECT_TRUE(e.ParseFromString((**reply).back()));
    return e.admin_reply();
  };
  v1::AdminReply garbage = ask({"\x01\x02 not a protobuf"});
  EXPECT_EQ(garbage.error().code(), "INVALID_ARGUMENT");
  EXPECT_FALSE(garbage.error().message().empty());
  v1::Envelope empty;
  empty.mutable_admin_request()->set_request_id(7);
  v1::AdminReply unknown = ask({SerializeEnvelope(empty)});
  EXPECT_EQ(unknown.request_id(), 7u);
  EXPECT_EQ(unknown.error().code(), "INVALID_ARGUMENT");
  v1::Envelope event;
  event.mutable_event()->mutable_scan()->set_payload("x");
  EXPECT_EQ(ask({SerializeEnvelope(event)}).error().code(), "INVALID_ARGUMENT");
  EXPECT_EQ(ask({"one", "two"}).error().code(), "INVALID_ARGUMENT");
  v1::Envelope wait;
  wait.mutable_admin_request()->mutable_wait()->set_timeout_ms(90000);
  EXPECT_EQ(ask({SerializeEnvelope(wait)}).error().code(), "INVALID_ARGUMENT");
  v1::Envelope close;
  close.mutable_admin_request()->mutable_close()->set_college("没有的学院");
  EXPECT_EQ(ask({SerializeEnvelope(close)}).error().code(), "NOT_FOUND");
  EXPECT_TRUE(Scan("S2021001").outcome().accepted());
  EXPECT_TRUE(coordinator_.running());
}

TEST_F(AdminSocketTest, AWaitIsAnsweredOnceTheBoothsEventIsCommittedOrAtItsTimeout) {
  Prepare();
  Start();
  ConnectBooth();
  RemoteOptions remote;
  remote.endpoint = admin_;
  auto target = ConnectAdmin(remote);
  ASSERT_TRUE(target.ok());
  v1::AdminRequest wait;
  wait.mutable_wait()->set_booth("B1");
  wait.mutable_wait()->set_seq(1);
  wait.mutable_wait()->set_timeout_ms(200);
  auto early = (*target)->Call(wait);
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_FALSE(early->wait().reached());
  EXPECT_EQ(early->wait().committed_seq(), 0u);
  ASSERT_TRUE(Scan("S2021001").outcome().accepted());
  wait.mutable_wait()->set_timeout_ms(10000);
  auto after = (*target)->Call(wait);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(after->wait().reached());
  EXPECT_EQ(after->wait().committed_seq(), 1u);
}

TEST_F(AdminSocketTest, WithKeysOnlyEnrolledAdminsAreAnsweredAndTheKeyNamesTheActor) {
  Prepare();
  const std::string keys = dir_.Sub("keys");
  Gradcap({"transport-keys", "init", "--keys", keys});
  Gradcap({"transport-keys", "enroll", "--keys", keys, "--booth", "B1"});
  Gradcap({"transport-keys", "enroll", "--keys", keys, "--admin", "registrar"});
  Start({"--keys", keys});
  ConnectBooth(LoadBoothKeys(keys, "B1").value());
  EXPECT_EQ(Scan("S2021008").outcome().reason(), v1::REASON_UNPAID);
  std::ofstream(dir_.Sub("late.csv")) << "学号,金额,缴费时间,交易号\nS2021008,15,2024-09-21 10:05,TXN-LATE-1\n";
  // The enrolled admin is answered.
  Gradcap({"payments", "import", "--coordinator", admin_, "--keys", keys, "--as", "registrar", dir_.Sub("late.csv")});
  EXPECT_TRUE(Scan("S2021008").outcome().accepted());
  // No key, a stranger's key, or a booth's key: no answer at all.
  auto no_answer = [&](std::optional<CurveKeyPair> pair) {
    RemoteOptions remote;
    remote.endpoint = admin_;
    remote.timeout_ms = 1500;
    if (pair.has_value()) {
      remote.keys = pair;
      remote.server_public_key = LoadBoothKeys(keys, "B1")->coordinator_public_key;
    }
    auto target = ConnectAdmin(remote);
    ASSERT_TRUE(target.ok());
    v1::AdminRequest status;
    status.mutable_status();
    auto reply = (*target)->Call(status);
    EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable) << reply.status();
  };
  no_answer(std::nullopt);
  no_answer(NewCurveKeyPair().value());
  no_answer(LoadBoothKeys(keys, "B1")->booth);
  coordinator_.Signal(SIGTERM);
  ASSERT_TRUE(coordinator_.Wait(10000));
  const std::vector<v1::AdminRecord> records = AdminRecords();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().action(), "payments_import");
  EXPECT_EQ(records.back().actor(), "registrar");
}

}  // namespace
}  // namespace gradcap
