#include "booth-agent/debouncer.h"

namespace gradcap {

bool Debouncer::Accept(const std::string& payload, int64_t now_ms) {
  auto [it, fresh] = last_seen_ms_.try_emplace(payload, now_ms);
  const bool new_showing = fresh || now_ms - it->second > hold_ms_;
  it->second = now_ms;
  // Forget old sightings so the map stays small over a long day.
  if (last_seen_ms_.size() > 4096) {
    for (auto i = last_seen_ms_.begin(); i != last_seen_ms_.end();) {
      if (now_ms - i->second > hold_ms_) {
        last_seen_ms_.erase(i++);
      } else {
        ++i;
      }
    }
  }
  return new_showing;
}

}  // namespace gradcap
