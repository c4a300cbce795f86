// Framing help (PHOTO-SPEC.md): from a larger capture, the 480 × 640 crop
// that puts head_top, eye_line, face_width and centered inside their limits,
// or the reason no crop can. The capture itself is never changed.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "validator/face_landmarks.h"
#include "validator/rules.h"

namespace gradcap::validator {

struct Framing {
  cv::Rect crop;            // in capture pixels
  double scale = 1;         // output pixels per capture pixel
  double eye_line = 0, face_width = 0, head_top = 0;  // predicted in the output
  std::string jpeg;         // the encoded 480 × 640 photo
  int quality = 0;          // JPEG quality used
};

// Errors say why no crop fits ("face too small in the capture: 120 px wide,
// needs 190 px", "the capture ends 80 px below the chin: frame lower").
absl::StatusOr<Framing> FramePhoto(const cv::Mat& capture, const FaceLandmarker& landmarker, const RuleSet& rules);

}  // namespace gradcap::validator
