// `validator compare A.jpg B.jpg [--json]`: are these two photos the same
// person? Prints the distance between their faces' descriptors, the
// thresholds, and same / different / undetermined — so a reviewer can check
// any pair (a face_duplicate alert, a disputed face_match).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "validator/face_landmarks.h"
#include "validator/face_network.h"

namespace gradcap::validator {

// The largest face of a JPEG and its descriptor. Small images (a face chip,
// a thumbnail) are enlarged until the detector finds a face or they reach
// 1,200 px. Errors name what is wrong: not a JPEG, no face.
absl::StatusOr<FaceVector> DescribePhoto(std::string_view jpeg, const FaceLandmarker& landmarker,
                                         const FaceNetwork& network);

struct FaceComparison {
  double distance = 0;
  std::optional<bool> same;  // nothing: between the thresholds, a person decides
};
FaceComparison CompareFaces(const FaceVector& a, const FaceVector& b);

struct CompareOptions {
  std::string landmark_model;
  std::string face_model_dir;
  std::string a, b;
  bool json = false;
};

// Exit status: 0 answered (same, different or undetermined), 2 a file cannot
// be read, holds no face, or a model cannot be loaded.
int RunCompare(const CompareOptions& options);

}  // namespace gradcap::validator
