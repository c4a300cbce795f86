#include "audit/export.h"

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "audit/audit_db.h"
#include "audit/day_facts.h"
#include "audit/staged_folder.h"
#include "common/codes.h"
#include "common/csv.h"
#include "common/export_layout.h"
#include "common/local_time.h"
#include "common/log_format.h"
#include "common/masking.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "coordinator/admin_service.h"
#include "validator/photo_input.h"

namespace gradcap {
namespace {

constexpr int kUploadWidth = 480, kUploadHeight = 640;

// The bytes to upload for a photo on file, or why there are none.
absl::StatusOr<std::string> UploadBytes(const AuditDb& db, const std::string& digest,
                                        const UploadFramer* framer) {
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> capture, db.log->store().Get(kPhotosColumn, digest));
  if (!capture.has_value()) {
    return absl::DataLossError(absl::StrCat("photo ", ToHex(digest), " is missing from the photo store"));
  }
  if (DigestBytes(Sha256(*capture)) != digest) {
    return absl::DataLossError(absl::StrCat("photo ", ToHex(digest),
                                            " in the store does not hash to its key "
                                            "(altered): `gradcap audit verify` says more"));
  }
  absl::StatusOr<validator::JpegInfo> info = validator::ParseJpeg(*capture);
  if (info.ok() && info->width == kUploadWidth && info->height == kUploadHeight) return *std::move(capture);
  if (framer == nullptr) {
    return absl::FailedPreconditionError(info.ok()
                                             ? absl::StrCat("the capture is ", info->width, " × ",
                                                            info->height, ", not 480 × 640, and no framing")
                                             : "the capture is not a readable JPEG");
  }
  absl::StatusOr<std::string> framed = framer->Frame(*capture);
  if (!framed.ok())
    return absl::FailedPreconditionError(absl::StrCat("cannot frame it: ", framed.status().message()));
  return framed;
}

class Exporter {
 public:
  Exporter(const AuditDb& db, const CaptureDay& day, const DayFacts& facts, const ExportOptions& options,
           StagedFolder* out, ExportSummary* summary)
      : db_(db), day_(day), facts_(facts), options_(options), out_(out), summary_(summary) {}

  absl::Status College(const std::string& college) {
    GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::Student> students, db_.registry->StudentsOf(college));
    if (students.empty())
      return absl::NotFoundError(absl::StrCat("no student of college \"", college, "\" in the roster"));
    const std::string folder = SafeFileName(college);
    std::string manifest = absl::StrCat(kCsvUtf8Bom, CsvLine({std::begin(export_layout::kManifestColumns),
                                                              std::end(export_layout::kManifestColumns)}));
    std::string absent = absl::StrCat(kCsvUtf8Bom, CsvLine({"student_no", "masked_name", "status", "reason",
                                                            "booth", "shooting_no", "at", "log_seq"}));
    std::string retake = absl::StrCat(
        kCsvUtf8Bom, CsvLine({"student_no", "masked_name", "verdict", "failed_checks", "booth", "shooting_no",
                              "photographed_at", "photo_log_seq", "sha256_capture"}));
    ExportSummary::College& counts = summary_->colleges[college];
    for (const v1::Student& s : students) {
      const CaptureDay::StudentState st = day_.StateOf(s.student_no());
      const StudentFacts facts =
          facts_.students.count(s.student_no()) ? facts_.students.at(s.student_no()) : StudentFacts{};
      const std::string masked = MaskName(s.name());
      const std::string number = st.shooting_no != 0 ? absl::StrCat(st.shooting_no) : "";
      if (st.status != CaptureDay::Status::kPhotographed) {
        const bool marked = st.status == CaptureDay::Status::kAbsent;
        const std::string reason =
            marked ? facts.absent_reason
            : st.status == CaptureDay::Status::kWaiting
                ? "scanned, never photographed"
                : (facts.last_refusal.empty() ? "never scanned"
                                              : absl::StrCat("scan refused: ", facts.last_refusal));
        absent += CsvLine({s.student_no(), masked, StudentStatusName(st.status), reason, st.booth, number,
                           marked ? LocalTimeText(facts.absent_at_ms) : "",
                           marked ? absl::StrCat(facts.absent_log_seq) : ""});
        ++counts.absent;
        continue;
      }
      // A failed photo the operator let through at the booth (/ok REASON) is
      // the student's photo: it goes to the upload like a passing one.
      const bool by_operator = st.verdict == v1::VERDICT_FAIL && st.overridden;
      const std::string verdict =
          by_operator ? std::string(export_layout::kPassedByOperator) : CodeName(st.verdict);
      const std::string at = LocalTimeText(facts.photo_at_ms);
      if (st.verdict != v1::VERDICT_PASS && !by_operator) {
        retake +=
            CsvLine({s.student_no(), masked, verdict,
                     st.verdict == v1::VERDICT_FAIL ? absl::StrJoin(st.failed_checks, " ") : "no verdict yet",
                     st.booth, number, at, absl::StrCat(facts.photo_log_seq), ToHex(st.photo_sha256)});
        ++counts.retake_needed;
        if (!options_.force) {
          summary_->left_out[st.verdict == v1::VERDICT_FAIL ? "the photo failed its checks (retake needed)"
                                                            : "the photo has no verdict yet"]++;
          continue;
        }
      }
      absl::StatusOr<std::string> bytes = UploadBytes(db_, st.photo_sha256, options_.framer);
      if (absl::IsDataLoss(bytes.status())) return bytes.status();
      if (!bytes.ok()) {
        summary_->left_out[std::string(bytes.status().message())]++;
        continue;
      }
      const std::string name =
          SafeFileName(options_.name_by == ExportOptions::NameBy::kIdNo ? s.id_no() : s.student_no());
      const std::string file = absl::StrCat(name, ".jpg");
      if (!files_.insert(absl::StrCat(folder, "/", file)).second) {
        return absl::FailedPreconditionError(
            absl::StrCat("two students of ", college, " would both be named ", file));
      }
      GRADCAP_RETURN_IF_ERROR(out_->Write(absl::StrCat(folder, "/", file), *bytes));
      manifest += CsvLine({s.student_no(), masked, file, ToHex(Sha256(*bytes)), ToHex(st.photo_sha256),
                           verdict, st.booth, number, at, absl::StrCat(facts.photo_log_seq)});
      ++counts.exported;
    }
    GRADCAP_RETURN_IF_ERROR(out_->Write(absl::StrCat(folder, "/", export_layout::kManifest), manifest));
    GRADCAP_RETURN_IF_ERROR(out_->Write(absl::StrCat(folder, "/absent.csv"), absent));
    return out_->Write(absl::StrCat(folder, "/retake-needed.csv"), retake);
  }

