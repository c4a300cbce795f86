// Time as gradcap code sees it. Everything that records a time takes a Clock,
// so tests and replay control it; only main() functions create a SystemClock.
#pragma once

#include <atomic>
#include <cstdint>

namespace gradcap {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (wall time, for records and displays).
  virtual int64_t NowMs() const = 0;
  // Milliseconds on a monotonic clock (for timeouts and latencies).
  virtual int64_t MonotonicMs() const = 0;
};

// The real clocks of this machine. Thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  int64_t MonotonicMs() const override;
  static SystemClock* Get();
};

// Another clock's time shifted by a fixed amount: rehearsals run "on the day"
// before it comes. Thread-safe.
class OffsetClock final : public Clock {
 public:
  OffsetClock(const Clock* base, int64_t offset_ms) : base_(base), offset_ms_(offset_ms) {}
  int64_t NowMs() const override { return base_->NowMs() + offset_ms_; }
  int64_t MonotonicMs() const override { return base_->MonotonicMs(); }

 private:
  const Clock* base_;
  int64_t offset_ms_;
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_ms_(start_ms) {}
  int64_t NowMs() const override { return now_ms_.load(); }
  int64_t MonotonicMs() const override { return now_ms_.load(); }
  void Advance(int64_t ms) { now_ms_ += ms; }
  void Set(int64_t ms) { now_ms_ = ms; }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace gradcap
