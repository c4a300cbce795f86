// The validator as real processes: `validator check` on real tiny JPEG files,
// and a worker serving a scripted broker (a ROUTER socket on loopback, as the
// coordinator's pool does). A photo of any size gets a verdict; no photo
// kills the process that checks it.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/envelope.h"
#include "common/sha256.h"
#include "common/temp_dir.h"
#include "common/transport.h"
#include "tests/process.h"

namespace gradcap {
namespace {

using testing::ChildProcess;

std::string PlainJpeg(int width, int height) {
  cv::Mat blue(height, width, CV_8UC3, cv::Scalar(255, 197, 100));
  std::vector<uint8_t> jpeg;
  cv::imencode(".jpg", blue, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90});
  return std::string(jpeg.begin(), jpeg.end());
}

TEST(ValidatorCheckCli, TinyJpegsEachGetAVerdictAndTheRestOfTheListIsChecked) {
  TempDir dir;
  std::vector<std::string> argv = {VALIDATOR_BIN, "check", "--json"};
  const std::vector<std::pair<int, int>> sizes = {{1, 1}, {1, 640}, {640, 1}, {2, 2}, {5000, 80}, {480, 640}};
  for (const auto& [w, h] : sizes) {
    const std::string path = dir.Sub(absl::StrFormat("%dx%d.jpg", w, h));
    std::ofstream(path, std::ios::binary) << PlainJpeg(w, h);
    argv.push_back(path);
  }
  std::string out;
  EXPECT_EQ(testing::RunCommand(argv, &out, 120000), 1) << out;  // 1: some photo failed (not a crash)
  std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), sizes.size()) << out;
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    const std::string size = absl::StrFormat("%d × %d", sizes[i].first, sizes[i].second);
    EXPECT_NE(lines[i].find(R"("verdict":"fail")"), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find(R"({"id":"image_format","status":"fail")"), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find("JPEG is " + size + " pixels: too "), std::string::npos) << lines[i];
  }
  // The last, a plain 480 × 640 picture, was still checked.
  EXPECT_NE(lines.back().find(R"({"id":"image_format","status":"pass")"), std::string::npos) << lines.back();
}

// The coordinator's side of the validator pool, scripted.
class FakeBroker {
 public:
  explicit FakeBroker(const std::string& endpoint) {
    SocketOptions o;
    socket_ = MessageSocket::Create(SocketKind::kRouter, o).value();
    EXPECT_TRUE(socket_->Bind(endpoint).ok());
  }
  // The next message a worker sent, and who sent it.
  std::optional<std::pair<std::string, v1::Envelope>> Next(int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      auto frames = socket_->Receive(100);
      if (!frames.ok() || !frames->has_value() || (*frames)->size() != 2) continue;
      ParsedEnvelope parsed = ParseEnvelope((**frames)[1]);
      if (parsed.envelope) return std::make_pair((**frames)[0], *parsed.envelope);
    }
    return std::nullopt;
  }
  // The next result (ready and busy messages are skipped).
  std::optional<v1::ValidationResult> NextResult(int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      auto m = Next(200);
      if (m && m->second.has_validation_result()) return m->second.validation_result();
    }
    return std::nullopt;
  }
  void SendJob(const std::string& worker, const std::string& jpeg, uint64_t log_seq) {
    v1::Envelope e;
    v1::ValidationJob* job = e.mutable_validation_job();
    job->set_jpeg(jpeg);
    job->set_photo_sha256(DigestBytes(Sha256(jpeg)));
    job->set_log_seq(log_seq);
    ASSERT_TRUE(socket_->Send({worker, SerializeEnvelope(e)}).ok());
  }

 private:
  std::unique_ptr<MessageSocket> socket_;
};

class ValidatorWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    endpoint_ = absl::StrFormat("tcp://127.0.0.1:%d", testing::FreeLoopbackPort());
  }
  void StartWorker(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {VALIDATOR_BIN,     "--coordinator", endpoint_,       "--store",
                                     dir_.Sub("store"), "--name",        "validator-test"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ASSERT_TRUE(worker_.Start(argv, dir_.Sub("worker.log")));
  }
  std::string WorkerLog() { return testing::ReadFile(dir_.Sub("worker.log")); }

  TempDir dir_;
  std::string endpoint_;
  ChildProcess worker_;
};

TEST_F(ValidatorWorkerTest, ATinyPhotoGetsAFailVerdictAndTheWorkerServesTheNextJob) {
  FakeBroker broker(endpoint_);
  StartWorker();
  auto ready = broker.Next(60000);
  ASSERT_TRUE(ready && ready->second.has_validator_ready()) << WorkerLog();
  const std::string worker = ready->first;
  uint64_t log_seq = 7;
  for (const auto& [w, h] : {std::pair{1, 1}, std::pair{640, 1}, std::pair{480, 640}}) {
    SCOPED_TRACE(::testing::Message() << w << " x " << h);
    broker.SendJob(worker, PlainJpeg(w, h), log_seq);
    std::optional<v1::ValidationResult> result = broker.NextResult(60000);
    ASSERT_TRUE(result.has_value()) << WorkerLog();
    EXPECT_EQ(result->log_seq(), log_seq++);
    ASSERT_GT(result->checks_size(), 0);
    EXPECT_EQ(result->checks(0).id(), "image_format");
    if (w < 80 || h < 80) {
      EXPECT_EQ(result->verdict(), v1::VERDICT_FAIL);
      EXPECT_EQ(result->checks(0).status(), v1::CHECK_FAIL);
      EXPECT_NE(result->checks(0).reason_en().find("too small to check"), std::string::npos);
    } else {
      EXPECT_EQ(result->checks(0).status(), v1::CHECK_PASS);
    }
  }
  EXPECT_TRUE(worker_.running()) << WorkerLog();
}

TEST_F(ValidatorWorkerTest, AResultThatCannotBeSentIsRetriedUntilTheCoordinatorIsBack) {
  auto broker = std::make_unique<FakeBroker>(endpoint_);
  StartWorker({"--heartbeat_ms", "10"});
  auto ready = broker->Next(60000);
  ASSERT_TRUE(ready && ready->second.has_validator_ready()) << WorkerLog();
  // A 24-megapixel capture: its check takes long enough for many busy messages.
  cv::Mat capture(4000, 6000, CV_8UC3, cv::Scalar(255, 197, 100));
  cv::circle(capture, {3000, 1500}, 700, cv::Scalar(120, 150, 200), -1);
  std::vector<uint8_t> jpeg;
  cv::imencode(".jpg", capture, jpeg, {cv::IMWRITE_JPEG_QUALITY, 95});
  broker->SendJob(ready->first, std::string(jpeg.begin(), jpeg.end()), 42);
  // The worker has the job once it says it is busy with it.
  std::optional<std::pair<std::string, v1::Envelope>> busy;
  do {
    busy = broker->Next(60000);
  } while (busy && !(busy->second.has_validator_ready() && busy->second.validator_ready().busy()));
  ASSERT_TRUE(busy.has_value()) << WorkerLog();

  broker.reset();  // the coordinator goes away mid-check
  // Its busy messages fill the worker's queue, so the result cannot be queued.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (WorkerLog().find("result for log record 42 not sent") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    worker_.Wait(20);  // polls the log; the worker must not exit meanwhile
  }
  ASSERT_NE(WorkerLog().find("result for log record 42 not sent"), std::string::npos) << WorkerLog();

  broker = std::make_unique<FakeBroker>(endpoint_);  // and comes back
  std::optional<v1::ValidationResult> result = broker->NextResult(60000);
  ASSERT_TRUE(result.has_value()) << WorkerLog();
  EXPECT_EQ(result->log_seq(), 42u);
  EXPECT_EQ(result->photo_sha256(), DigestBytes(Sha256(std::string(jpeg.begin(), jpeg.end()))));
  EXPECT_TRUE(worker_.running()) << WorkerLog();
}

