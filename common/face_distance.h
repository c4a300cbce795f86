// Comparing two face descriptors (made by validator/face_descriptor.cc):
// shared by the validator (face_match) and the coordinator (face_duplicate),
// which must not link the image libraries for it.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

namespace gradcap {

// Calibrated on 58 same-person and 438 different-person pairs of package
// photos (README "Identity signals"): below kSameFaceDistance no pair of
// different people fell (55 % of same-person pairs did); above
// kDifferentFaceDistance no pair of the same person did. Between the two the
// descriptor cannot tell.
inline constexpr double kSameFaceDistance = 0.52;
inline constexpr double kDifferentFaceDistance = 0.75;
inline constexpr int kFaceDescriptorCells = 6 * 7;
inline constexpr int kFaceDescriptorBytes = kFaceDescriptorCells * 59;

// Mean per-cell Hellinger distance, 0 (identical) to √2; a large value for
// descriptors of the wrong size.
inline double FaceDistance(const std::string& a, const std::string& b) {
  if (a.size() != size_t(kFaceDescriptorBytes) || b.size() != a.size()) return 1e9;
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = (uint8_t(a[i]) - uint8_t(b[i])) / 255.0;
    sum += d * d;
  }
  return std::sqrt(sum / kFaceDescriptorCells);
}

}  // namespace gradcap
