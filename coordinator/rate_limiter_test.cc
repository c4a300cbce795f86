// The per-peer token bucket on the booth socket, on a manual clock.
#include "coordinator/rate_limiter.h"

#include <gtest/gtest.h>

namespace gradcap {
namespace {

int Allowed(RateLimiter& limiter, const std::string& peer, int tries) {
  int n = 0;
  for (int i = 0; i < tries; ++i) n += limiter.Allow(peer);
  return n;
}

TEST(RateLimiter, APeerGetsItsBurstThenItsRateAndNoMore) {
  ManualClock clock(1'000'000);
  RateLimiter limiter(&clock, RateLimit{100, 50});
  EXPECT_EQ(Allowed(limiter, "B1", 500), 50);  // the burst, then nothing
  clock.Advance(1000);
  EXPECT_EQ(Allowed(limiter, "B1", 500), 50);  // a second refills up to the burst, no further
  clock.Advance(100);
  EXPECT_EQ(Allowed(limiter, "B1", 500), 10);  // 100 a second
}

TEST(RateLimiter, AFloodingPeerLeavesOtherPeersTheirWholeShare) {
  ManualClock clock(1'000'000);
  RateLimiter limiter(&clock, RateLimit{10, 20});
  EXPECT_EQ(Allowed(limiter, "flooder", 20'000), 20);
  EXPECT_EQ(Allowed(limiter, "B2", 20), 20);
  EXPECT_EQ(Allowed(limiter, "B3", 20), 20);
}

TEST(RateLimiter, WithoutARateEverythingIsAllowed) {
  ManualClock clock(0);
  RateLimiter limiter(&clock, RateLimit{});
  EXPECT_EQ(Allowed(limiter, "B1", 100'000), 100'000);
}

TEST(RateLimiter, ManyPeersDoNotGrowItsMemoryPastTheLimitOnceTheyAreQuiet) {
  ManualClock clock(0);
  RateLimiter limiter(&clock, RateLimit{10, 5, 100});
  for (int i = 0; i < 100; ++i) limiter.Allow("peer" + std::to_string(i));
  EXPECT_EQ(limiter.peers(), 100u);
  clock.Advance(1000);  // every bucket full again: nothing to remember
  EXPECT_TRUE(limiter.Allow("one more"));
  EXPECT_EQ(limiter.peers(), 1u);
}

}  // namespace
}  // namespace gradcap
