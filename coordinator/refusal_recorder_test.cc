// Refusals in the chained log: the first ones of a peer and code logged one
// by one, a flood counted in one record per interval; replayed through
// CaptureDay::Apply like every record. Real RocksDB in a temp folder, a
// manual clock.
#include "coordinator/refusal_recorder.h"

#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "coordinator/capture_day.h"
#include "registry/registry.h"

namespace gradcap {
namespace {

class RefusalRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = EventLog::Open(dir_.path(), &clock_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    registry_ = std::make_unique<Registry>(&log_->store());
    day_ = std::make_unique<CaptureDay>(registry_.get());
  }

  uint64_t Refuse(RefusalRecorder& recorder, const std::string& peer, v1::ErrorCode code) {
    return recorder.Refuse(
        RefusedPeer{"booth", peer, "10.0.0.9"}, peer, code, [] { return std::string("bad"); }, "garbage",
        nullptr);
  }

  // The state rebuilt from the committed log alone.
  CaptureDay Replayed() {
    EXPECT_TRUE(log_->Commit().ok());
    CaptureDay day(registry_.get());
    EXPECT_TRUE(ReplayLog(*log_, &day).ok());
    return day;
  }

  ManualClock clock_;
  TempDir dir_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<CaptureDay> day_;
};

TEST_F(RefusalRecorderTest, AFloodIsLoggedOneByOneOnlyUpToTheThresholdThenCountedInOneRecord) {
  RefusalRecorder recorder(log_.get(), day_.get(), &clock_, RefusalPolicy{10'000, 10, 100, 1024});
  int answered = 0;
  for (int i = 0; i < 20'000; ++i) answered += Refuse(recorder, "address:10.0.0.9", v1::ERROR_MALFORMED) != 0;
  for (int i = 0; i < 3; ++i) answered += Refuse(recorder, "B2", v1::ERROR_STALE_EPOCH) != 0;
  EXPECT_EQ(answered, 13);  // only refusals logged one by one get an answer
  EXPECT_EQ(log_->staged_records(), 13);
  recorder.Tick();  // the interval is not over: nothing more
  EXPECT_EQ(log_->staged_records(), 13);
  clock_.Advance(10'000);
  recorder.Tick();
  EXPECT_EQ(log_->staged_records(), 14);  // one count, for the flood (B2 was all logged)
  EXPECT_EQ(recorder.counted(), 19'990u);

  const CaptureDay day = Replayed();
  const auto& refusals = day.refusals();
  auto flood = refusals.find({"booth", "address:10.0.0.9", v1::ERROR_MALFORMED});
  ASSERT_NE(flood, refusals.end());
  EXPECT_EQ(flood->second.logged, 10u);
  EXPECT_EQ(flood->second.counted, 19'990u);
  EXPECT_EQ(day_->refusals(), refusals) << "the live state and the replay must agree";
}

TEST_F(RefusalRecorderTest, EachIntervalLogsItsFirstRefusalsAgain) {
  RefusalRecorder recorder(log_.get(), day_.get(), &clock_, RefusalPolicy{1000, 2, 100, 1024});
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 50; ++i) Refuse(recorder, "B1", v1::ERROR_RATE_LIMITED);
    clock_.Advance(1000);
  }
  recorder.FlushAll();
  EXPECT_EQ(log_->staged_records(), 3 * (2 + 1));
  const CaptureDay day = Replayed();
  auto it = day.refusals().find({"booth", "B1", v1::ERROR_RATE_LIMITED});
  ASSERT_NE(it, day.refusals().end());
  EXPECT_EQ(it->second.logged + it->second.counted, 150u);
}

TEST_F(RefusalRecorderTest, ManyPeersAtOnceStayWithinTheTotalAndThePeerLimit) {
  RefusalRecorder recorder(log_.get(), day_.get(), &clock_, RefusalPolicy{10'000, 10, 100, 50});
  for (int peer = 0; peer < 1000; ++peer) {
    for (int i = 0; i < 5; ++i) Refuse(recorder, "address:10.1." + std::to_string(peer), v1::ERROR_MALFORMED);
  }
  recorder.FlushAll();
  // 100 one by one, then at most one count per peer tracked plus one for the rest.
  EXPECT_LE(log_->staged_records(), 100 + 50 + 1);
  const CaptureDay day = Replayed();
  uint64_t total = 0;
  for (const auto& [key, r] : day.refusals()) total += r.logged + r.counted;
  EXPECT_EQ(total, 5000u);
  EXPECT_TRUE(day.refusals().contains({"booth", "(other peers)", v1::ERROR_MALFORMED}));
}

}  // namespace
}  // namespace gradcap
