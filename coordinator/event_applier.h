// The business decision for an event the delivery rules let through: the
// seam where roster, code and queue rules plug in. Called in log order on the
// ingest thread. Decisions may depend on the time given (the coordinator's
// injected clock, recorded in the log record) but on nothing else outside
// the applier; Replay rebuilds the state from recorded decisions without
// deciding again, so a restarted coordinator holds exactly what it held.
#pragma once

#include <cstdint>
#include <string>

#include "proto/gradcap.pb.h"

namespace gradcap {

class EventApplier {
 public:
  virtual ~EventApplier() = default;
  // Decides `event` and updates the state. Fills `outcome` (what the booth is
  // told) and `binding` (who it concerns; stays in the log).
  virtual void Apply(const v1::BoothEvent& event, uint64_t log_seq, int64_t now_ms, v1::Outcome* outcome,
                     v1::Binding* binding) = 0;
  // Applies a decision read back from the log.
  virtual void Replay(const v1::AppliedEvent& applied, uint64_t log_seq) = 0;
  // Records a photo's verdict (live and on replay, same call). When the
  // photo is still the student's current one, the verdict becomes theirs and
  // `verdict` (may be null) is filled with what the booth is told; a verdict
  // for a replaced photo leaves both alone.
  virtual void ApplyVerdict(const v1::ValidationRecord& record, uint64_t log_seq, v1::PhotoVerdict* verdict) {}
  // Live only, before ApplyVerdict: the substitution signals a verdict
  // raises (face_duplicate, face_match), added to the record so the log
  // keeps them and replay does not decide again.
  virtual void RaiseVerdictAlerts(v1::ValidationRecord* record) const {}
  // The roster's enrolment photo of a student (a file path), or empty.
  virtual std::string EnrolmentPhoto(const std::string& student_no) const { return ""; }
  // What the booth's operator may see of its queue (masked names only).
  virtual void DescribeBooth(const std::string& booth, v1::BoothState* state) const {}
};

// Accepts every well-delivered event (delivery only, no capture-day rules):
// for tests and benchmarks of the delivery layer.
class AcceptAllApplier final : public EventApplier {
 public:
  void Apply(const v1::BoothEvent&, uint64_t, int64_t, v1::Outcome* outcome, v1::Binding*) override {
    outcome->set_accepted(true);
  }
  void Replay(const v1::AppliedEvent&, uint64_t) override {}
};

}  // namespace gradcap
