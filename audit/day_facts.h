// What the export and the reports need beyond the replayed state, gathered
// during the same replay: for each student the records of their current
// photo and of their absence, and their last refused scan; throughput per
// booth and hour; refusals by reason; failed checks by check. Memory grows
// with students, booths and hours, not with events.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "audit/audit_db.h"

namespace gradcap {

struct StudentFacts {
  uint64_t photo_log_seq = 0;  // the accepted photo or retake on file
  int64_t photo_at_ms = 0;
  uint64_t absent_log_seq = 0;
  int64_t absent_at_ms = 0;
  std::string absent_reason;
  std::string last_refusal;  // reason code name of the last refused scan naming the student
};

struct HourCounts {
  uint32_t scans = 0;    // accepted
  uint32_t photos = 0;   // accepted photos (first versions)
  uint32_t retakes = 0;  // accepted retakes
  uint32_t refused = 0;  // refused booth events
};

struct CheckCounts {
  uint32_t failed = 0;  // verdicts in which the check failed
  uint32_t undetermined = 0;
  bool reject = false;  // its severity: a failure means a retake
};

// The last sign-off of a college (its close record).
struct SignedClose {
  uint64_t log_seq = 0;
  int64_t at_ms = 0;
  std::string actor, override_reason;
  v1::Reconciliation head_count;
};

// An operator's override at the booth (/ok REASON), as accepted.
struct OverrideFact {
  uint64_t log_seq = 0;
  int64_t at_ms = 0;
  std::string booth, student_no, operator_name, reason;
  uint32_t shooting_no = 0;
  std::vector<std::string> checks;  // the checks overruled
};

struct DayFacts {
  std::map<std::string, StudentFacts> students;
  std::map<std::pair<std::string, std::string>, HourCounts> throughput;  // (booth, "2024-09-21 09") →
  std::map<std::pair<std::string, std::string>, uint32_t> refusals;      // (reason, booth) → count
  std::map<std::string, CheckCounts> checks;                             // check id →
  std::map<std::string, SignedClose> closes;                             // college → its last close
  std::vector<OverrideFact> overrides;                                   // in log order
  std::map<std::string, uint32_t> overrides_by_check;                    // check id → overrides naming it
  uint32_t verdicts = 0;
  uint32_t failed_verdicts = 0;
  int64_t first_ms = 0, last_ms = 0;  // booth events
  uint64_t log_head = 0;
  std::string head_hash;  // hex
};

// Replays the whole log into `day` (audit_db.h) and gathers `facts`.
absl::Status ReplayWithFacts(const AuditDb& db, CaptureDay* day, DayFacts* facts);

}  // namespace gradcap
