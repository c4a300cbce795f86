// The layout of a day's export (`gradcap export`, audit/export.cc): one folder
// per college holding the students' photos and `manifest.csv`, whose columns
// are these. `validator calibrate` reads the same manifest to take the photos
// that left the booths as accepted — passed, or let through by an operator —
// as the good photos of a calibration, so both sides name the columns here.
#pragma once

namespace gradcap::export_layout {

inline constexpr char kManifest[] = "manifest.csv";
inline constexpr const char* kManifestColumns[] = {"student_no",      "masked_name",  "file",  "sha256_file",
                                                   "sha256_capture",  "verdict",      "booth", "shooting_no",
                                                   "photographed_at", "photo_log_seq"};
// The verdict column of a failed photo the operator let through (/ok REASON).
inline constexpr char kPassedByOperator[] = "passed_by_operator";

}  // namespace gradcap::export_layout
