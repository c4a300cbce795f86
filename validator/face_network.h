// Face identity: dlib's ResNet face-recognition network (the one reported at
// 99.38 % on LFW), built from face-api's weights (validator/face_model_file.h)
// with dlib's DNN. A face becomes a 128-d descriptor; two photos of the same
// person lie within common/face_distance.h's thresholds. The input is dlib's
// face chip: 150 × 150 px cut along the 68 landmarks with 25 % padding, RGB,
// (p − {122.782, 117.001, 104.298}) / 256 — as the model was trained.
//
// This header is free of dlib; face_network.cc is the one translation unit
// that builds the network (~50 s to compile). dlib's convolutions run through
// BLAS: with OpenBLAS (deploy/install-deps.sh) a face takes ~35 ms on one core,
// with the reference BLAS ~300 ms.
#pragma once

#include <array>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "common/face_distance.h"
#include "validator/face_landmarks.h"

namespace gradcap::validator {

struct FaceModelWeights;

using FaceVector = std::array<float, kFaceDescriptorDims>;

class FaceNetwork {
 public:
  // Loads and checks DIR's weights (LoadFaceModel) and builds the network;
  // ~0.3 s. Keep one per process.
  static absl::StatusOr<std::unique_ptr<FaceNetwork>> Load(const std::string& dir);
  static absl::StatusOr<std::unique_ptr<FaceNetwork>> Build(const FaceModelWeights& weights);
  ~FaceNetwork();

  // The descriptor of `face` (landmarks in `bgr`'s pixels): the 150-px chip
  // is cut from `bgr` (8UC3) and run through the network.
  FaceVector Describe(const cv::Mat& bgr, const Face& face) const;
  // The chip Describe() cuts (8UC3, RGB order), for tests and debugging.
  cv::Mat Chip(const cv::Mat& bgr, const Face& face) const;
  // The descriptor of a ready chip: 150 × 150, 8UC3 in RGB order.
  FaceVector DescribeChip(const cv::Mat& rgb_chip) const;

  const std::string& model() const { return model_; }
  // A pass through the network when it was built: ~35 ms with OpenBLAS,
  // ~300 ms with the reference BLAS (then verdicts come late: say so).
  double first_pass_ms() const { return first_pass_ms_; }

 private:
  struct Impl;
  FaceNetwork(std::unique_ptr<Impl> impl, std::string model);
  std::unique_ptr<Impl> impl_;
  std::string model_;
  double first_pass_ms_ = 0;
};

}  // namespace gradcap::validator
