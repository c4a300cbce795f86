// `gradcap export`: what the registrar uploads. Per college, a folder with
// each student's final passing photo as the 480 × 640 JPEG the upload takes,
// named by student number or ID number; manifest.csv (student number, masked
// name, file, SHA-256 of the exported file and of the original capture,
// verdict, booth, shooting number, time, record); absent.csv — students
// without a photo (marked absent, scanned but never photographed, or never
// scanned, with the reason) — and retake-needed.csv — students whose photo
// failed or has no verdict yet: together the 补拍 (make-up) list. EXPORT.txt
// names the log head the export reflects.
//
// A photo that did not pass is left out unless `force`, and the summary
// says how many were left out and why. Captures already 480 × 640 are
// exported byte for byte; others go through the framer (the validator's
// framing). The export never overwrites and never half-writes: everything is
// written into a temporary folder beside the target, which is renamed to it
// in one step; an existing target is refused. Reads the database only.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace gradcap {

// Makes the 480 × 640 upload JPEG from a capture of another size, or says why not.
class UploadFramer {
 public:
  virtual ~UploadFramer() = default;
  virtual absl::StatusOr<std::string> Frame(const std::string& capture) const = 0;
};

struct ExportOptions {
  std::string out_dir;
  std::string college;  // empty: every college
  enum class NameBy { kStudentNo, kIdNo };
  NameBy name_by = NameBy::kStudentNo;
  bool force = false;                    // photos that failed or have no verdict too
  const UploadFramer* framer = nullptr;  // nullptr: captures of another size are left out
};

struct ExportSummary {
  struct College {
    int exported = 0, absent = 0, retake_needed = 0;
  };
  std::map<std::string, College> colleges;
  std::map<std::string, int> left_out;  // why → how many photos
  uint64_t log_head = 0;
};

absl::StatusOr<ExportSummary> ExportPhotos(const std::string& db_dir, const ExportOptions& options);

std::string FormatExportSummary(const ExportSummary& summary, const ExportOptions& options);

}  // namespace gradcap