 private:
  const AuditDb& db_;
  const CaptureDay& day_;
  const DayFacts& facts_;
  const ExportOptions& options_;
  StagedFolder* out_;
  ExportSummary* summary_;
  std::set<std::string> files_;
};

}  // namespace

absl::StatusOr<ExportSummary> ExportPhotos(const std::string& db_dir, const ExportOptions& options) {
  // Refuse an existing target before any work.
  GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<StagedFolder> out, StagedFolder::Create(options.out_dir));
  GRADCAP_ASSIGN_OR_RETURN(AuditDb db, OpenAuditDb(db_dir));
  CaptureDay day(db.registry.get());
  DayFacts facts;
  GRADCAP_RETURN_IF_ERROR(ReplayWithFacts(db, &day, &facts));
  std::vector<std::string> colleges;
  if (options.college.empty()) {
    GRADCAP_ASSIGN_OR_RETURN(colleges, db.registry->Colleges());
  } else {
    colleges.push_back(options.college);
  }
  ExportSummary summary;
  summary.log_head = facts.log_head;
  Exporter exporter(db, day, facts, options, out.get(), &summary);
  for (const std::string& college : colleges) GRADCAP_RETURN_IF_ERROR(exporter.College(college));
  GRADCAP_RETURN_IF_ERROR(
      out->Write("EXPORT.txt",
                 absl::StrCat("gradcap export of the log up to record ", facts.log_head, " (hash ",
                              facts.head_hash, ")\nbooth events from ", LocalTimeText(facts.first_ms), " to ",
                              LocalTimeText(facts.last_ms), "\n\n", FormatExportSummary(summary, options))));
  GRADCAP_RETURN_IF_ERROR(out->Commit());
  return summary;
}

std::string FormatExportSummary(const ExportSummary& summary, const ExportOptions& options) {
  std::string out;
  int exported = 0;
  for (const auto& [college, c] : summary.colleges) {
    absl::StrAppend(&out, college, ": ", c.exported, " photos, ", c.absent, " without a photo (absent.csv), ",
                    c.retake_needed, " to retake (retake-needed.csv)\n");
    exported += c.exported;
  }
  int left_out = 0;
  for (const auto& [why, n] : summary.left_out) left_out += n;
  absl::StrAppend(&out, exported, " photos exported",
                  options.force ? " (--force: failed and pending ones too)" : "", "; ", left_out, " left out",
                  left_out > 0 ? ":" : "", "\n");
  for (const auto& [why, n] : summary.left_out) absl::StrAppend(&out, "  ", n, " — ", why, "\n");
  return out;
}

}  // namespace gradcap
