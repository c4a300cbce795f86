#include "validator/photo_validator.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/codes.h"
#include "common/json_text.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "validator/analysis.h"
#include "validator/checks.h"
#include "validator/face_descriptor.h"
#include "validator/photo_input.h"

namespace gradcap::validator {

absl::StatusOr<std::unique_ptr<PhotoValidator>> PhotoValidator::Create(const std::string& model_path,
                                                                       RuleSet rules) {
  auto landmarker = FaceLandmarker::Load(model_path);
  if (!landmarker.ok()) return landmarker.status();
  return std::unique_ptr<PhotoValidator>(new PhotoValidator(std::move(*landmarker), rules));
}

namespace {

// face_match: the photo's face against the enrolment photo's.
void CheckIdentity(const Analysis& a, std::string_view enrolment, const FaceLandmarker& landmarker,
                   const RuleSet& rules, Results* out) {
  const std::string limit = absl::StrFormat("face distance < %g same, > %g different", kSameFaceDistance,
                                            kDifferentFaceDistance);
  if (enrolment.empty()) {
    Undetermined(out, "face_match", Severity::kWarn, limit, "名单中无学籍照片，无法比对",
                 "no enrolment photo in the roster to compare with");
    return;
  }
  auto reference = DecodePhoto(enrolment);
  const std::string mine = FaceDescriptor(a);
  std::string theirs;
  if (reference.ok()) theirs = FaceDescriptor(Analyze(reference->bgr, landmarker, rules));
  if (mine.empty() || theirs.empty()) {
    Undetermined(out, "face_match", Severity::kWarn, limit,
                 mine.empty() ? "照片中无人脸，无法比对" : "学籍照片中找不到人脸，无法比对",
                 mine.empty() ? "no face in the photo to compare" : "no face found in the enrolment photo");
    return;
  }
  const double d = FaceDistance(mine, theirs);
  if (d < kSameFaceDistance) {
    Pass(out, "face_match", Severity::kWarn, d, limit);
  } else if (d > kDifferentFaceDistance) {
    Fail(out, "face_match", Severity::kWarn, d, limit, "与学籍照片不像同一人，请核对本人身份",
         "does not look like the enrolment photo: check the student's identity");
  } else {
    Undetermined(out, "face_match", Severity::kWarn, limit, "与学籍照片相似度不确定，请人工核对",
                 "cannot tell whether this is the enrolment photo's person: check by eye");
  }
}

}  // namespace

v1::ValidationResult PhotoValidator::Validate(std::string_view jpeg, std::string_view enrolment) const {
  const auto start = std::chrono::steady_clock::now();
  v1::ValidationResult result;
  result.set_photo_sha256(DigestBytes(Sha256(jpeg)));
  result.set_rule_set(kRuleSetVersion);
  Results* checks = result.mutable_checks();
  auto photo = DecodePhoto(jpeg);
  if (!photo.ok()) {
    auto info = ParseJpeg(jpeg);
    CheckFile(info.ok() ? &*info : nullptr, jpeg.size(), std::string(photo.status().message()), rules_, checks);
    for (const std::string& id : AllCheckIds()) {
      if (std::none_of(checks->begin(), checks->end(), [&](const v1::CheckResult& c) { return c.id() == id; })) {
        Undetermined(checks, id, Severity::kReject, "", "图像无法读取", "the image could not be read");
      }
    }
  } else {
    CheckFile(&photo->info, photo->file_bytes, "", rules_, checks);
    const Analysis a = Analyze(photo->bgr, *landmarker_, rules_);
    CheckFraming(a, rules_, checks);
    CheckLight(a, rules_, checks);
    CheckFace(a, rules_, checks);
    CheckDress(a, rules_, checks);
    CheckIdentity(a, enrolment, *landmarker_, rules_, checks);
    result.set_face_descriptor(FaceDescriptor(a));
  }
  const auto& order = AllCheckIds();
  auto rank = [&](const v1::CheckResult& c) { return std::find(order.begin(), order.end(), c.id()) - order.begin(); };
  std::stable_sort(checks->begin(), checks->end(),
                   [&](const v1::CheckResult& x, const v1::CheckResult& y) { return rank(x) < rank(y); });
  const bool rejected = std::any_of(checks->begin(), checks->end(), [](const v1::CheckResult& c) {
    return c.status() == v1::CHECK_FAIL && c.severity() == v1::SEVERITY_REJECT;
  });
  result.set_verdict(rejected ? v1::VERDICT_FAIL : v1::VERDICT_PASS);
  result.set_elapsed_ms(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  return result;
}

std::string ResultJson(const v1::ValidationResult& r, std::string_view file) {
  std::string out = absl::StrCat("{\"file\":", JsonQuote(file), ",\"verdict\":", JsonQuote(CodeName(r.verdict())),
                                 ",\"sha256\":", JsonQuote(ToHex(r.photo_sha256())), ",\"rule_set\":", JsonQuote(r.rule_set()),
                                 absl::StrFormat(",\"elapsed_ms\":%.1f", r.elapsed_ms()), ",\"checks\":[");
  for (int i = 0; i < r.checks_size(); ++i) {
    const v1::CheckResult& c = r.checks(i);
    absl::StrAppend(&out, i ? "," : "", "{\"id\":", JsonQuote(c.id()), ",\"status\":", JsonQuote(CodeName(c.status())),
                    ",\"severity\":", JsonQuote(CodeName(c.severity())));
    if (c.status() != v1::CHECK_UNDETERMINED) absl::StrAppend(&out, absl::StrFormat(",\"value\":%.4g", c.value()));
    absl::StrAppend(&out, ",\"limit\":", JsonQuote(c.limit()));
    if (!c.reason_en().empty()) {
      absl::StrAppend(&out, ",\"reason_zh\":", JsonQuote(c.reason_zh()), ",\"reason_en\":", JsonQuote(c.reason_en()));
    }
    out += "}";
  }
  return out + "]}";
}

std::string ResultText(const v1::ValidationResult& r, std::string_view file, bool all_checks) {
  std::string out = absl::StrFormat("%s: %s (%.0f ms)\n", Sv(file), r.verdict() == v1::VERDICT_PASS ? "PASS 合格" : "FAIL 不合格",
                                    r.elapsed_ms());
  for (const v1::CheckResult& c : r.checks()) {
    // Without --all: what needs action (failures, and what a person must confirm).
    if (!all_checks && (c.status() == v1::CHECK_PASS ||
                        (c.status() == v1::CHECK_UNDETERMINED && c.severity() == v1::SEVERITY_WARN))) {
      continue;
    }
    absl::StrAppend(&out, absl::StrFormat("  %-19s %-12s %-6s", c.id(), CodeName(c.status()), CodeName(c.severity())));
    if (c.status() != v1::CHECK_UNDETERMINED) absl::StrAppend(&out, absl::StrFormat(" %8.3g", c.value()));
    absl::StrAppend(&out, "  [", c.limit(), "]");
    if (!c.reason_en().empty()) absl::StrAppend(&out, "  ", c.reason_zh(), " / ", c.reason_en());
    out += "\n";
  }
  return out;
}

}  // namespace gradcap::validator
