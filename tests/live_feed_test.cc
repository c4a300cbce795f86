// The coordinator's live feed with the real coordinator process: a snapshot,
// then every change numbered; a scan shows up in the booth's queue with the
// student's college; an alert is acknowledged through the admin socket and
// the acknowledgement is logged with who; a close shows in the college's
// head count; a coordinator restart gives a new run and a snapshot holding
// the same state.
#include <gtest/gtest.h>

#include "absl/strings/str_format.h"
#include "common/collection_code.h"
#include "common/envelope.h"
#include "common/event_log.h"
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

class LiveFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    db_ = dir_.Sub("db");
    const std::string sample = SAMPLE_DIR;
    for (auto args : std::vector<std::vector<std::string>>{{"roster", "import", sample + "/roster.csv"},
                                                           {"payments", "import", sample + "/payments.csv"},
                                                           {"schedule", "import", sample + "/schedule.csv"},
                                                           {"keys", "init"}}) {
      args.insert(args.begin(), GRADCAP_BIN);
      args.push_back("--db");
      args.push_back(db_);
      std::string out;
      ASSERT_EQ(testing::RunCommand(args, &out), 0) << out;
    }
    auto store = KvStore::Open(db_, LogColumns(), OpenMode::kReadOnly);
    ASSERT_TRUE(store.ok());
    Registry registry(store->get());
    ASSERT_TRUE(registry.Load().ok());
    key_ = registry.CodeKey("k1").value();
    booth_endpoint_ = absl::StrFormat("tcp://127.0.0.1:%d", testing::FreeLoopbackPort());
    admin_endpoint_ = absl::StrFormat("tcp://127.0.0.1:%d", testing::FreeLoopbackPort());
    live_endpoint_ = absl::StrFormat("tcp://127.0.0.1:%d", testing::FreeLoopbackPort());
    Start();
    booth_ = Dealer(booth_endpoint_);
  }
  void TearDown() override {
    coordinator_.Signal(SIGTERM);
    coordinator_.Wait(10000);
  }

  void Start() {
    const std::string ready = dir_.Sub("ready");
    std::remove(ready.c_str());
    ASSERT_TRUE(coordinator_.Start({COORDINATOR_BIN, "--db", db_, "--listen", booth_endpoint_, "--admin",
                                    admin_endpoint_, "--live", live_endpoint_, "--ready_file", ready,
                                    "--clock_start", "2024-09-21T09:00+08:00", "--stats_interval_ms", "0"},
                                   dir_.Sub("coordinator.log")));
    ASSERT_FALSE(testing::WaitForFile(ready, 20000).empty()) << testing::ReadFile(dir_.Sub("coordinator.log"));
  }
  std::unique_ptr<MessageSocket> Dealer(const std::string& endpoint) {
    SocketOptions o;
    o.immediate = false;
    auto s = MessageSocket::Create(SocketKind::kDealer, o);
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE((*s)->Connect(endpoint).ok());
    return std::move(*s);
  }
  void Subscribe(MessageSocket& s, const std::string& run, uint64_t after) {
    v1::Envelope e;
    e.mutable_live_subscribe()->set_run(run);
    e.mutable_live_subscribe()->set_after_seq(after);
    ASSERT_TRUE(s.Send({SerializeEnvelope(e)}).ok());
  }
  // The next live message that is not a heartbeat.
  std::optional<v1::Envelope> Next(MessageSocket& s, int ms = 10000) {
    const int64_t deadline = SystemClock::Get()->MonotonicMs() + ms;
    while (SystemClock::Get()->MonotonicMs() < deadline) {
      auto frames = s.Receive(100);
      if (!frames.ok() || !frames->has_value()) continue;
      v1::Envelope e;
      EXPECT_TRUE(e.ParseFromString((**frames).back()));
      if (e.has_live_update() && e.live_update().heartbeat()) continue;
      return e;
    }
    return std::nullopt;
  }
  // Reads updates until one satisfies `want`; checks they are numbered 1 by 1.
  std::optional<v1::LiveUpdate> Until(MessageSocket& s, const std::function<bool(const v1::LiveUpdate&)>& want) {
    for (int i = 0; i < 200; ++i) {
      std::optional<v1::Envelope> e = Next(s);
      if (!e || !e->has_live_update()) return std::nullopt;
      EXPECT_EQ(e->live_update().seq(), last_seq_ + 1) << "a gap or a repeat in the numbering";
      last_seq_ = e->live_update().seq();
      if (want(e->live_update())) return e->live_update();
    }
    return std::nullopt;
  }
  v1::Ack Scan(const std::string& student) {
    v1::CodeBody body;
    body.set_student_no(student);
    body.set_expires_at_ms(1900000000000);
    v1::Envelope e;
    v1::BoothEvent* event = e.mutable_event();
    event->mutable_id()->set_booth("B1");
    event->mutable_id()->set_epoch(1);
    event->mutable_id()->set_seq(++seq_);
    event->mutable_scan()->set_payload(SealCode(body, key_));
    EXPECT_TRUE(booth_->Send({SerializeEnvelope(e)}).ok());
    for (int i = 0; i < 100; ++i) {
      auto r = booth_->Receive(100);
      if (!r.ok() || !r->has_value()) continue;
      v1::Envelope reply;
      if (reply.ParseFromString((**r).back()) && reply.has_ack() && reply.ack().id().seq() == seq_) return reply.ack();
    }
    ADD_FAILURE() << "no ack";
    return {};
  }
  v1::AdminReply Admin(v1::AdminRequest request) {
    auto admin = Dealer(admin_endpoint_);
    v1::Envelope e;
    *e.mutable_admin_request() = std::move(request);
    EXPECT_TRUE(admin->Send({SerializeEnvelope(e)}).ok());
    auto r = admin->Receive(10000);
    v1::Envelope reply;
    EXPECT_TRUE(r.ok() && r->has_value() && reply.ParseFromString((**r).back()));
    return reply.admin_reply();
  }

  TempDir dir_;
  std::string db_, booth_endpoint_, admin_endpoint_, live_endpoint_;
  ChildProcess coordinator_;
  std::unique_ptr<MessageSocket> booth_;
  v1::CodeKey key_;
  uint64_t seq_ = 0, last_seq_ = 0;
};

