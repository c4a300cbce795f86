// Which outbox events to (re)send when: a pipelined window with cumulative
// acks, "resend from" rewinds and retransmission with exponential backoff.
// Pure logic on seq numbers and a caller-supplied time; no I/O, so every rule
// is unit-tested. Single-threaded.
#pragma once

#include <cstdint>

namespace gradcap {

struct WindowConfig {
  uint64_t max_in_flight = 512;
  int64_t initial_timeout_ms = 500;  // no ack progress for this long: resend
  int64_t max_timeout_ms = 8000;     // backoff doubles up to this
};

class DeliveryWindow {
 public:
  explicit DeliveryWindow(WindowConfig config = {}) : config_(config), timeout_ms_(config.initial_timeout_ms) {}

  // Starts from what the outbox knows is acked.
  void Reset(uint64_t acked_through, int64_t now_ms);

  // The next seq to send, if the window has room and `last_assigned` has one;
  // 0 when nothing should be sent now. Call OnSent after sending it.
  uint64_t NextToSend(uint64_t last_assigned) const;
  void OnSent(uint64_t seq, int64_t now_ms);

  // The coordinator holds everything through `seq`. True when that is news.
  bool OnAcked(uint64_t seq, int64_t now_ms);
  // The coordinator wants `next_seq` next: everything before is held; resend
  // from there (once per timeout, however many in-flight events trigger it).
  void OnResendFrom(uint64_t next_seq, int64_t now_ms);
  // Resends from the oldest unacked event when acks stopped coming; backs off.
  // True when it rewound.
  bool CheckTimeout(int64_t now_ms);

  uint64_t acked_through() const { return acked_through_; }
  uint64_t in_flight() const { return next_to_send_ - 1 - acked_through_; }
  int64_t timeout_ms() const { return timeout_ms_; }
  uint64_t rewinds() const { return rewinds_; }

 private:
  void Rewind(uint64_t to, int64_t now_ms);

  WindowConfig config_;
  uint64_t acked_through_ = 0;
  uint64_t next_to_send_ = 1;
  int64_t timeout_ms_;
  int64_t waiting_since_ms_ = 0;  // when the oldest unacked send (or last progress) happened
  uint64_t last_rewind_to_ = 0;
  int64_t last_rewind_ms_ = 0;
  uint64_t rewinds_ = 0;
};

}  // namespace gradcap