// The shipped rules with `replacements` ("key = value" lines replacing that key's line).
std::string RulesWith(const std::vector<std::string>& replacements) {
  std::string out;
  for (const std::string& line :
       std::vector<std::string>(absl::StrSplit(testing::ReadFile(RULES_DIR "/chsi2017-r16.rules"), '\n'))) {
    std::string replaced = line;
    for (const std::string& r : replacements) {
      const std::string key = r.substr(0, r.find(' '));
      if (line.rfind(key + " ", 0) == 0) replaced = r;
    }
    out += replaced + "\n";
  }
  return out;
}

TEST_F(ValidatorWorkerTest, ResultsCachedUnderOneRuleSetAreNeverReusedUnderAnother) {
  std::ofstream(dir_.Sub("a.rules")) << RulesWith({});
  std::ofstream(dir_.Sub("b.rules")) << RulesWith({"version = site-strict", "min_jpeg_quality = 100"});
  FakeBroker broker(endpoint_);
  const std::string jpeg = PlainJpeg(480, 640);  // quality 90
  auto serve = [&](const std::string& rules, uint64_t log_seq) {
    std::optional<v1::ValidationResult> result;
    // The worker says which rule set it serves; idle heartbeats of the
    // worker that just stopped may still be queued ahead of it.
    auto ready = broker.Next(60000);
    while (ready && ready->second.has_validator_ready() &&
           ready->second.validator_ready().rule_set() != rules) {
      ready = broker.Next(60000);
    }
    EXPECT_TRUE(ready && ready->second.has_validator_ready()) << WorkerLog();
    if (!ready) return result;
    broker.SendJob(ready->first, jpeg, log_seq);
    result = broker.NextResult(60000);
    EXPECT_TRUE(result.has_value()) << WorkerLog();
    return result;
  };
  auto quality = [](const v1::ValidationResult& r) {
    for (const auto& c : r.checks()) {
      if (c.id() == "jpeg_quality") return c.status();
    }
    return v1::CHECK_STATUS_NONE;
  };
  auto restart = [&](const std::string& rules_file) {
    worker_.Signal(SIGTERM);
    ASSERT_TRUE(worker_.Wait(30000)) << WorkerLog();
    StartWorker({"--rules", dir_.Sub(rules_file)});
  };

  StartWorker({"--rules", dir_.Sub("a.rules")});
  auto first = serve("chsi2017-r16", 1);
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->from_store());
  EXPECT_EQ(first->rule_set(), "chsi2017-r16");
  EXPECT_EQ(quality(*first), v1::CHECK_PASS);

  restart("b.rules");
  auto strict = serve("site-strict", 2);
  ASSERT_TRUE(strict);
  EXPECT_FALSE(strict->from_store()) << "a result of chsi2017-r16 was reused under site-strict";
  EXPECT_EQ(strict->rule_set(), "site-strict");
  EXPECT_EQ(quality(*strict), v1::CHECK_FAIL);

  restart("a.rules");
  auto again = serve("chsi2017-r16", 3);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->from_store());  // the cache itself still works
  EXPECT_EQ(quality(*again), v1::CHECK_PASS);
}

TEST_F(ValidatorWorkerTest, ABadRulesFileStopsTheWorkerBeforeItStarts) {
  std::ofstream(dir_.Sub("bad.rules")) << RulesWith({"max_yaw_deg = fast"});
  std::string out;
  EXPECT_EQ(testing::RunCommand({VALIDATOR_BIN, "--coordinator", endpoint_, "--store", dir_.Sub("store"),
                                 "--rules", dir_.Sub("bad.rules")},
                                &out),
            2);
  EXPECT_NE(out.find("bad.rules:"), std::string::npos) << out;
  EXPECT_NE(out.find(": key max_yaw_deg \"fast\" is not a number"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("store"))) << "the worker started";
}

}  // namespace
}  // namespace gradcap
