#include "live/live_feed.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "live/fake_coordinator_for_tests.h"

namespace gradcap {
namespace {

using testing::FakeLiveCoordinator;

// What the listener was told, with a wait for a condition on it.
class Recorder {
 public:
  LiveFeed::Listener listener() {
    return [this](const LiveState& state, const std::vector<LiveChange>& changes, LinkState link) {
      std::lock_guard<std::mutex> lock(mu_);
      booths_ = state.booths();
      link_ = link;
      changes_ += changes.size();
      changed_.notify_all();
    };
  }
  bool Wait(const std::function<bool(const std::map<std::string, v1::BoothState>&, LinkState)>& done,
            int timeout_ms = 5000) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                             [&] { return done(booths_, link_); });
  }
  size_t changes() {
    std::lock_guard<std::mutex> lock(mu_);
    return changes_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, v1::BoothState> booths_;
  LinkState link_ = LinkState::kConnecting;
  size_t changes_ = 0;
};

v1::BoothState Booth(const std::string& id, uint32_t waiting) {
  v1::BoothState booth;
  booth.set_booth(id);
  booth.set_online(true);
  for (uint32_t i = 1; i <= waiting; ++i) booth.add_queue()->set_shooting_no(i);
  return booth;
}

auto Waiting(const std::string& id, int n) {
  return [id, n](const std::map<std::string, v1::BoothState>& booths, LinkState) {
    auto it = booths.find(id);
    return it != booths.end() && it->second.queue_size() == n;
  };
}

LiveFeedOptions FastOptions(const FakeLiveCoordinator& fake) {
  LiveFeedOptions options;
  options.endpoint = fake.live_endpoint();
  options.keepalive_ms = 300;
  options.retry_ms = 300;
  options.silence_ms = 600;
  options.reconnect_ms = 3000;
  return options;
}

TEST(LiveFeedTest, SnapshotFirstThenEveryUpdate) {
  FakeLiveCoordinator fake("run-1", 100);
  fake.PutBooth(Booth("B1", 1));
  Recorder recorder;
  auto feed = LiveFeed::Start(FastOptions(fake), recorder.listener()).value();
  ASSERT_TRUE(recorder.Wait(Waiting("B1", 1)));
  fake.PutBooth(Booth("B2", 3));
  fake.PutBooth(Booth("B1", 2));
  ASSERT_TRUE(recorder.Wait(Waiting("B2", 3)));
  ASSERT_TRUE(recorder.Wait(Waiting("B1", 2)));
  EXPECT_EQ(feed->snapshots(), 1u);
}

TEST(LiveFeedTest, GapIsFilledFromTheMissedUpdatesWithoutANewSnapshot) {
  FakeLiveCoordinator fake("run-1", 100);
  Recorder recorder;
  auto feed = LiveFeed::Start(FastOptions(fake), recorder.listener()).value();
  ASSERT_TRUE(recorder.Wait([](const auto&, LinkState link) { return link == LinkState::kLive; }));
  fake.SkipNextUpdate();
  fake.PutBooth(Booth("B1", 1));  // not sent
  fake.PutBooth(Booth("B2", 1));  // sent: a gap
  ASSERT_TRUE(recorder.Wait(Waiting("B1", 1)));
  ASSERT_TRUE(recorder.Wait(Waiting("B2", 1)));
  EXPECT_GE(feed->resubscribes(), 1u);
  EXPECT_EQ(fake.snapshots_sent(), 1u);
}

TEST(LiveFeedTest, RestartedCoordinatorIsSnapshottedAgainAndOnlyChangesAreTold) {
  FakeLiveCoordinator fake("run-1", 100);
  fake.PutBooth(Booth("B1", 1));
  fake.PutBooth(Booth("B2", 2));
  Recorder recorder;
  auto feed = LiveFeed::Start(FastOptions(fake), recorder.listener()).value();
  ASSERT_TRUE(recorder.Wait(Waiting("B2", 2)));
  const size_t before = recorder.changes();
  fake.Restart("run-2");
  fake.PutBooth(Booth("B1", 4));
  ASSERT_TRUE(recorder.Wait(Waiting("B1", 4)));
  EXPECT_EQ(feed->snapshots(), 2u);
  EXPECT_EQ(recorder.changes() - before, 1u);  // B1 only: B2 is the same after the restart
}

TEST(LiveFeedTest, SilentCoordinatorIsLostThenLiveAgain) {
  FakeLiveCoordinator fake("run-1", 100);
  Recorder recorder;
  auto feed = LiveFeed::Start(FastOptions(fake), recorder.listener()).value();
  ASSERT_TRUE(recorder.Wait([](const auto&, LinkState link) { return link == LinkState::kLive; }));
  fake.SetSilent(true);
  ASSERT_TRUE(recorder.Wait([](const auto&, LinkState link) { return link == LinkState::kLost; }));
  fake.PutBooth(Booth("B1", 2));  // kept, not sent while silent
  fake.SetSilent(false);
  ASSERT_TRUE(recorder.Wait([](const auto&, LinkState link) { return link == LinkState::kLive; }));
  ASSERT_TRUE(recorder.Wait(Waiting("B1", 2)));
}

}  // namespace
}  // namespace gradcap
