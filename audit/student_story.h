// `gradcap audit student STUDENT_NO`: the whole story of one student from
// the log alone, for disputes weeks later — every scan (accepted and refused,
// with the reason), the shooting number, the signature, each photo version
// with its SHA-256 and verdict, retakes, alerts, an absence, the close of the
// college and the checkpoints that cover it, with booth and time — and one
// paragraph answering "whose face is on this student's photo, and why".
//
// Names are masked (张**三, ****8746) unless `unmasked`; the caller must have
// logged that look first (an UnmaskRequest: admin/cli_audit.cc). Scans whose
// code did not open (forged, unknown) name no student and cannot be told.
// Read-only.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

// NotFound when the student is neither in the roster nor in the log.
absl::StatusOr<v1::StudentStory> StudentStoryOf(const std::string& db_dir, const std::string& student_no,
                                                bool unmasked);

std::string FormatStudentStory(const v1::StudentStory& story);

}  // namespace gradcap
