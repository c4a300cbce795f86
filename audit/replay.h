// `gradcap audit replay`: rebuilds the whole capture-day state from the log
// alone — through the coordinator's one replay (CaptureDay::Apply), with the
// times each decision recorded, never a clock — and compares it with what
// the log and the database recorded:
//
//  - each booth event's recorded outcome and binding against a re-decision
//    from the replayed state: signs, photos, retakes and absences entirely
//    (they depend on the queues only); scans as far as the state decides
//    them (the shooting number, duplicate_scan, already_photographed);
//  - each event's substitution alerts, re-decided the same way; each
//    verdict's face_match alerts (and face_duplicate with face_alerts);
//  - each verdict's photo, student, booth and shooting number;
//  - each close's signed head count against the state at that record;
//  - each checkpoint's record and hash;
//  - at the end, the stored booth progress, event index and chain head.
//
// The report says which checks were made and which were not, lists every
// difference with its log position, booth and student, and holds the final
// state as the running coordinator answers it (StudentReport, BoothReport,
// CoordinatorStatus, head counts, alerts). Read-only; the same database
// gives the same report, byte for byte.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

struct ReplayOptions {
  uint64_t until = 0;        // replay records 1 … until only (0: the whole log)
  bool face_alerts = false;  // also re-decide face_duplicate alerts: every verdict
                             // in the day's face index (~1 ms a verdict)
  int max_differences = 1000;
};

// An error when the database cannot be read as this version's log, or the
// log is damaged (the message names the record); differences are findings.
absl::StatusOr<v1::ReplayReport> ReplayAudit(const std::string& db_dir, const ReplayOptions& options = {});

// For people: the counts, the checks, each difference, "ok" or "DIFFERENCES".
std::string FormatReplayReport(const v1::ReplayReport& report);

}  // namespace gradcap
