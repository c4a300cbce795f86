#include "validator/face_model_file.h"

#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/face_distance.h"
#include "common/file_util.h"
#include "common/sha256.h"

namespace gradcap::validator {
namespace {

// deploy/install-face-model.sh pins the same digests.
constexpr char kWeightsSha256[] = "b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589";
constexpr char kManifestSha256[] = "cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b";

std::string ShapeText(const std::vector<int>& shape) { return absl::StrCat("[", absl::StrJoin(shape, ","), "]"); }

void AddConv(std::vector<ExpectedTensor>* out, const std::string& prefix, int k, int in, int o) {
  out->push_back({prefix + "/conv/filters", {k, k, in, o}});
  out->push_back({prefix + "/conv/bias", {o}});
  out->push_back({prefix + "/scale/weights", {o}});
  out->push_back({prefix + "/scale/biases", {o}});
}

std::vector<ExpectedTensor> MakeExpected() {
  std::vector<ExpectedTensor> t;
  AddConv(&t, "conv32_down", 7, 3, 32);
  const auto block = [&](const std::string& name, int in, int o) {
    AddConv(&t, name + "/conv1", 3, in, o);
    AddConv(&t, name + "/conv2", 3, o, o);
  };
  for (int i = 1; i <= 3; ++i) block(absl::StrCat("conv32_", i), 32, 32);
  block("conv64_down", 32, 64);
  for (int i = 1; i <= 3; ++i) block(absl::StrCat("conv64_", i), 64, 64);
  block("conv128_down", 64, 128);
  for (int i = 1; i <= 2; ++i) block(absl::StrCat("conv128_", i), 128, 128);
  block("conv256_down", 128, 256);
  for (int i = 1; i <= 2; ++i) block(absl::StrCat("conv256_", i), 256, 256);
  block("conv256_down_out", 256, 256);
  t.push_back({"fc", {256, kFaceDescriptorDims}});
  return t;
}

}  // namespace

const std::vector<ExpectedTensor>& ExpectedFaceModelTensors() {
  static const std::vector<ExpectedTensor> expected = MakeExpected();
  return expected;
}

absl::StatusOr<FaceModelWeights> ParseFaceModel(std::string_view manifest_json, std::string_view weights,
                                                std::string_view where) {
  const auto refuse = [&](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(where), ": ", what));
  };
  nlohmann::json manifest = nlohmann::json::parse(manifest_json, nullptr, /*allow_exceptions=*/false);
  if (manifest.is_discarded()) return refuse(absl::StrCat(kFaceModelManifest, " is not JSON"));
  if (!manifest.is_array() || manifest.size() != 1 || !manifest[0].is_object()) {
    return refuse(absl::StrCat(kFaceModelManifest, " must hold exactly one weights group"));
  }
  const nlohmann::json& group = manifest[0];
  const nlohmann::json* paths = group.contains("paths") ? &group["paths"] : nullptr;
  if (paths == nullptr || !paths->is_array() || paths->size() != 1 || !(*paths)[0].is_string() ||
      (*paths)[0].get<std::string>() != kFaceModelWeights) {
    return refuse(absl::StrCat(kFaceModelManifest, ": the group's paths must be [\"", kFaceModelWeights, "\"]"));
  }
  const nlohmann::json* list = group.contains("weights") ? &group["weights"] : nullptr;
  const std::vector<ExpectedTensor>& expected = ExpectedFaceModelTensors();
  if (list == nullptr || !list->is_array() || list->size() != expected.size()) {
    return refuse(absl::StrCat(kFaceModelManifest, " lists ", list && list->is_array() ? list->size() : 0,
                               " tensors; the network has ", expected.size()));
  }
  FaceModelWeights out;
  out.model = kFaceModelName;
  size_t offset = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    const nlohmann::json& w = (*list)[i];
    const ExpectedTensor& want = expected[i];
    const std::string at = absl::StrCat(kFaceModelManifest, ": tensor ", i + 1, " (", want.name, ")");
    if (!w.is_object() || !w.contains("name") || !w["name"].is_string() || w["name"] != want.name) {
      return refuse(absl::StrCat(at, ": found ",
                                 w.is_object() && w.contains("name") ? w["name"].dump() : std::string("no name")));
    }
    std::vector<int> shape;
    if (w.contains("shape") && w["shape"].is_array()) {
      for (const auto& d : w["shape"]) shape.push_back(d.is_number_integer() ? d.get<int>() : -1);
    }
    if (shape != want.shape) {
      return refuse(absl::StrCat(at, " has shape ", ShapeText(shape), ", the network needs ", ShapeText(want.shape)));
    }
    if (!w.contains("dtype") || w["dtype"] != "float32") return refuse(absl::StrCat(at, ": dtype must be float32"));
    size_t n = 1;
    for (int d : shape) n *= size_t(d);
    FaceModelTensor t{want.name, shape, std::vector<float>(n)};
    if (w.contains("quantization")) {
      const nlohmann::json& q = w["quantization"];
      if (!q.is_object() || q.value("dtype", "") != "uint8" || !q.contains("scale") || !q["scale"].is_number() ||
          !q.contains("min") || !q["min"].is_number()) {
        return refuse(absl::StrCat(at, ": quantization must be {dtype: uint8, scale, min}"));
      }
      const double scale = q["scale"].get<double>(), min = q["min"].get<double>();
      if (!std::isfinite(scale) || !std::isfinite(min) || scale <= 0) {
        return refuse(absl::StrCat(at, ": quantization scale/min not finite or scale ≤ 0"));
      }
      if (weights.size() - offset < n || offset > weights.size()) {
        return refuse(absl::StrCat(kFaceModelWeights, " is ", weights.size(), " bytes: it ends inside ", want.name,
                                   " (truncated?)"));
      }
      // As TF.js does: in double, then to float.
      for (size_t k = 0; k < n; ++k) t.values[k] = float(uint8_t(weights[offset + k]) * scale + min);
      offset += n;
    } else {
      if (weights.size() < offset || weights.size() - offset < n * 4) {
        return refuse(absl::StrCat(kFaceModelWeights, " is ", weights.size(), " bytes: it ends inside ", want.name,
                                   " (truncated?)"));
      }
      std::memcpy(t.values.data(), weights.data() + offset, n * 4);
      offset += n * 4;
      for (float v : t.values) {
        if (!std::isfinite(v)) return refuse(absl::StrCat(at, ": holds a value that is not finite"));
      }
    }
    out.tensors.push_back(std::move(t));
  }
  if (offset != weights.size()) {
    return refuse(absl::StrCat(kFaceModelWeights, " is ", weights.size(), " bytes; the manifest describes ", offset));
  }
  return out;
}

