// CURVE on the booth socket: only enrolled booths get in, and each may only
// speak for itself. Real ZeroMQ on loopback, real key files in a temp folder.
#include <gtest/gtest.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
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
    ASSERT_TRUE(EnrollAdmin(keys_, "registrar", false).ok());
    auto enrolled = LoadEnrolledBooths(keys_);
    ASSERT_TRUE(enrolled.ok());
    ASSERT_EQ(enrolled->size(), 2u);
    std::vector<EnrolledKey> keys;
    for (auto& [key, name] : *enrolled) keys.push_back(EnrolledKey{key, name, "gradcap"});
    auto admins = LoadEnrolledAdmins(keys_);
    ASSERT_TRUE(admins.ok());
    for (auto& [key, name] : *admins) keys.push_back(EnrolledKey{key, name, "admin"});
    auto auth = CurveAuthenticator::Start(std::move(keys));
    ASSERT_TRUE(auth.ok()) << auth.status();
    auth_ = std::move(*auth);
    auto log = EventLog::Open(dir_.Sub("db"), SystemClock::Get());
    ASSERT_TRUE(log.ok());
    log_ = std::move(*log);
    IngestOptions options;
    options.endpoint = "tcp://127.0.0.1:*";
    options.stats_interval_ms = 0;
    options.curve_keys = LoadCoordinatorKeys(keys_).value();
    options.authenticator = auth_.get();
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
  EXPECT_EQ(reply->error().code(), v1::ERROR_BOOTH_MISMATCH);
  EXPECT_NE(reply->error().detail().find("B1"), std::string::npos);
}

// The tid of this process's thread named `name`, or 0.
pid_t ThreadNamed(const std::string& name) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string line;
    std::getline(comm, line);
    if (line == name) return static_cast<pid_t>(std::stol(task.path().filename().string()));
  }
  return 0;
}

TEST_F(CurveTest, TheAuthenticatorKeepsServingAfterAnInterruptedWait) {
  // A signal handler without SA_RESTART makes the authenticator's poll fail
  // with EINTR. Before, that ended its thread in silence and every booth
  // connecting afterwards was refused.
  struct sigaction on_usr1 {};
  on_usr1.sa_handler = [](int) {};
  sigemptyset(&on_usr1.sa_mask);
  on_usr1.sa_flags = 0;
  struct sigaction before {};
  ASSERT_EQ(sigaction(SIGUSR1, &on_usr1, &before), 0);
  const pid_t zap = ThreadNamed("gradcap-zap");
  ASSERT_NE(zap, 0);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(syscall(SYS_tgkill, getpid(), zap, SIGUSR1), 0);
  auto client = Client(LoadBoothKeys(keys_, "B1")->booth);
  auto reply = Send(*client, "B1", 5000);
  sigaction(SIGUSR1, &before, nullptr);
  ASSERT_TRUE(reply.has_value()) << "an enrolled booth connecting after the signals was not served";
  EXPECT_TRUE(reply->has_ack());
}

TEST_F(CurveTest, AnAdminKeyCannotUseTheBoothSocket) {
  // Enrolled, but for the admin socket's domain only.
  auto client = Client(LoadAdminKeys(keys_, "registrar")->booth);
  EXPECT_FALSE(Send(*client, "registrar", 1500).has_value());
  EXPECT_GE(auth_->refused(), 1u);
  EXPECT_EQ(log_->next_log_seq(), 1u);
}

TEST_F(CurveTest, RevokingABoothCutsOffItsOpenConnectionAtOnceAndItsNextHandshake) {
  auto b1 = Client(LoadBoothKeys(keys_, "B1")->booth);
  auto b2 = Client(LoadBoothKeys(keys_, "B2")->booth);
  ASSERT_TRUE(Send(*b1, "B1", 5000).value_or(v1::Envelope()).has_ack());
  ASSERT_TRUE(Send(*b2, "B2", 5000).value_or(v1::Envelope()).has_ack());
  absl::StatusOr<std::string> revoked = auth_->Revoke(kBoothZapDomain, "B1");
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(*revoked, LoadBoothKeys(keys_, "B1")->booth.public_key);
  // The connection opened before is still up, but nothing it sends is taken.
  std::optional<v1::Envelope> reply = Send(*b1, "B1", 5000);
  ASSERT_TRUE(reply.has_value());
  ASSERT_TRUE(reply->has_error());
  EXPECT_EQ(reply->error().code(), v1::ERROR_KEY_REVOKED);
  EXPECT_NE(reply->error().detail().find("B1"), std::string::npos);
  // A new connection with the same key does not get through the handshake.
  const uint64_t refused_before = auth_->refused();
  auto again = Client(LoadBoothKeys(keys_, "B1")->booth);
  EXPECT_FALSE(Send(*again, "B1", 1500).has_value());
  EXPECT_GT(auth_->refused(), refused_before);
  // Everyone else is served as before.
  EXPECT_TRUE(Send(*b2, "B2", 5000).value_or(v1::Envelope()).has_ack());
  EXPECT_EQ(auth_->Revoke(kBoothZapDomain, "B1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(auth_->IsRevoked(kBoothZapDomain, "B1"));
  EXPECT_FALSE(auth_->IsRevoked(kAdminZapDomain, "B1"));
}

TEST(TransportKeys, RevokingOfflineSetsTheKeyFilesAsideAndLetsTheNameEnrolAfresh) {
  TempDir dir;
  ASSERT_TRUE(InitTransportKeys(dir.path()).ok());
  ASSERT_TRUE(EnrollBooth(dir.path(), "B1", false).ok());
  ASSERT_TRUE(EnrollBooth(dir.path(), "B2", false).ok());
  const std::string old_key = LoadBoothKeys(dir.path(), "B1")->booth.public_key;
  absl::StatusOr<std::string> revoked = RevokeKeyFiles(dir.path(), "booths", "B1");
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(*revoked, old_key);
  auto enrolled = LoadEnrolledBooths(dir.path());
  ASSERT_TRUE(enrolled.ok());
  ASSERT_EQ(enrolled->size(), 1u);
  EXPECT_EQ((*enrolled)[0].second, "B2");
  EXPECT_TRUE(std::filesystem::exists(dir.Sub("booths/B1.public.revoked")));
  EXPECT_EQ(RevokeKeyFiles(dir.path(), "booths", "B1").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(EnrollBooth(dir.path(), "B1", false).ok());
  EXPECT_NE(LoadBoothKeys(dir.path(), "B1")->booth.public_key, old_key);
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
