// Face descriptors and their distance, shared by the validator (which makes
// them: validator/face_network.cc; face_match) and the coordinator
// (face_duplicate), which must not link the image libraries for it.
//
// A descriptor is the 128-d output of dlib's ResNet face-recognition network
// (validator/face_network.h), stored as 128 little-endian float32 (512
// bytes) beside the name of the model that made it. Distances are Euclidean
// and only mean something between descriptors of the same model: a
// descriptor of another model (or of another size) is never compared.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace gradcap {

inline constexpr int kFaceDescriptorDims = 128;
inline constexpr size_t kFaceDescriptorBytes = kFaceDescriptorDims * sizeof(float);
// The network and the weights it runs (validator/face_model_file.h pins them).
inline constexpr char kFaceModelName[] = "dlib-resnet-v1@face-api-1.7.15";

// Thresholds chosen on real faces (README "Identity signals"; bench/face_bench):
// on dlib's labelled chips (5 people, 265 same-person pairs taken on different
// days) and 1,880 different-person pairs, same-person distances reach 0.553
// (p95 0.41) and different-person ones start at 0.489 (p1 0.68).
// - kFaceDuplicateDistance: face_duplicate — two students' photos of the same
//   day within it show one person. A capture-day pair (same day, light,
//   camera, pose) sits far below it; no different-person pair fell within it.
// - kFaceSameDistance: face_match passes at or below it (98.5 % of the
//   same-person pairs; one different-person pair of 1,880, two small faces).
// - kFaceDifferentDistance: face_match rejects above it: no same-person pair
//   came within 0.1 of it; 99 % of different-person pairs lie above it.
//   Between the two, face_match warns and a person looks.
inline constexpr double kFaceDuplicateDistance = 0.45;
inline constexpr double kFaceSameDistance = 0.50;
inline constexpr double kFaceDifferentDistance = 0.65;

inline std::string EncodeFaceDescriptor(const float* values) {
  static_assert(sizeof(float) == 4, "float32");
  std::string out(kFaceDescriptorBytes, '\0');
  for (int i = 0; i < kFaceDescriptorDims; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], 4);
    for (int b = 0; b < 4; ++b) out[size_t(i) * 4 + b] = char((bits >> (8 * b)) & 0xff);
  }
  return out;
}

// False (and `values` untouched) unless `bytes` is one encoded descriptor.
inline bool DecodeFaceDescriptor(std::string_view bytes, float* values) {
  if (bytes.size() != kFaceDescriptorBytes) return false;
  for (int i = 0; i < kFaceDescriptorDims; ++i) {
    uint32_t bits = 0;
    for (int b = 0; b < 4; ++b) bits |= uint32_t(uint8_t(bytes[size_t(i) * 4 + b])) << (8 * b);
    std::memcpy(&values[i], &bits, 4);
  }
  return true;
}

// Euclidean distance between two encoded descriptors of the same model;
// nothing when either is not a descriptor.
inline std::optional<double> FaceDistance(std::string_view a, std::string_view b) {
  float x[kFaceDescriptorDims], y[kFaceDescriptorDims];
  if (!DecodeFaceDescriptor(a, x) || !DecodeFaceDescriptor(b, y)) return std::nullopt;
  double sum = 0;
  for (int i = 0; i < kFaceDescriptorDims; ++i) sum += double(x[i] - y[i]) * double(x[i] - y[i]);
  return std::sqrt(sum);
}

}  // namespace gradcap
