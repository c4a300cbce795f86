// Checks one photo against PHOTO-SPEC.md: decode safely, analyse once, run
// every check group, and give the verdict (fail when any reject-severity
// check fails; warnings and undetermined checks go to the operator). This is
// the validator's edge towards OpenCV and dlib: an exception from either
// never leaves Validate() — a photo that cannot be analysed fails
// image_format with the exception's text, and a check group that throws
// leaves its checks undetermined with it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "proto/gradcap.pb.h"
#include "validator/face_landmarks.h"
#include "validator/face_model_file.h"
#include "validator/face_network.h"
#include "validator/photo_input.h"
#include "validator/rules.h"

namespace gradcap::validator {

class PhotoValidator {
 public:
  // `face_model_dir`: the face-recognition network's weights (face_match and
  // the descriptor for face_duplicate); empty runs without it (face_match
  // undetermined, no descriptor). A damaged model is refused here.
  static absl::StatusOr<std::unique_ptr<PhotoValidator>> Create(
      const std::string& model_path, RuleSet rules = {}, DecodeLimits limits = {},
      const std::string& face_model_dir = kDefaultFaceModelDir);

  // Never fails and never throws: unreadable input, a size too small to
  // measure and an image that cannot be analysed give an image_format
  // failure. Sets
  // photo_sha256, rule_set, verdict, checks, face_descriptor (with
  // face_model) and elapsed_ms.
  // `enrolment` (optional) is the roster's photo of the student: face_match
  // compares the two faces; without it face_match is undetermined.
  v1::ValidationResult Validate(std::string_view jpeg, std::string_view enrolment = {}) const;

  const FaceLandmarker& landmarker() const { return *landmarker_; }
  const FaceNetwork* face_network() const { return face_network_.get(); }
  const RuleSet& rules() const { return rules_; }

 private:
  PhotoValidator(std::unique_ptr<FaceLandmarker> landmarker, std::unique_ptr<FaceNetwork> face_network,
                 RuleSet rules, DecodeLimits limits)
      : landmarker_(std::move(landmarker)), face_network_(std::move(face_network)), rules_(rules), limits_(limits) {}
  void CheckDecoded(const Photo& photo, std::string_view enrolment, v1::ValidationResult* result) const;

  std::unique_ptr<FaceLandmarker> landmarker_;
  std::unique_ptr<FaceNetwork> face_network_;  // null: no identity checks
  RuleSet rules_;
  DecodeLimits limits_;
};

// The result for a photo whose check could not run at all (`why`, e.g. an
// exception where none was expected): image_format fails with it, every other
// check is undetermined, the verdict is fail. `rule_set` is the version the
// result is filed under.
v1::ValidationResult UncheckedResult(std::string_view jpeg, std::string_view why,
                                     std::string_view rule_set = kRuleSetVersion);

// One JSON object (one line) for `validator check --json`.
std::string ResultJson(const v1::ValidationResult& result, std::string_view file);
// A few lines for people: verdict, then each failed, warned or undetermined check.
std::string ResultText(const v1::ValidationResult& result, std::string_view file, bool all_checks);

}  // namespace gradcap::validator
