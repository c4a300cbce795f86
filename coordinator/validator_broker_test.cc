// The validator pool's broker with real ZeroMQ sockets on loopback and
// scripted workers: jobs go to idle workers, a job whose worker goes silent
// is issued to another, and each photo's result comes out exactly once.
#include "coordinator/validator_broker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "common/envelope.h"
#include "common/sha256.h"
#include "common/transport.h"
#include "coordinator/scripted_worker_for_tests.h"

namespace gradcap {
namespace {

using namespace std::chrono_literals;

struct Photos {
  std::map<std::string, std::string> by_sha;
  std::string Add(const std::string& bytes) {
    const std::string sha = DigestBytes(Sha256(bytes));
    by_sha[sha] = bytes;
    return sha;
  }
};

std::vector<v1::ValidationResult> WaitResults(ValidatorBroker& broker, size_t n, std::chrono::milliseconds limit) {
  std::vector<v1::ValidationResult> out;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    for (auto& r : broker.TakeResults()) out.push_back(std::move(r));
    std::this_thread::sleep_for(10ms);
  }
  return out;
}

TEST(ValidatorBroker, JobsGoToIdleWorkersAndEachResultComesOutOnce) {
  Photos photos;
  std::atomic<int> wakes{0};
  BrokerOptions options;
  options.endpoint = "tcp://127.0.0.1:*";
  ValidatorBroker broker([&](const std::string& sha) -> std::optional<std::string> { return photos.by_sha.at(sha); },
                         options, [&] { ++wakes; });
  ASSERT_TRUE(broker.Start().ok());
  ScriptedWorker a(broker.endpoint(), "validator-a"), b(broker.endpoint(), "validator-b");
  std::vector<std::string> shas;
  for (int i = 0; i < 6; ++i) shas.push_back(photos.Add("photo " + std::to_string(i)));
  for (int i = 0; i < 6; ++i) broker.Submit(shas[i], 100 + i);
  broker.Submit(shas[0], 100);  // the same photo again: not a second job
  int done_a = 0, done_b = 0;
  for (int round = 0; round < 20 && done_a + done_b < 6; ++round) {
    if (auto job = a.NextJob(50)) a.Answer(*job, v1::VERDICT_PASS), ++done_a;
    if (auto job = b.NextJob(50)) b.Answer(*job, v1::VERDICT_FAIL), ++done_b;
  }
  const auto results = WaitResults(broker, 6, 3s);
  ASSERT_EQ(results.size(), 6u);
  EXPECT_GT(done_a, 0);
  EXPECT_GT(done_b, 0);  // both workers got work
  std::set<std::string> seen;
  for (const auto& r : results) EXPECT_TRUE(seen.insert(r.photo_sha256()).second) << "a result came out twice";
  EXPECT_GT(wakes.load(), 0);
  EXPECT_EQ(broker.stats().sent, 6u);
}

TEST(ValidatorBroker, AJobWhoseWorkerGoesSilentIsIssuedToAnotherAndAppliedOnce) {
  Photos photos;
  BrokerOptions options;
  options.endpoint = "tcp://127.0.0.1:*";
  options.worker_timeout_ms = 600;
  ValidatorBroker broker([&](const std::string& sha) -> std::optional<std::string> { return photos.by_sha.at(sha); },
                         options, nullptr);
  ASSERT_TRUE(broker.Start().ok());
  ScriptedWorker dying(broker.endpoint(), "validator-dying");
  std::this_thread::sleep_for(100ms);
  const std::string sha = photos.Add("the photo");
  broker.Submit(sha, 7);
  auto job = dying.NextJob(2000);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->log_seq(), 7u);
  // It dies holding the job. A second worker joins.
  ScriptedWorker rescuer(broker.endpoint(), "validator-rescuer");
  std::optional<v1::ValidationJob> again;
  for (int i = 0; i < 40 && !again; ++i) {
    again = rescuer.NextJob(100);
    if (!again) rescuer.Ready();  // idle workers keep saying so
  }
  ASSERT_TRUE(again.has_value()) << "the job was not issued again";
  EXPECT_EQ(again->photo_sha256(), sha);
  rescuer.Answer(*again, v1::VERDICT_PASS);
  dying.Answer(*job, v1::VERDICT_FAIL);  // late answer from the first worker: dropped
  const auto results = WaitResults(broker, 2, 1500ms);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].verdict(), v1::VERDICT_PASS);
  EXPECT_EQ(broker.stats().reissued, 1u);
  EXPECT_EQ(broker.stats().duplicates, 1u);
}

