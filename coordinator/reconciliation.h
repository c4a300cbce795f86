// The head count before a college leaves (the notice: photographers and the
// college "核准完所拍摄学生人数准确无误后方可离场"): roster, paid, scanned,
// photographed, passed, failed-pending-retake, absent, still waiting, and
// refused scans by reason, computed from the roster and the event log alone.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/event_log.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

// Counts for `college` as the log stands. NotFound when the roster has no
// student of that college.
absl::StatusOr<v1::Reconciliation> Reconcile(const EventLog& log, const std::string& college);

// Closes `college`: refuses with FailedPrecondition while students are still
// waiting unless `override_reason` is given; records the reconciliation (and
// the override) in the log as an AdminRecord.
absl::StatusOr<v1::Reconciliation> CloseCollege(EventLog& log, const std::string& college,
                                                const std::string& override_reason);

// A table for people (Chinese and English labels).
std::string FormatReconciliation(const v1::Reconciliation& r);

}  // namespace gradcap
