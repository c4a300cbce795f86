#include "validator/calibrate_command.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "validator/calibrate.h"
#include "validator/calibrate_inputs.h"
#include "validator/photo_validator.h"
#include "validator/rules_file.h"

namespace gradcap::validator {
namespace {

// Checks each photo; one whose image_format fails (not a JPEG, truncated,
// grey-scale, …) is skipped with that reason.
std::vector<v1::ValidationResult> CheckAll(const PhotoValidator& validator, std::vector<PhotoFile>* photos,
                                           std::vector<SkippedPhoto>* skipped) {
  std::vector<v1::ValidationResult> results;
  std::vector<PhotoFile> kept;
  for (PhotoFile& p : *photos) {
    v1::ValidationResult r = validator.Validate(p.bytes);
    const auto format = std::find_if(r.checks().begin(), r.checks().end(),
                                     [](const v1::CheckResult& c) { return c.id() == "image_format"; });
    if (format != r.checks().end() && format->status() != v1::CHECK_PASS) {
      skipped->push_back({p.file, absl::StrCat(format->reason_zh(), " / ", format->reason_en())});
      continue;
    }
    results.push_back(std::move(r));
    kept.push_back(std::move(p));
  }
  *photos = std::move(kept);
  return results;
}

int Failing(const std::vector<v1::ValidationResult>& results) {
  return static_cast<int>(std::count_if(results.begin(), results.end(), [](const v1::ValidationResult& r) {
    return r.verdict() != v1::VERDICT_PASS;
  }));
}

int FailingUnder(const PhotoValidator& validator, const std::vector<PhotoFile>& photos) {
  int n = 0;
  for (const PhotoFile& p : photos) n += validator.Validate(p.bytes).verdict() != v1::VERDICT_PASS;
  return n;
}

absl::Status WriteRules(const std::string& path, const Calibration& c, const CalibrateOptions& o) {
  std::vector<std::string> changed = RuleDifferences(o.rules, c.suggested);
  changed.erase(std::remove(changed.begin(), changed.end(), "version"), changed.end());
  if (changed.empty()) changed.push_back("nothing");
  const std::string header =
      absl::StrCat("Suggested by `validator calibrate` from ", c.good_photos, " good photos (",
                   absl::StrJoin(o.good_dirs, ", "), ")",
                   o.bad_dir.empty() ? "" : absl::StrCat(" and ", c.bad_photos, " bad (", o.bad_dir, ")"),
                   ",\nstarting from ", c.rule_set, "; each measure flags at most ", c.max_false_retake * 100,
                   "% of the good photos.\n", "Changed: ", absl::StrJoin(changed, ", "), ".");
  const std::string text = FormatRules(c.suggested, header);
  if (auto back = ParseRules(text, path); !back.ok())
    return back.status();  // never write what --rules refuses
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) return absl::UnavailableError(absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

}  // namespace

int RunCalibrate(const CalibrateOptions& o) {
  if (o.good_dirs.empty()) {
    std::fprintf(
        stderr,
        "usage: validator calibrate GOOD_DIR|EXPORT_DIR... [--bad DIR] [--json] [--write_rules FILE]\n");
    return 2;
  }
  if (!(o.max_false_retake >= 0 && o.max_false_retake < 1)) {
    std::fprintf(stderr, "validator calibrate: --max_false_retake must be in [0, 1)\n");
    return 2;
  }
  auto validator = PhotoValidator::Create(o.model, o.rules, {}, /*face_model_dir=*/"");
  if (!validator.ok()) {
    std::fprintf(stderr, "validator: %s\n", std::string(validator.status().message()).c_str());
    return 2;
  }
  std::vector<SkippedPhoto> skipped;
  std::vector<PhotoFile> good_photos, bad_photos;
  ExportPhotos exported;
  for (const std::string& dir : o.good_dirs) {
    if (IsExport(dir)) {
      ReadExport(dir, &exported, &skipped);
      continue;
    }
    for (PhotoFile& p : ReadFolder(dir, &skipped)) good_photos.push_back(std::move(p));
  }
  for (PhotoFile& p : exported.good) good_photos.push_back(std::move(p));
  for (PhotoFile& p : exported.bad) bad_photos.push_back(std::move(p));
  if (!o.bad_dir.empty()) {
    for (PhotoFile& p : ReadFolder(o.bad_dir, &skipped)) bad_photos.push_back(std::move(p));
  }
  const auto good = CheckAll(**validator, &good_photos, &skipped);
  const auto bad = CheckAll(**validator, &bad_photos, &skipped);
  if (o.json || good.empty()) {  // the text report lists them itself
    for (const SkippedPhoto& s : skipped) {
      std::fprintf(stderr, "validator calibrate: %s: %s (skipped 跳过)\n", s.file.c_str(), s.reason.c_str());
    }
  }
  if (good.empty()) {
    std::fprintf(stderr, "validator calibrate: no readable good photo to calibrate on 没有可用的合格照片\n");
    return 2;
  }
  Calibration c = Calibrate(good, bad, o.rules, o.max_false_retake);
  c.skipped = std::move(skipped);
  c.export_manifests = exported.manifests;
  c.export_passed = exported.passed;
  c.export_by_operator = exported.by_operator;
  c.export_failed = exported.failed;
  for (size_t i = 0; i < good.size(); ++i) {  // what the operators overruled, as the current rules see it
    if (!good_photos[i].by_operator) continue;
    for (const v1::CheckResult& check : good[i].checks()) {
      if (check.status() == v1::CHECK_FAIL && check.severity() == v1::SEVERITY_REJECT)
        ++c.overruled[check.id()];
    }
  }
  c.good_retake_now = c.good_retake_suggested = Failing(good);
  c.bad_caught_now = c.bad_caught_suggested = Failing(bad);
  if (RuleDifferences(o.rules, c.suggested).empty()) {
    c.suggested.version = o.rules.version;  // same limits, same name: cached results stay valid
  } else {
    c.suggested.version = o.rules_version.empty() ? SuggestedVersion(o.rules, c.suggested) : o.rules_version;
    auto again = PhotoValidator::Create(o.model, c.suggested, {}, /*face_model_dir=*/"");
    if (!again.ok()) {
      std::fprintf(stderr, "validator: %s\n", std::string(again.status().message()).c_str());
      return 2;
    }
    c.good_retake_suggested = FailingUnder(**again, good_photos);
    c.bad_caught_suggested = FailingUnder(**again, bad_photos);
  }
  if (!o.write_rules.empty()) {
    if (absl::Status s = WriteRules(o.write_rules, c, o); !s.ok()) {
      std::fprintf(stderr, "validator calibrate: %s\n", std::string(s.message()).c_str());
      return 2;
    }
    c.written_rules = o.write_rules;
  }
  std::printf("%s", o.json ? (CalibrationJson(c) + "\n").c_str() : CalibrationText(c).c_str());
  return 0;
}

}  // namespace gradcap::validator
