// The business decision for an event the delivery rules let through: the
// seam where roster, code and queue rules plug in. Called in log order on the
// ingest thread; implementations must be deterministic in the event (no wall
// clock, no randomness) so replaying the log rebuilds the same state.
#pragma once

#include "proto/gradcap.pb.h"

namespace gradcap {

class EventApplier {
 public:
  virtual ~EventApplier() = default;
  virtual v1::Outcome Apply(const v1::BoothEvent& event, uint64_t log_seq) = 0;
};

// Accepts every well-delivered event (delivery only, no capture-day rules).
class AcceptAllApplier final : public EventApplier {
 public:
  v1::Outcome Apply(const v1::BoothEvent& event, uint64_t log_seq) override {
    v1::Outcome outcome;
    outcome.set_accepted(true);
    return outcome;
  }
};

}  // namespace gradcap
