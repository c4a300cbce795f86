// One phone held in front of the camera for many frames is one scan, not
// thirty: a payload seen again within `hold_ms` of its last sighting is the
// same showing. A different payload is a new scan at once; the same payload
// after a gap longer than `hold_ms` is a new showing (the coordinator then
// decides whether that is a duplicate). Pure logic on caller-given times.
#pragma once

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace gradcap {

class Debouncer {
 public:
  explicit Debouncer(int64_t hold_ms = 2000) : hold_ms_(hold_ms) {}
  // True when this sighting is a new scan.
  bool Accept(const std::string& payload, int64_t now_ms);
  // The last sighting of `payload` did not count (it could not be stored):
  // the next one is a new scan.
  void Forget(const std::string& payload) { last_seen_ms_.erase(payload); }

 private:
  int64_t hold_ms_;
  absl::flat_hash_map<std::string, int64_t> last_seen_ms_;
};

}  // namespace gradcap
