// The head count before a college leaves (the notice: photographers and the
// college "核准完所拍摄学生人数准确无误后方可离场"): roster, paid, scanned,
// photographed, passed, failed-pending-retake, absent, still waiting, and
// refused scans by reason — from the roster and the replayed state alone, so
// the running coordinator and an offline tool count the same.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "coordinator/capture_day.h"
#include "proto/gradcap.pb.h"
#include "registry/registry.h"

namespace gradcap {

// Counts for `college` as the state stands. NotFound when the roster has no
// student of that college.
absl::StatusOr<v1::Reconciliation> Reconcile(const CaptureDay& day, const Registry& registry,
                                             const std::string& college);

// The AdminRecord that closes `college` (nothing is written): refused with
// FailedPrecondition while students are still waiting unless
// `override_reason` is given. A closed college may be closed again (a late
// student's photo gets a new sign-off).
absl::StatusOr<v1::AdminRecord> PlanClose(const CaptureDay& day, const Registry& registry, const std::string& college,
                                          const std::string& override_reason);

// A table for people (Chinese and English labels).
std::string FormatReconciliation(const v1::Reconciliation& r);

}  // namespace gradcap