TEST_F(LiveFeedTest, ASnapshotThenEveryChangeNumberedAScanShowsInItsBoothsQueue) {
  auto sub = Dealer(live_endpoint_);
  Subscribe(*sub, "", 0);
  std::optional<v1::Envelope> snapshot = Next(*sub);
  ASSERT_TRUE(snapshot && snapshot->has_live_snapshot());
  const v1::LiveSnapshot& s = snapshot->live_snapshot();
  EXPECT_FALSE(s.run().empty());
  EXPECT_EQ(s.admin_endpoint(), admin_endpoint_);
  ASSERT_EQ(s.booths_size(), 2);  // the schedule's B1 and B2
  EXPECT_EQ(s.booths(0).booth(), "B1");
  ASSERT_EQ(s.colleges_size(), 2);
  EXPECT_EQ(s.colleges(0).roster(), 30u);
  last_seq_ = s.seq();
  ASSERT_TRUE(Scan("S2021001").outcome().accepted());
  std::optional<v1::LiveUpdate> booth = Until(*sub, [](const v1::LiveUpdate& u) {
    return u.has_booth() && u.booth().booth() == "B1" && u.booth().queue_size() == 1;
  });
  ASSERT_TRUE(booth.has_value());
  const v1::QueueEntry& entry = booth->booth().queue(0);
  EXPECT_EQ(entry.college(), "信息工程学院");
  EXPECT_EQ(entry.student_no(), "S2021001");
  EXPECT_EQ(entry.name(), "杜英");
  EXPECT_EQ(booth->booth().current_shooting_no(), 1u);
  EXPECT_TRUE(booth->booth().online());
  std::optional<v1::LiveUpdate> college = Until(*sub, [](const v1::LiveUpdate& u) {
    return u.has_college() && u.college().college() == "信息工程学院" && u.college().scanned() == 1;
  });
  EXPECT_TRUE(college.has_value());
}

