#include "coordinator/rate_limiter.h"

#include <algorithm>

namespace gradcap {

RateLimiter::RateLimiter(const Clock* clock, RateLimit limit) : clock_(clock), limit_(limit) {
  limit_.burst = std::max(limit_.burst, 1.0);
}

void RateLimiter::Refill(Bucket& bucket, int64_t now_ms) const {
  if (now_ms <= bucket.refilled_ms) return;
  bucket.tokens =
      std::min(limit_.burst, bucket.tokens + (now_ms - bucket.refilled_ms) * limit_.per_second / 1000.0);
  bucket.refilled_ms = now_ms;
}

void RateLimiter::ForgetFullBuckets(int64_t now_ms) {
  // A full bucket is what a new peer gets anyway: forgetting it changes nothing.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(it->second, now_ms);
    if (it->second.tokens >= limit_.burst) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
}

bool RateLimiter::Allow(const std::string& peer) {
  if (!enabled()) return true;
  const int64_t now_ms = clock_->MonotonicMs();
  auto it = buckets_.find(peer);
  if (it == buckets_.end()) {
    if (buckets_.size() >= limit_.max_peers) ForgetFullBuckets(now_ms);
    it = buckets_.emplace(peer, Bucket{limit_.burst, now_ms}).first;
  }
  Bucket& bucket = it->second;
  Refill(bucket, now_ms);
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

}  // namespace gradcap
