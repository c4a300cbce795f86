// The seam between delivery and the capture-day rules. The ingest loop calls
// it on one thread, in log order:
//
//   Decide      — for an event the delivery rules let through: what the booth
//                 is told and who the event concerns. Reads state, changes
//                 nothing; may use `now_ms` (recorded with the decision) and
//                 nothing else outside the applier.
//   Apply       — for every record once it is staged, live, and for every
//                 committed record at start-up: the ONE place state changes.
//                 It reads only the record (never a clock, never the rules),
//                 so a restarted coordinator holds exactly what it held.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/gradcap.pb.h"

namespace gradcap {

// An accepted photo (or retake) waiting for its verdict.
struct PendingPhoto {
  std::string sha256;  // raw digest
  uint64_t log_seq = 0;
  std::string booth;
  uint32_t shooting_no = 0;
  std::string student_no;
  std::string enrolment_photo;  // path, for face_match; filled when awaited
};
// The pending photo an applied record carries, if it is an accepted photo or retake.
std::optional<PendingPhoto> PendingPhotoOf(const v1::AppliedEvent& applied, uint64_t log_seq);

class EventApplier {
 public:
  virtual ~EventApplier() = default;
  // Fills `outcome` (what the booth is told) and `binding` (who it concerns;
  // stays in the log with any alerts the decision raised).
  virtual void Decide(const v1::BoothEvent& event, int64_t now_ms, v1::Outcome* outcome,
                      v1::Binding* binding) const = 0;
  // The replay step (see above).
  virtual void Apply(const v1::LogRecord& record) = 0;
  // Live only, before a verdict is staged: the substitution signals it
  // raises (face_duplicate, face_match), added to the record so the log
  // keeps them and replay does not decide again.
  virtual void DecideVerdictAlerts(v1::ValidationRecord* record) const {}
  // The roster's enrolment photo of a student (a file path), or empty.
  virtual std::string EnrolmentPhoto(const std::string& student_no) const { return ""; }
  // What the booth's operator may see of its queue (masked names only).
  virtual void DescribeBooth(const std::string& booth, v1::BoothState* state) const {}
  // The verdict the booth was last told about, if any.
  virtual std::optional<v1::PhotoVerdict> LastVerdict(const std::string& booth) const { return std::nullopt; }
  // Accepted photos without a verdict yet, in log order.
  virtual std::vector<PendingPhoto> PhotosAwaitingVerdict() const { return {}; }
  // The verdict already recorded for these photo bytes, if any.
  virtual const v1::ValidationResult* KnownResult(const std::string& photo_sha256) const { return nullptr; }
};

// Accepts every well-delivered event (delivery only, no capture-day rules):
// for tests and benchmarks of the delivery layer.
class AcceptAllApplier final : public EventApplier {
 public:
  void Decide(const v1::BoothEvent&, int64_t, v1::Outcome* outcome, v1::Binding*) const override {
    outcome->set_accepted(true);
  }
  void Apply(const v1::LogRecord&) override {}
};

}  // namespace gradcap
