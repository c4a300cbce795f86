// The coordinator's ingest loop over real ZeroMQ sockets on loopback, with a
// real RocksDB log in a temp folder: every delivery rule and every kind of
// bad input, with the server still serving afterwards.
#include "coordinator/ingest_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/codes.h"
#include "common/sha256.h"
#include "common/temp_dir.h"
#include "audit/audit.h"

namespace gradcap {
namespace {

class IngestServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    stop_ = false;
    auto log = EventLog::Open(dir_.path(), SystemClock::Get());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    IngestOptions options;
    options.endpoint = "tcp://127.0.0.1:*";
    options.max_message_bytes = 256 * 1024;
    options.stats_interval_ms = 0;
    server_ = std::make_unique<IngestServer>(log_.get(), &applier_, SystemClock::Get(), options);
    ASSERT_TRUE(server_->Bind().ok());
    thread_ = std::thread([this] { served_ = server_->Run(stop_); });
    SocketOptions client_options;
    client_options.immediate = false;  // queue until connected
    auto client = MessageSocket::Create(SocketKind::kDealer, client_options);
    ASSERT_TRUE(client.ok());
    client_ = std::move(*client);
    ASSERT_TRUE(client_->Connect(server_->endpoint()).ok());
  }

  void TearDown() override {
    StopServer();
  }

  void StopServer() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
    EXPECT_TRUE(served_.ok()) << served_;
    server_.reset();
    log_.reset();
  }

  // Sends raw frames and returns the one reply.
  v1::Envelope Exchange(const Frames& frames) {
    EXPECT_TRUE(client_->Send(frames).ok());
    auto reply = client_->Receive(5000);
    EXPECT_TRUE(reply.ok() && reply->has_value()) << "no reply within 5 s";
    if (!reply.ok() || !reply->has_value()) return {};
    v1::Envelope envelope;
    EXPECT_EQ((*reply)->size(), 1u);
    EXPECT_TRUE(envelope.ParseFromString((**reply)[0]));
    return envelope;
  }

  v1::Envelope SendEvent(v1::BoothEvent event) {
    v1::Envelope e;
    *e.mutable_event() = std::move(event);
    return Exchange({SerializeEnvelope(e)});
  }

  static v1::BoothEvent Scan(uint64_t epoch, uint64_t seq, const std::string& booth = "B1") {
    v1::BoothEvent e;
    e.mutable_id()->set_booth(booth);
    e.mutable_id()->set_epoch(epoch);
    e.mutable_id()->set_seq(seq);
    e.mutable_scan()->set_payload("code");
    return e;
  }

  TempDir dir_;
  AcceptAllApplier applier_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<IngestServer> server_;
  std::unique_ptr<MessageSocket> client_;
  std::atomic<bool> stop_{false};
  absl::Status served_;
  std::thread thread_;
};

TEST_F(IngestServerTest, NextEventIsAckedWithItsLogPosition) {
  v1::Envelope reply = SendEvent(Scan(10, 1));
  ASSERT_TRUE(reply.has_ack());
  EXPECT_EQ(reply.ack().id().seq(), 1u);
  EXPECT_EQ(reply.ack().log_seq(), 1u);
  EXPECT_TRUE(reply.ack().outcome().accepted());
}

TEST_F(IngestServerTest, DuplicateGetsTheSameAckAgain) {
  v1::Envelope first = SendEvent(Scan(10, 1));
  SendEvent(Scan(10, 2));
  v1::Envelope again = SendEvent(Scan(10, 1));
  ASSERT_TRUE(again.has_ack());
  EXPECT_EQ(again.ack().SerializeAsString(), first.ack().SerializeAsString());
}

TEST_F(IngestServerTest, GapAsksForAResendFromTheExpectedSeq) {
  SendEvent(Scan(10, 1));
  v1::Envelope reply = SendEvent(Scan(10, 5));
  ASSERT_TRUE(reply.has_resend_from());
  EXPECT_EQ(reply.resend_from().next_seq(), 2u);
  EXPECT_EQ(reply.resend_from().epoch(), 10u);
}

