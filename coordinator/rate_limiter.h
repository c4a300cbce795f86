// A token bucket per peer, so that a flood from one booth costs the others
// nothing but the look-up that refuses it: each peer may send `burst`
// messages at once and `per_second` after that. Peers are whatever the
// caller names them (the enrolled key's name under CURVE, else the routing
// id). Time comes from the injected clock (monotonic ms). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "common/clock.h"

namespace gradcap {

struct RateLimit {
  double per_second = 0;    // 0: no limit
  double burst = 0;         // bucket size; at least 1
  size_t max_peers = 4096;  // past this, buckets that are full again are forgotten
};

class RateLimiter {
 public:
  RateLimiter(const Clock* clock, RateLimit limit);

  // Takes one token of `peer`'s bucket: false when it is empty (refuse).
  bool Allow(const std::string& peer);
  bool enabled() const { return limit_.per_second > 0; }
  const RateLimit& limit() const { return limit_; }
  size_t peers() const { return buckets_.size(); }  // buckets remembered

 private:
  struct Bucket {
    double tokens = 0;
    int64_t refilled_ms = 0;
  };
  void Refill(Bucket& bucket, int64_t now_ms) const;
  void ForgetFullBuckets(int64_t now_ms);

  const Clock* clock_;
  RateLimit limit_;
  absl::flat_hash_map<std::string, Bucket> buckets_;
};

}  // namespace gradcap
