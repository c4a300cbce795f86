// The pages of `gradcap report` (report.h): what they show, rendered as
// HTML with inline SVG charts and no script.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/day_facts.h"
#include "coordinator/capture_day.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

struct CollegeReport {
  v1::Reconciliation now;                   // the head count at the end of the log
  std::optional<SignedClose> signed_close;  // the last one signed
  std::vector<v1::StudentReport> students;  // in student-number order
  std::vector<std::string> thumbnails;      // per student: "thumbs/…jpg" or empty
};

struct DayReport {
  DayFacts facts;
  std::vector<CollegeReport> colleges;
  std::vector<CaptureDay::AlertEntry> alerts;
};

// A head count's numbers, in the order of the reports' columns: roster, paid,
// scanned, photographed, passed, passed by the operator, failed, pending,
// absent, waiting, not scanned.
std::vector<std::string> CountCells(const v1::Reconciliation& r);
std::string CollegePageName(size_t index);  // "college-1.html", …
std::string IndexHtml(const DayReport& report);
std::string CollegeHtml(const DayReport& report, size_t index);

}  // namespace gradcap
