// `gradcap report`: the day in tables and small charts, from the log alone.
// An HTML report to open in a browser from the folder (no server, no
// script: tables and inline SVG) — index.html for the day and one page per
// college — and CSVs:
//
//   reconciliation.csv  per college: roster, paid, scanned, photographed,
//                       passed, failed, pending, absent, waiting, not
//                       scanned, and the head count signed at its last close
//   refusals.csv        refused booth events by reason and booth
//   alerts.csv          every substitution alert with its record and time
//   throughput.csv      per booth and hour: accepted scans, photos, retakes, refusals
//   failed_checks.csv   per photo check: how many verdicts it failed
//
// Names are masked. With `thumbnails`, each college page shows the photo on
// file of every student (120 × 160, in thumbs/). Written like the export:
// into a temporary folder renamed in one step; an existing target is refused.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace gradcap {

struct ReportOptions {
  std::string out_dir;
  bool thumbnails = false;
};

struct ReportSummary {
  int colleges = 0, students = 0, alerts = 0, thumbnails = 0;
  uint64_t log_head = 0;
};

absl::StatusOr<ReportSummary> WriteReport(const std::string& db_dir, const ReportOptions& options);

}  // namespace gradcap
