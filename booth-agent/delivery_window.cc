#include "booth-agent/delivery_window.h"

#include <algorithm>

namespace gradcap {

void DeliveryWindow::Reset(uint64_t acked_through, int64_t now_ms) {
  acked_through_ = acked_through;
  next_to_send_ = acked_through + 1;
  timeout_ms_ = config_.initial_timeout_ms;
  waiting_since_ms_ = now_ms;
  last_rewind_to_ = 0;
}

uint64_t DeliveryWindow::NextToSend(uint64_t last_assigned) const {
  if (next_to_send_ > last_assigned) return 0;
  if (in_flight() >= config_.max_in_flight) return 0;
  return next_to_send_;
}

void DeliveryWindow::OnSent(uint64_t seq, int64_t now_ms) {
  if (seq != next_to_send_) return;
  if (in_flight() == 0) waiting_since_ms_ = now_ms;
  ++next_to_send_;
}

bool DeliveryWindow::OnAcked(uint64_t seq, int64_t now_ms) {
  if (seq <= acked_through_) return false;
  acked_through_ = seq;
  next_to_send_ = std::max(next_to_send_, seq + 1);
  timeout_ms_ = config_.initial_timeout_ms;
  waiting_since_ms_ = now_ms;
  return true;
}

void DeliveryWindow::OnResendFrom(uint64_t next_seq, int64_t now_ms) {
  if (next_seq == 0) return;
  OnAcked(next_seq - 1, now_ms);
  if (next_seq < acked_through_ + 1) return;  // older news than what we know
  if (next_to_send_ <= next_seq) return;      // nothing past it was sent
  // Several in-flight events answer with the same request; rewind once.
  if (last_rewind_to_ == next_seq && now_ms - last_rewind_ms_ < timeout_ms_) return;
  Rewind(next_seq, now_ms);
}

bool DeliveryWindow::CheckTimeout(int64_t now_ms) {
  if (in_flight() == 0) return false;
  if (now_ms - waiting_since_ms_ < timeout_ms_) return false;
  Rewind(acked_through_ + 1, now_ms);
  timeout_ms_ = std::min(timeout_ms_ * 2, config_.max_timeout_ms);
  return true;
}

void DeliveryWindow::Rewind(uint64_t to, int64_t now_ms) {
  next_to_send_ = to;
  last_rewind_to_ = to;
  last_rewind_ms_ = now_ms;
  waiting_since_ms_ = now_ms;
  ++rewinds_;
}

}  // namespace gradcap