TEST_F(LiveFeedTest, AnAlertAcknowledgedThroughTheAdminSocketIsLoggedWithWhoAndShown) {
  auto sub = Dealer(live_endpoint_);
  Subscribe(*sub, "", 0);
  std::optional<v1::Envelope> snapshot = Next(*sub);
  ASSERT_TRUE(snapshot && snapshot->has_live_snapshot());
  last_seq_ = snapshot->live_snapshot().seq();
  ASSERT_TRUE(Scan("S2021001").outcome().accepted());
  ASSERT_EQ(Scan("S2021001").outcome().reason(), v1::REASON_DUPLICATE_SCAN);
  std::optional<v1::LiveUpdate> raised =
      Until(*sub, [](const v1::LiveUpdate& u) { return u.has_alert() && u.alert().alert().kind() == v1::ALERT_DUPLICATE_SCAN; });
  ASSERT_TRUE(raised.has_value());
  EXPECT_FALSE(raised->alert().acknowledged());
  EXPECT_EQ(raised->alert().college(), "信息工程学院");
  v1::AdminRequest ack;
  ack.set_actor("lead-li");
  ack.mutable_ack_alert()->set_id(raised->alert().id());
  ack.mutable_ack_alert()->set_note("her friend scanned it: sent back to the queue");
  v1::AdminReply reply = Admin(ack);
  ASSERT_FALSE(reply.has_error()) << reply.error().message();
  EXPECT_TRUE(reply.alert().acknowledged());
  EXPECT_EQ(reply.alert().acknowledged_by(), "lead-li");
  std::optional<v1::LiveUpdate> shown = Until(*sub, [&](const v1::LiveUpdate& u) {
    return u.has_alert() && u.alert().id() == raised->alert().id() && u.alert().acknowledged();
  });
  ASSERT_TRUE(shown.has_value());
  v1::AdminRequest unknown;
  unknown.mutable_ack_alert()->set_id("L99999.0");
  EXPECT_EQ(Admin(unknown).error().code(), "NOT_FOUND");
  coordinator_.Signal(SIGTERM);
  ASSERT_TRUE(coordinator_.Wait(10000));
  auto log = EventLog::OpenReadOnly(db_);
  ASSERT_TRUE(log.ok());
  bool logged = false;
  ASSERT_TRUE((*log)->ForEachRecord([&](const v1::LogRecord& r) {
                     if (r.has_admin() && r.admin().action() == "alert_ack") {
                       logged = r.admin().actor() == "lead-li" && r.admin().source() == raised->alert().id();
                     }
                   }).ok());
  EXPECT_TRUE(logged);
}

TEST_F(LiveFeedTest, ACloseShowsInTheCollegeAndARestartGivesANewRunWithTheSameState) {
  auto sub = Dealer(live_endpoint_);
  Subscribe(*sub, "", 0);
  std::optional<v1::Envelope> first = Next(*sub);
  ASSERT_TRUE(first && first->has_live_snapshot());
  last_seq_ = first->live_snapshot().seq();
  const std::string run = first->live_snapshot().run();
  ASSERT_TRUE(Scan("S2021001").outcome().accepted());
  v1::AdminRequest close;
  close.mutable_close()->set_college("信息工程学院");
  close.mutable_close()->set_override_reason("rehearsal");
  ASSERT_FALSE(Admin(close).has_error());
  std::optional<v1::LiveUpdate> closed = Until(*sub, [](const v1::LiveUpdate& u) {
    return u.has_college() && u.college().college() == "信息工程学院" && u.college().closed();
  });
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->college().waiting_students_size(), 1);
  coordinator_.Signal(SIGKILL);
  ASSERT_TRUE(coordinator_.Wait(5000));
  Start();
  Subscribe(*sub, run, last_seq_);
  std::optional<v1::Envelope> again = Next(*sub);
  ASSERT_TRUE(again && again->has_live_snapshot()) << "after a restart the old numbers mean nothing";
  EXPECT_NE(again->live_snapshot().run(), run);
  EXPECT_EQ(again->live_snapshot().booths(0).queue_size(), 1);
  EXPECT_TRUE(again->live_snapshot().colleges(0).closed());
}

}  // namespace
}  // namespace gradcap
