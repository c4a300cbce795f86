// `gradcap export` and `gradcap report`: the registrar's upload folder with
// the 补拍 list, and the day's report — from the database alone, read-only.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "admin/cli_commands.h"
#include "audit/export.h"
#include "audit/report.h"
#include "audit/upload_framer.h"

namespace gradcap::cli {
namespace {

int Fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "gradcap %s: %s\n", what.c_str(), std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int Export(const std::string& db, const ExportFlags& flags) {
  if (db.empty()) return Fail("export", absl::InvalidArgumentError("--db DIR is required"));
  ExportOptions options;
  options.out_dir = flags.out_dir;
  options.college = flags.college;
  options.force = flags.force;
  if (flags.name_by == "id_no") {
    options.name_by = ExportOptions::NameBy::kIdNo;
  } else if (flags.name_by != "student_no") {
    return Fail("export", absl::InvalidArgumentError(
                              absl::StrCat("--name_by \"", flags.name_by, "\": say student_no or id_no")));
  }
  const ValidatorFramer framer(flags.model);
  options.framer = &framer;
  absl::StatusOr<ExportSummary> summary = ExportPhotos(db, options);
  if (!summary.ok()) return Fail("export", summary.status());
  std::printf("%s", FormatExportSummary(*summary, options).c_str());
  std::printf("written to %s (the log up to record %llu; see EXPORT.txt)\n", flags.out_dir.c_str(),
              static_cast<unsigned long long>(summary->log_head));
  return 0;
}

int Report(const std::string& db, const std::string& out_dir, bool thumbnails) {
  if (db.empty()) return Fail("report", absl::InvalidArgumentError("--db DIR is required"));
  absl::StatusOr<ReportSummary> summary = WriteReport(db, {out_dir, thumbnails});
  if (!summary.ok()) return Fail("report", summary.status());
  std::printf(
      "report of %d colleges, %d students, %d alerts%s (the log up to record %llu): open %s/index.html\n",
      summary->colleges, summary->students, summary->alerts,
      thumbnails ? absl::StrCat(", ", summary->thumbnails, " thumbnails").c_str() : "",
      static_cast<unsigned long long>(summary->log_head), out_dir.c_str());
  return 0;
}

}  // namespace gradcap::cli
