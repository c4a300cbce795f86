// CURVE on the booth socket: only enrolled booths get in, and each may only
// speak for itself. Real ZeroMQ on loopback, real key files in a temp folder.
#include <gtest/gtest.h>

#include <thread>

#include "common/key_files.h"
#include "common/sha256.h"
#include "common/temp_dir.h"
#include "coordinator/ingest_server.h"

namespace gradcap {
namespace {

class CurveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    keys_ = dir_.Sub("keys");
    ASSERT_TRUE(InitTransportKeys(keys_).ok());
    ASSERT_TRUE(EnrollBooth(keys_, "B1", false).ok());
    ASSERT_TRUE(EnrollBooth(keys_, "B2", false).ok());
    auto enrolled = LoadEnrolledBooths(keys_);
    ASSERT_TRUE(enrolled.ok());
    ASSERT_EQ(enrolled->size(), 2u);
    auto auth = CurveAuthenticator::Start(std::move(*enrolled));
    ASSERT_TRUE(auth.ok()) << auth.status();
    auth_ = std::move(*auth);
    auto log = EventLog::Open(dir_.Sub("db"), SystemClock::Get());
    ASSERT_TRUE(log.ok());
    log_ = std::move(*log);
    IngestOptions options;
    options.endpoint = "tcp://127.0.0.1:*";
    options.stats_interval_ms = 0;
    options.curve_keys = LoadCoordinatorKeys(keys_).value();
    server_ = std::make_unique<IngestServer>(log_.get(), &applier_, SystemClock::Get(), options);
    ASSERT_TRUE(server_->Bind().ok());
    thread_ = std::thread([this] { (void)server_->Run(stop_); });
  }

  void TearDown() override {
    stop_ = true;
    thread_.join();
  }

  std::unique_ptr<MessageSocket> Client(const std::optional<CurveKeyPair>& keys) {
    SocketOptions options;
    options.immediate = false;
    if (keys.has_value()) {
      options.curve_keys = *keys;
      options.curve_server_public_key = LoadBoothKeys(keys_, "B1")->coordinator_public_key;
    }
    auto client = MessageSocket::Create(SocketKind::kDealer, options);
    EXPECT_TRUE(client.ok());
    EXPECT_TRUE((*client)->Connect(server_->endpoint()).ok());
    return std::move(*client);
  }

  // The reply to one event claiming to be from `booth`, or nullopt.
  std::optional<v1::Envelope> Send(MessageSocket& client, const std::string& booth, int wait_ms) {
    v1::Envelope e;
    e.mutable_event()->mutable_id()->set_booth(booth);
    e.mutable_event()->mutable_id()->set_epoch(1);
    e.mutable_event()->mutable_id()->set_seq(1);
    e.mutable_event()->mutable_scan()->set_payload("code");
    EXPECT_TRUE(client.Send({SerializeEnvelope(e)}).ok());
    auto reply = client.Receive(wait_ms);
    if (!reply.ok() || !reply->has_value()) return std::nullopt;
    v1::Envelope r;
    EXPECT_TRUE(r.ParseFromString((**reply)[0]));
    return r;
  }

  TempDir dir_;
  std::string keys_;
  std::unique_ptr<CurveAuthenticator> auth_;
  AcceptAllApplier applier_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<IngestServer> server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(CurveTest, EnrolledBoothIsServed) {
  auto client = Client(LoadBoothKeys(keys_, "B1")->booth);
  auto reply = Send(*client, "B1", 5000);
  ASSERT_TRUE(reply.has_value());
  EXPECT_TRUE(reply->has_ack());
}

TEST_F(CurveTest, UnenrolledKeyIsRefusedBeforeAnyMessageIsRead) {
  auto client = Client(NewCurveKeyPair().value());
  EXPECT_FALSE(Send(*client, "B1", 1500).has_value());
  EXPECT_GE(auth_->refused(), 1u);
  EXPECT_EQ(log_->next_log_seq(), 1u);  // nothing reached the log
}

TEST_F(CurveTest, PlainTcpClientGetsNothing) {
  auto client = Client(std::nullopt);
  EXPECT_FALSE(Send(*client, "B1", 1500).has_value());
}

TEST_F(CurveTest, EnrolledBoothCannotSpeakForAnother) {
  auto client = Client(LoadBoothKeys(keys_, "B1")->booth);
  auto reply = Send(*client, "B2", 5000);
  ASSERT_TRUE(reply.has_value());
  ASSERT_TRUE(reply->has_error());
  EXPECT_EQ(reply->error().code(), "booth_mismatch");
  EXPECT_NE(reply->error().detail().find("B1"), std::string::npos);
}

TEST(TransportKeys, InitTwiceIsRefusedAndEnrolRequiresInit) {
  TempDir dir;
  EXPECT_EQ(EnrollBooth(dir.path(), "B1", false).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(InitTransportKeys(dir.path()).ok());
  EXPECT_EQ(InitTransportKeys(dir.path()).code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(EnrollBooth(dir.path(), "B1", false).ok());
  EXPECT_EQ(EnrollBooth(dir.path(), "B1", false).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(EnrollBooth(dir.path(), "B1", true).ok());
  EXPECT_EQ(EnrollBooth(dir.path(), "../x", false).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gradcap
