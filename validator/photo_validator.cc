#include "validator/photo_validator.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/codes.h"
#include "absl/strings/str_join.h"
#include "common/json_text.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "validator/analysis.h"
#include "validator/checks.h"
#include "validator/photo_input.h"

namespace gradcap::validator {

absl::StatusOr<std::unique_ptr<PhotoValidator>> PhotoValidator::Create(const std::string& model_path,
                                                                       RuleSet rules, DecodeLimits limits,
                                                                       const std::string& face_model_dir) {
  auto landmarker = FaceLandmarker::Load(model_path);
  if (!landmarker.ok()) return landmarker.status();
  std::unique_ptr<FaceNetwork> network;
  if (!face_model_dir.empty()) {
    auto loaded = FaceNetwork::Load(face_model_dir);
    if (!loaded.ok()) return loaded.status();
    network = std::move(*loaded);
  }
  return std::unique_ptr<PhotoValidator>(
      new PhotoValidator(std::move(*landmarker), std::move(network), rules, limits));
}

namespace {

constexpr char kFormatLimit[] = "JPEG, 24-bit colour, decodes cleanly";

// An exception's text on one line (OpenCV's span several), not too long.
std::string OneLine(const char* what) {
  std::string out(what);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (out.size() > 300) out = out.substr(0, 297) + "...";
  return out;
}

// Runs one stage with the exceptions of OpenCV and dlib caught here, at the
// validator's edge; what went wrong is added to `failures`.
template <typename Stage>
void Guarded(const char* stage, Stage&& run, std::vector<std::string>* failures) {
  try {
    run();
  } catch (const std::exception& e) {
    failures->push_back(absl::StrCat(stage, ": ", OneLine(e.what())));
    LogWarning("validator", "check stage ", stage, " failed: ", failures->back());
  }
}

// Every check id not answered yet, as undetermined for `reason`.
void AnswerTheRest(Results* checks, std::string_view reason_zh, std::string_view reason_en) {
  for (const std::string& id : AllCheckIds()) {
    if (std::none_of(checks->begin(), checks->end(),
                     [&](const v1::CheckResult& c) { return c.id() == id; })) {
      Undetermined(checks, id, Severity::kReject, "", reason_zh, reason_en);
    }
  }
}

void FailImageFormat(Results* checks, const std::string& why) {
  for (v1::CheckResult& c : *checks) {
    if (c.id() != "image_format") continue;
    c.set_status(v1::CHECK_FAIL);
    c.set_value(0);
    c.set_reason_zh(absl::StrCat("图像无法分析：", why));
    c.set_reason_en(absl::StrCat("the image cannot be analysed: ", why));
    return;
  }
  Fail(checks, "image_format", Severity::kReject, 0, kFormatLimit, absl::StrCat("图像无法分析：", why),
       absl::StrCat("the image cannot be analysed: ", why));
}

void Finish(const std::chrono::steady_clock::time_point start, v1::ValidationResult* result) {
  Results* checks = result->mutable_checks();
  const auto& order = AllCheckIds();
  auto rank = [&](const v1::CheckResult& c) {
    return std::find(order.begin(), order.end(), c.id()) - order.begin();
  };
  std::stable_sort(checks->begin(), checks->end(),
                   [&](const v1::CheckResult& x, const v1::CheckResult& y) { return rank(x) < rank(y); });
  const bool rejected = std::any_of(checks->begin(), checks->end(), [](const v1::CheckResult& c) {
    return c.status() == v1::CHECK_FAIL && c.severity() == v1::SEVERITY_REJECT;
  });
  result->set_verdict(rejected ? v1::VERDICT_FAIL : v1::VERDICT_PASS);
  result->set_elapsed_ms(
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
}

// face_match: the photo's face against the enrolment photo's. Same person
// at or below kFaceSameDistance (pass); clearly another above
// kFaceDifferentDistance (reject: the operator checks who stands there);
// between the two a warning, for a person to look.
void CheckIdentity(const std::optional<FaceVector>& mine, std::string_view enrolment, const FaceNetwork* network,
                   const FaceLandmarker& landmarker, Results* out) {
  const std::string limit = absl::StrFormat("face distance ≤ %.2f same person, > %.2f another (%s)",
                                            kFaceSameDistance, kFaceDifferentDistance, kFaceModelName);
  if (network == nullptr) {
    Undetermined(out, "face_match", Severity::kWarn, limit, "未加载人脸识别模型，无法比对",
                 "no face-recognition model loaded: cannot compare");
    return;
  }
  if (enrolment.empty()) {
    Undetermined(out, "face_match", Severity::kWarn, limit, "名单中无学籍照片，无法比对",
                 "no enrolment photo in the roster to compare with");
    return;
  }
  auto reference = DecodePhoto(enrolment);
  if (!reference.ok()) {
    Undetermined(out, "face_match", Severity::kWarn, limit, "学籍照片无法读取，无法比对",
                 absl::StrCat("the enrolment photo cannot be read: ", reference.status().message()));
    return;
  }
  const std::vector<Face> theirs_faces = landmarker.Find(reference->bgr);
  if (!mine || theirs_faces.empty()) {
    Undetermined(out, "face_match", Severity::kWarn, limit,
                 !mine ? "照片中无人脸，无法比对" : "学籍照片中找不到人脸，无法比对",
                 !mine ? "no face in the photo to compare" : "no face found in the enrolment photo");
    return;
  }
  const FaceVector theirs = network->Describe(reference->bgr, theirs_faces.front());
  const double d = *FaceDistance(EncodeFaceDescriptor(mine->data()), EncodeFaceDescriptor(theirs.data()));
  if (d <= kFaceSameDistance) {
    Pass(out, "face_match", Severity::kReject, d, limit);
  } else if (d > kFaceDifferentDistance) {
    Fail(out, "face_match", Severity::kReject, d, limit, "与学籍照片不是同一人，请核对本人身份后重拍",
         "not the person of the enrolment photo: check the student's identity before a retake");
  } else {
    Fail(out, "face_match", Severity::kWarn, d, limit, "与学籍照片相似度不足，请人工核对本人",
         "not clearly the person of the enrolment photo: check by eye");
  }
}

}  // namespace

v1::ValidationResult PhotoValidator::Validate(std::string_view jpeg, std::string_view enrolment) const {
  const auto start = std::chrono::steady_clock::now();
  v1::ValidationResult result;
  result.set_photo_sha256(DigestBytes(Sha256(jpeg)));
  result.set_rule_set(rules_.version);
  Results* checks = result.mutable_checks();
  auto photo = DecodePhoto(jpeg, limits_);
  if (!photo.ok()) {
    auto info = ParseJpeg(jpeg);
    CheckFile(info.ok() ? &*info : nullptr, jpeg.size(), std::string(photo.status().message()), rules_, checks);
    AnswerTheRest(checks, "图像无法读取", "the image could not be read");
  } else {
    CheckDecoded(*photo, enrolment, &result);
  }
  Finish(start, &result);
  return result;
}

void PhotoValidator::CheckDecoded(const Photo& photo, std::string_view enrolment,
                                  v1::ValidationResult* result) const {
  Results* checks = result->mutable_checks();
  CheckFile(&photo.info, photo.file_bytes, "", rules_, checks);
  std::vector<std::string> failures;
  std::optional<Analysis> analysis;
  Guarded(
      "analysis", [&] { analysis = Analyze(photo.bgr, *landmarker_, rules_); }, &failures);
  if (!analysis) {
    FailImageFormat(checks, failures.front());
    AnswerTheRest(checks, "图像无法分析", absl::StrCat("the image cannot be analysed: ", failures.front()));
    return;
  }
  const Analysis& a = *analysis;
  Guarded(
      "framing", [&] { CheckFraming(a, rules_, checks); }, &failures);
  Guarded(
      "light", [&] { CheckLight(a, rules_, checks); }, &failures);
  Guarded(
      "face", [&] { CheckFace(a, rules_, checks); }, &failures);
  Guarded(
      "dress", [&] { CheckDress(a, rules_, checks); }, &failures);
  std::optional<FaceVector> descriptor;
  Guarded(
      "face descriptor",
      [&] {
        if (face_network_ && a.face() != nullptr) {
          descriptor = face_network_->Describe(a.bgr, *a.face());
          result->set_face_descriptor(EncodeFaceDescriptor(descriptor->data()));
          result->set_face_model(face_network_->model());
        }
      },
      &failures);
  Guarded(
      "identity",
      [&] { CheckIdentity(descriptor, enrolment, face_network_.get(), *landmarker_, checks); }, &failures);
  if (!failures.empty()) {
    const std::string why = absl::StrJoin(failures, "; ");
    AnswerTheRest(checks, absl::StrCat("检查出错，无法判断：", why), absl::StrCat("the check failed: ", why));
  }
}

v1::ValidationResult UncheckedResult(std::string_view jpeg, std::string_view why, std::string_view rule_set) {
  const auto start = std::chrono::steady_clock::now();
  v1::ValidationResult result;
  result.set_photo_sha256(DigestBytes(Sha256(jpeg)));
  result.set_rule_set(std::string(rule_set));
  FailImageFormat(result.mutable_checks(), std::string(why));
  AnswerTheRest(result.mutable_checks(), "照片未能检查",
                absl::StrCat("the photo could not be checked: ", Sv(why)));
  Finish(start, &result);
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
    for (int m = 0; m < c.measures_size(); ++m) {
      absl::StrAppend(&out, m ? "," : ",\"measures\":{", JsonQuote(c.measures(m).name()),
                      absl::StrFormat(":%.6g", c.measures(m).value()), m + 1 == c.measures_size() ? "}" : "");
    }
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