TEST(ValidatorBroker, AWorkerThatSaysItIsBusyKeepsItsJob) {
  Photos photos;
  BrokerOptions options;
  options.endpoint = "tcp://127.0.0.1:*";
  options.worker_timeout_ms = 800;
  ValidatorBroker broker([&](const std::string& sha) -> std::optional<std::string> { return photos.by_sha.at(sha); },
                         options, nullptr);
  ASSERT_TRUE(broker.Start().ok());
  ScriptedWorker slow(broker.endpoint(), "validator-slow"), other(broker.endpoint(), "validator-other");
  std::this_thread::sleep_for(100ms);
  const std::string sha = photos.Add("a 24-megapixel capture");
  broker.Submit(sha, 9);
  std::optional<v1::ValidationJob> job;
  ScriptedWorker* holder = nullptr;
  for (int i = 0; i < 20 && !job; ++i) {
    if ((job = slow.NextJob(50))) holder = &slow;
    else if ((job = other.NextJob(50))) holder = &other;
  }
  ASSERT_TRUE(job.has_value());
  ScriptedWorker* idle = holder == &slow ? &other : &slow;
  // Three worker timeouts of work, saying "busy" as it goes; the idle one keeps saying ready.
  for (int i = 0; i < 24; ++i) {
    std::this_thread::sleep_for(100ms);
    holder->Ready(/*busy=*/true);
    idle->Ready();
    EXPECT_FALSE(idle->NextJob(0).has_value()) << "the job was issued twice";
  }
  holder->Answer(*job, v1::VERDICT_PASS);
  const auto results = WaitResults(broker, 1, 1s);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(broker.stats().reissued, 0u);
}

TEST(ValidatorBroker, AResultForAJobTheValidatorWasNotGivenIsRefusedNamingItAndNeverApplied) {
  Photos photos;
  BrokerOptions options;
  options.endpoint = "tcp://127.0.0.1:*";
  ValidatorBroker broker([&](const std::string& sha) -> std::optional<std::string> { return photos.by_sha.at(sha); },
                         options, nullptr);
  ASSERT_TRUE(broker.Start().ok());
  ScriptedWorker honest(broker.endpoint(), "validator-honest");
  const std::string sha = photos.Add("the photo");
  broker.Submit(sha, 11);
  std::optional<v1::ValidationJob> job;
  for (int i = 0; i < 40 && !job; ++i) job = honest.NextJob(100);
  ASSERT_TRUE(job.has_value());
  // Another validator answers the job it saw nothing of — and one never submitted at all.
  ScriptedWorker forger(broker.endpoint(), "validator-forger");
  forger.Answer(*job, v1::VERDICT_PASS);
  v1::ValidationJob unknown;
  unknown.set_jpeg("a photo nobody sent");
  unknown.set_log_seq(99);
  forger.Answer(unknown, v1::VERDICT_PASS);
  std::vector<BrokerRefusal> refused;
  for (int i = 0; i < 300 && refused.size() < 2; ++i) {
    for (auto& r : broker.TakeRefusals()) refused.push_back(std::move(r));
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(refused.size(), 2u);
  for (const BrokerRefusal& r : refused) {
    EXPECT_EQ(r.code, v1::ERROR_JOB_NOT_GIVEN);
    EXPECT_NE(r.peer.find("validator-forger"), std::string::npos) << r.peer;
    EXPECT_NE(r.peer.find("peer:"), std::string::npos) << r.peer;  // its routing id
    EXPECT_EQ(r.address, "127.0.0.1");
  }
  EXPECT_TRUE(broker.TakeResults().empty()) << "a forged result was applied";
  // The job's own worker still answers it, once.
  honest.Answer(*job, v1::VERDICT_FAIL);
  const auto results = WaitResults(broker, 1, 2s);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].verdict(), v1::VERDICT_FAIL);
  EXPECT_EQ(broker.stats().refused, 2u);
}

}  // namespace
}  // namespace gradcap