TEST_F(IngestServerTest, StaleEpochIsRefusedAndTheNewerEpochKeepsWorking) {
  SendEvent(Scan(10, 1));
  SendEvent(Scan(11, 1));
  v1::Envelope stale = SendEvent(Scan(10, 2));
  ASSERT_TRUE(stale.has_error());
  EXPECT_EQ(stale.error().code(), v1::ERROR_STALE_EPOCH);
  EXPECT_EQ(stale.error().id().epoch(), 10u);
  EXPECT_TRUE(SendEvent(Scan(11, 2)).has_ack());
}

TEST_F(IngestServerTest, BadInputGetsAClearErrorAndIsLoggedAndServingGoesOn) {
  struct Case {
    Frames frames;
    std::string code;
  };
  v1::Envelope wrong_version;
  *wrong_version.mutable_event() = Scan(10, 1);
  wrong_version.set_version(7);
  std::string unknown_type = {'\x08', '\x01', static_cast<char>((99 << 3) | 2), '\x00'};
  v1::Envelope ack_from_booth;
  ack_from_booth.mutable_ack()->set_log_seq(1);
  v1::Envelope bodiless;
  *bodiless.mutable_event() = Scan(10, 1);
  bodiless.mutable_event()->clear_scan();
  std::vector<Case> cases = {
      {{"\x01\x02garbage\xff\xff"}, "malformed"},
      {{""}, "malformed"},
      {{"a", "b"}, "malformed"},
      {{std::string(300 * 1024, 'x')}, "oversized"},
      {{wrong_version.SerializeAsString()}, "wrong_version"},
      {{unknown_type}, "unknown_message"},
      {{SerializeEnvelope(ack_from_booth)}, "unknown_message"},
      {{SerializeEnvelope(bodiless)}, "unknown_message"},
  };
  for (const Case& c : cases) {
    v1::Envelope reply = Exchange(c.frames);
    ASSERT_TRUE(reply.has_error()) << c.code;
    EXPECT_EQ(CodeName(reply.error().code()), c.code);
    EXPECT_FALSE(reply.error().detail().empty());
  }
  v1::Envelope ok = SendEvent(Scan(10, 1));
  ASSERT_TRUE(ok.has_ack());
  EXPECT_EQ(ok.ack().log_seq(), cases.size() + 1);  // every refusal took a log record

  StopServer();
  v1::AuditReport report = VerifyLog(dir_.path());
  EXPECT_TRUE(report.ok()) << report.problem();
  EXPECT_EQ(report.rejected(), cases.size());
  EXPECT_EQ(report.applied(), 1u);
}

TEST_F(IngestServerTest, PhotoWhoseBytesDoNotMatchTheirDigestIsRefusedWithAReason) {
  v1::BoothEvent e = Scan(10, 1);
  e.mutable_photo()->set_jpeg(std::string(1000, 'a'));
  e.mutable_photo()->set_sha256(DigestBytes(Sha256("something else")));
  v1::Envelope reply = SendEvent(e);
  ASSERT_TRUE(reply.has_ack());
  EXPECT_FALSE(reply.ack().outcome().accepted());
  EXPECT_EQ(reply.ack().outcome().reason(), v1::REASON_PHOTO_DIGEST_MISMATCH);
}

TEST_F(IngestServerTest, HeartbeatIsAnsweredWithTheCommittedProgress) {
  SendEvent(Scan(10, 1));
  SendEvent(Scan(10, 2));
  v1::Envelope hb;
  hb.mutable_heartbeat()->set_booth("B1");
  hb.mutable_heartbeat()->set_epoch(10);
  v1::Envelope reply = Exchange({SerializeEnvelope(hb)});
  ASSERT_TRUE(reply.has_heartbeat());
  EXPECT_EQ(reply.heartbeat().epoch(), 10u);
  EXPECT_EQ(reply.heartbeat().last_seq(), 2u);
}

TEST_F(IngestServerTest, RestartedServerResumesFromTheLog) {
  SendEvent(Scan(10, 1));
  SendEvent(Scan(10, 2));
  StopServer();
  SetUp();  // same directory, fresh process state
  v1::Envelope dup = SendEvent(Scan(10, 2));
  ASSERT_TRUE(dup.has_ack());
  EXPECT_EQ(dup.ack().log_seq(), 2u);
  v1::Envelope next = SendEvent(Scan(10, 3));
  ASSERT_TRUE(next.has_ack());
  EXPECT_EQ(next.ack().log_seq(), 3u);
}

}  // namespace
}  // namespace gradcap