absl::StatusOr<FaceModelWeights> LoadFaceModel(const std::string& dir) {
  const std::string manifest_path = absl::StrCat(dir, "/", kFaceModelManifest);
  const std::string weights_path = absl::StrCat(dir, "/", kFaceModelWeights);
  auto manifest = ReadWholeFile(manifest_path);
  auto weights = ReadWholeFile(weights_path);
  if (!manifest.ok() || !weights.ok()) {
    return absl::NotFoundError(absl::StrCat("face model in ", dir, ": cannot read ",
                                            !manifest.ok() ? manifest_path : weights_path,
                                            " (deploy/install-face-model.sh installs it)"));
  }
  auto parsed = ParseFaceModel(*manifest, *weights, absl::StrCat("face model in ", dir));
  if (!parsed.ok()) return parsed.status();
  const std::string weights_digest = ToHex(Sha256(*weights));
  const std::string manifest_digest = ToHex(Sha256(*manifest));
  if (weights_digest != kWeightsSha256 || manifest_digest != kManifestSha256) {
    return absl::DataLossError(absl::StrCat(
        "face model in ", dir, ": ", weights_digest != kWeightsSha256 ? weights_path : manifest_path,
        " has SHA-256 ", weights_digest != kWeightsSha256 ? weights_digest : manifest_digest, ", not face-api 1.7.15's ",
        weights_digest != kWeightsSha256 ? kWeightsSha256 : kManifestSha256,
        ": the file was altered or damaged (reinstall with deploy/install-face-model.sh)"));
  }
  return parsed;
}

}  // namespace gradcap::validator
