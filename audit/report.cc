#include "audit/report.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "audit/audit_db.h"
#include "audit/day_facts.h"
#include "audit/report_html.h"
#include "audit/staged_folder.h"
#include "common/codes.h"
#include "common/csv.h"
#include "common/local_time.h"
#include "common/log_format.h"
#include "common/status_macros.h"
#include "coordinator/admin_service.h"
#include "coordinator/reconciliation.h"

namespace gradcap {
namespace {

std::string ReconciliationCsv(const DayReport& r) {
  const std::vector<std::string> counts = {"roster",  "paid",   "scanned", "photographed", "passed", "passed_by_operator",
                                           "failed",  "pending", "absent", "waiting",      "not_scanned"};
  std::vector<std::string> header = {"college"};
  header.insert(header.end(), counts.begin(), counts.end());
  header.insert(header.end(), {"closed", "signed_at_record", "signed_by", "signed_at"});
  for (const std::string& c : counts) header.push_back("signed_" + c);
  std::string out = absl::StrCat(kCsvUtf8Bom, CsvLine(header));
  for (const CollegeReport& c : r.colleges) {
    std::vector<std::string> row = {c.now.college()};
    for (const std::string& n : CountCells(c.now)) row.push_back(n);
    row.push_back(c.now.closed() ? "yes" : "no");
    if (c.signed_close) {
      row.insert(row.end(), {absl::StrCat(c.signed_close->log_seq), c.signed_close->actor,
                             LocalTimeText(c.signed_close->at_ms)});
      for (const std::string& n : CountCells(c.signed_close->head_count)) row.push_back(n);
    } else {
      row.resize(header.size());
    }
    out += CsvLine(row);
  }
  return out;
}

std::string RefusalsCsv(const DayFacts& f) {
  std::string out = absl::StrCat(kCsvUtf8Bom, CsvLine({"reason", "booth", "count"}));
  for (const auto& [key, n] : f.refusals) out += CsvLine({key.first, key.second, absl::StrCat(n)});
  return out;
}

// Messages refused before they could be applied (bad frames, floods,
// revoked keys, foreign verdicts), as the replay counted them: logged one
// by one and only counted.
std::string RefusedMessagesCsv(const CaptureDay& day) {
  std::string out = absl::StrCat(kCsvUtf8Bom, CsvLine({"socket", "peer", "code", "logged", "counted"}));
  for (const auto& [key, n] : day.refusals()) {
    out += CsvLine({std::get<0>(key), std::get<1>(key), CodeName(std::get<2>(key)), absl::StrCat(n.logged),
                    absl::StrCat(n.counted)});
  }
  return out;
}

std::string AlertsCsv(const DayReport& r) {
  std::string out = absl::StrCat(
      kCsvUtf8Bom, CsvLine({"log_seq", "time", "booth", "kind", "shooting_nos", "photo_log_seq", "detail"}));
  for (const CaptureDay::AlertEntry& a : r.alerts) {
    out += CsvLine({absl::StrCat(a.log_seq), LocalTimeText(a.at_ms), a.alert.booth(),
                    CodeName(a.alert.kind()), absl::StrJoin(a.alert.shooting_nos(), " "),
                    a.photo_log_seq ? absl::StrCat(a.photo_log_seq) : "", a.alert.detail()});
  }
  return out;
}

std::string ThroughputCsv(const DayFacts& f) {
  std::string out =
      absl::StrCat(kCsvUtf8Bom, CsvLine({"booth", "hour", "scans", "photos", "retakes", "refused"}));
  for (const auto& [key, h] : f.throughput) {
    out += CsvLine({key.first, key.second + ":00", absl::StrCat(h.scans), absl::StrCat(h.photos),
                    absl::StrCat(h.retakes), absl::StrCat(h.refused)});
  }
  return out;
}

std::string OverridesCsv(const DayFacts& f) {
  std::string out = absl::StrCat(
      kCsvUtf8Bom, CsvLine({"log_seq", "time", "booth", "student_no", "shooting_no", "operator", "checks", "reason"}));
  for (const OverrideFact& o : f.overrides) {
    out += CsvLine({absl::StrCat(o.log_seq), LocalTimeText(o.at_ms), o.booth, o.student_no,
                    absl::StrCat(o.shooting_no), o.operator_name, absl::StrJoin(o.checks, " "), o.reason});
  }
  return out;
}

std::string FailedChecksCsv(const DayFacts& f) {
  std::string out =
      absl::StrCat(kCsvUtf8Bom, CsvLine({"check", "severity", "failed", "undetermined", "verdicts", "overridden"}));
  for (const auto& [check, c] : f.checks) {
    out += CsvLine({check, c.reject ? "reject" : "warn", absl::StrCat(c.failed), absl::StrCat(c.undetermined),
                    absl::StrCat(f.verdicts),
                    absl::StrCat(f.overrides_by_check.count(check) ? f.overrides_by_check.at(check) : 0)});
  }
  return out;
}

// A 120 × 160 thumbnail of the photo on file, or nothing when it cannot be read.
std::optional<std::string> Thumbnail(const AuditDb& db, const std::string& digest) {
  absl::StatusOr<std::optional<std::string>> bytes = db.log->store().Get(kPhotosColumn, digest);
  if (!bytes.ok() || !bytes->has_value()) return std::nullopt;
  const std::vector<uchar> data((*bytes)->begin(), (*bytes)->end());
  cv::Mat img = cv::imdecode(data, cv::IMREAD_REDUCED_COLOR_4);
  if (img.empty()) return std::nullopt;
  cv::Mat small;
  cv::resize(img, small, cv::Size(120, 160), 0, 0, cv::INTER_AREA);
  std::vector<uchar> out;
  if (!cv::imencode(".jpg", small, out, {cv::IMWRITE_JPEG_QUALITY, 80})) return std::nullopt;
  return std::string(out.begin(), out.end());
}

}  // namespace

absl::StatusOr<ReportSummary> WriteReport(const std::string& db_dir, const ReportOptions& options) {
  GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<StagedFolder> out, StagedFolder::Create(options.out_dir));
  GRADCAP_ASSIGN_OR_RETURN(AuditDb db, OpenAuditDb(db_dir));
  CaptureDay day(db.registry.get());
  DayReport report;
  GRADCAP_RETURN_IF_ERROR(ReplayWithFacts(db, &day, &report.facts));
  report.alerts = day.alerts();
  ReportSummary summary;
  summary.log_head = report.facts.log_head;
  GRADCAP_ASSIGN_OR_RETURN(std::vector<std::string> colleges, db.registry->Colleges());
  for (const std::string& college : colleges) {
    CollegeReport c;
    GRADCAP_ASSIGN_OR_RETURN(c.now, Reconcile(day, *db.registry, college));
    if (auto it = report.facts.closes.find(college); it != report.facts.closes.end())
      c.signed_close = it->second;
    GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::Student> students, db.registry->StudentsOf(college));
    for (const v1::Student& s : students) {
      c.students.push_back(StudentReportOf(day, *db.registry, s));
      std::string thumb;
      const CaptureDay::StudentState st = day.StateOf(s.student_no());
      if (options.thumbnails && !st.photo_sha256.empty()) {
        if (std::optional<std::string> bytes = Thumbnail(db, st.photo_sha256)) {
          thumb = absl::StrCat("thumbs/", SafeFileName(s.student_no()), ".jpg");
          GRADCAP_RETURN_IF_ERROR(out->Write(thumb, *bytes));
          ++summary.thumbnails;
        }
      }
      c.thumbnails.push_back(thumb);
    }
    summary.students += static_cast<int>(c.students.size());
    report.colleges.push_back(std::move(c));
  }
  summary.colleges = static_cast<int>(report.colleges.size());
  summary.alerts = static_cast<int>(report.alerts.size());
  GRADCAP_RETURN_IF_ERROR(out->Write("index.html", IndexHtml(report)));
  for (size_t i = 0; i < report.colleges.size(); ++i) {
    GRADCAP_RETURN_IF_ERROR(out->Write(CollegePageName(i), CollegeHtml(report, i)));
  }
  GRADCAP_RETURN_IF_ERROR(out->Write("reconciliation.csv", ReconciliationCsv(report)));
  GRADCAP_RETURN_IF_ERROR(out->Write("refusals.csv", RefusalsCsv(report.facts)));
  GRADCAP_RETURN_IF_ERROR(out->Write("refused_messages.csv", RefusedMessagesCsv(day)));
  GRADCAP_RETURN_IF_ERROR(out->Write("alerts.csv", AlertsCsv(report)));
  GRADCAP_RETURN_IF_ERROR(out->Write("throughput.csv", ThroughputCsv(report.facts)));
  GRADCAP_RETURN_IF_ERROR(out->Write("failed_checks.csv", FailedChecksCsv(report.facts)));
  GRADCAP_RETURN_IF_ERROR(out->Write("overrides.csv", OverridesCsv(report.facts)));
  GRADCAP_RETURN_IF_ERROR(out->Commit());
  return summary;
}

}  // namespace gradcap
