// The face-recognition network's weights as the npm package
// @vladmandic/face-api 1.7.15 ships them (deploy/install-face-model.sh):
// dlib's ResNet face-recognition model (dlib_face_recognition_resnet_model_v1)
// as TF.js files — a JSON manifest of 117 tensors and one binary file, most
// tensors uint8-quantised (value = q·scale + min). This file reads and checks
// them without dlib; validator/face_network.cc builds the network from them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace gradcap::validator {

inline constexpr char kDefaultFaceModelDir[] = "/usr/local/share/gradcap/face-api-1.7.15/model";
inline constexpr char kFaceModelManifest[] = "face_recognition_model-weights_manifest.json";
inline constexpr char kFaceModelWeights[] = "face_recognition_model.bin";

struct FaceModelTensor {
  std::string name;         // e.g. "conv64_down/conv1/conv/filters"
  std::vector<int> shape;   // TF.js order: filters HWIO, fc [in, out]
  std::vector<float> values;
};

struct FaceModelWeights {
  std::string model;        // the model's name, carried by every descriptor it makes
  std::vector<FaceModelTensor> tensors;  // in the network's order, input first
};

// The tensors the network needs, in order: name and shape.
struct ExpectedTensor {
  std::string name;
  std::vector<int> shape;
};
const std::vector<ExpectedTensor>& ExpectedFaceModelTensors();

// Parses and checks a manifest and its weights file (bytes already read):
// one weights group naming `kFaceModelWeights`, exactly the expected tensors
// with their shapes, float32 with optional uint8 quantisation (finite scale
// and min), and a byte total equal to the weights file's size. Refuses
// anything else naming the file, the tensor and what is wrong.
absl::StatusOr<FaceModelWeights> ParseFaceModel(std::string_view manifest_json, std::string_view weights,
                                                std::string_view where = "face model");

// Reads DIR/kFaceModelManifest and DIR/kFaceModelWeights, checks them as
// above and against the pinned SHA-256 digests of face-api 1.7.15's files, so
// that a damaged or altered model is refused before it can make descriptors
// that silently differ from everyone else's.
absl::StatusOr<FaceModelWeights> LoadFaceModel(const std::string& dir);

}  // namespace gradcap::validator
