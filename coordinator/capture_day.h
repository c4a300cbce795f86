// The capture-day rules (DESIGN.md, "Queues and anti-substitution"): which
// scans get a shooting number, and which student each photo binds to.
//
// A scan is accepted only for a sealed, unexpired code of a paid student in
// the roster, whose college is scheduled at this booth now, who is not
// already waiting or photographed; it then gets the next shooting number in
// the booth's queue. A photo binds to the oldest scan still waiting at that
// booth; a retake replaces the booth's last bound photo. Every refusal has a
// fixed reason code (scan_reason::*, queue_reason::*).
//
// State is rebuilt by Replay from the log's recorded decisions. Owned by the
// ingest thread.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "coordinator/event_applier.h"
#include "registry/registry.h"

namespace gradcap {

namespace scan_reason {
inline constexpr char kNotInRoster[] = "not_in_roster";
inline constexpr char kUnpaid[] = "unpaid";
inline constexpr char kWrongBooth[] = "wrong_booth";
inline constexpr char kOutsideSchedule[] = "outside_schedule";
inline constexpr char kDuplicateScan[] = "duplicate_scan";
inline constexpr char kAlreadyPhotographed[] = "already_photographed";
}  // namespace scan_reason

namespace queue_reason {
inline constexpr char kPhotoWithoutScan[] = "photo_without_scan";
inline constexpr char kShootingNoMismatch[] = "shooting_no_mismatch";
inline constexpr char kNotSigned[] = "not_signed";
inline constexpr char kNobodyWaiting[] = "nobody_waiting";
inline constexpr char kRetakeWithoutPhoto[] = "retake_without_photo";
inline constexpr char kReasonRequired[] = "reason_required";
}  // namespace queue_reason

class CaptureDay final : public EventApplier {
 public:
  explicit CaptureDay(const Registry* registry) : registry_(registry) {}

  void Apply(const v1::BoothEvent& event, uint64_t log_seq, int64_t now_ms, v1::Outcome* outcome,
             v1::Binding* binding) override;
  void Replay(const v1::AppliedEvent& applied, uint64_t log_seq) override;
  void DescribeBooth(const std::string& booth, v1::BoothState* state) const override;
  void ApplyVerdict(const v1::ValidationRecord& record, uint64_t log_seq, v1::PhotoVerdict* verdict) override;
  void RaiseVerdictAlerts(v1::ValidationRecord* record) const override;
  std::string EnrolmentPhoto(const std::string& student_no) const override;

  enum class Status { kNotSeen, kWaiting, kPhotographed, kAbsent };
  struct StudentState {
    Status status = Status::kNotSeen;
    std::string booth;
    uint32_t shooting_no = 0;
    std::string photo_sha256;                // raw digest of the current photo
    std::string verdict;                     // of the current photo: "pass", "fail", "" = pending
    std::vector<std::string> failed_checks;  // reject-severity failures of the current photo
    std::string face_descriptor;             // of the current photo, once checked
  };
  StudentState StateOf(const std::string& student_no) const;
  size_t waiting_at(const std::string& booth) const;

 private:
  struct Waiting {
    uint32_t shooting_no = 0;
    std::string student_no;
    std::string college;
    bool needs_sign = false;
    bool signed_in = false;
  };
  struct Queue {
    uint32_t next_shooting_no = 1;
    std::deque<Waiting> waiting;
    std::optional<Waiting> last_bound;  // the photo a retake replaces
  };

  void DecideScan(const v1::BoothEvent& event, int64_t now_ms, v1::Outcome* outcome, v1::Binding* binding) const;
  void DecideAtHead(const v1::BoothEvent& event, v1::Outcome* outcome, v1::Binding* binding) const;
  // Resolves a scanned payload to a student number, or refuses.
  std::optional<std::string> Resolve(const std::string& payload, int64_t now_ms, v1::Outcome* outcome) const;
  void Transition(const v1::BoothEvent& event, const v1::Outcome& outcome, const v1::Binding& binding);
  void Describe(const std::string& student_no, v1::Outcome* outcome) const;
  void RaiseAlerts(const v1::BoothEvent& event, int64_t now_ms, const v1::Outcome& outcome, v1::Binding* binding);

  const Registry* registry_;
  absl::flat_hash_map<std::string, Queue> queues_;
  absl::flat_hash_map<std::string, StudentState> students_;
  absl::flat_hash_map<std::string, std::deque<int64_t>> recent_scans_ms_;  // per booth, for scan_burst
  absl::flat_hash_map<std::string, bool> burst_alerted_;
  absl::flat_hash_map<std::string, v1::PhotoVerdict> last_verdict_;  // per booth
};

// Accepted scans at one booth faster than any queue is served: one person
// scanning several phones. kBurstScans within kBurstWindowMs, with at least
// as many waiting, raise an alert.
inline constexpr int kBurstScans = 4;
inline constexpr int64_t kBurstWindowMs = 10'000;

}  // namespace gradcap
