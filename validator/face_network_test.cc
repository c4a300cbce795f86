// The face network's weights are checked before use, its descriptors are
// deterministic, and they equal face-api.js's own implementation of the same
// network (TF.js, run by Node) within 1e-4 on the same chips.
#include "validator/face_network.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/file_util.h"
#include "common/temp_dir.h"
#include "validator/face_model_file.h"

namespace gradcap::validator {
namespace {

namespace fs = std::filesystem;

std::string ModelFile(const char* name) {
  auto bytes = ReadWholeFile(std::string(kDefaultFaceModelDir) + "/" + name);
  return bytes.ok() ? *bytes : std::string();
}

// A copy of the model folder with one file changed.
std::string CopyWith(const TempDir& dir, const char* name, const std::string& bytes) {
  for (const char* f : {kFaceModelManifest, kFaceModelWeights}) {
    std::ofstream(dir.Sub(f), std::ios::binary) << (std::string(f) == name ? bytes : ModelFile(f));
  }
  return dir.path();
}

class FaceModelFile : public ::testing::Test {
 protected:
  void SetUp() override {
    manifest_ = ModelFile(kFaceModelManifest);
    weights_ = ModelFile(kFaceModelWeights);
    ASSERT_FALSE(manifest_.empty() || weights_.empty()) << "run deploy/install-face-model.sh";
  }
  std::string manifest_, weights_;
};

TEST_F(FaceModelFile, TheInstalledModelLoadsWithEveryTensorOfTheNetwork) {
  auto m = LoadFaceModel(kDefaultFaceModelDir);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->tensors.size(), 117u);
  EXPECT_EQ(m->model, kFaceModelName);
  size_t values = 0;
  for (const auto& t : m->tensors) values += t.values.size();
  EXPECT_EQ(values, 5'614'592u);
}

TEST_F(FaceModelFile, ATruncatedWeightsFileIsRefusedSayingWhereItEnds) {
  auto m = ParseFaceModel(manifest_, weights_.substr(0, weights_.size() / 2));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("truncated"), std::string::npos) << m.status();
  EXPECT_NE(m.status().message().find("ends inside conv"), std::string::npos) << m.status();
  TempDir dir;
  auto loaded = LoadFaceModel(CopyWith(dir, kFaceModelWeights, weights_.substr(0, weights_.size() - 1)));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("bytes"), std::string::npos) << loaded.status();
}

TEST_F(FaceModelFile, AnAlteredWeightsFileOfTheRightSizeIsRefusedByItsDigest) {
  std::string altered = weights_;
  altered[altered.size() / 3] ^= 0x10;
  TempDir dir;
  auto m = LoadFaceModel(CopyWith(dir, kFaceModelWeights, altered));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("SHA-256"), std::string::npos) << m.status();
  EXPECT_NE(m.status().message().find(kFaceModelWeights), std::string::npos) << m.status();
  auto network = FaceNetwork::Load(dir.path());
  EXPECT_FALSE(network.ok());
}

TEST_F(FaceModelFile, AManifestNamingAnotherShapeOrNotJsonIsRefusedNamingTheTensor) {
  nlohmann::json j = nlohmann::json::parse(manifest_);
  j[0]["weights"][4]["shape"] = {3, 3, 32, 16};
  auto m = ParseFaceModel(j.dump(), weights_);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("tensor 5 (conv32_1/conv1/conv/filters) has shape [3,3,32,16], the network "
                                      "needs [3,3,32,32]"),
            std::string::npos)
      << m.status();
  EXPECT_FALSE(ParseFaceModel("{ not json", weights_).ok());
  j = nlohmann::json::parse(manifest_);
  j[0]["weights"].erase(j[0]["weights"].begin() + 7);
  m = ParseFaceModel(j.dump(), weights_);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("116 tensors"), std::string::npos) << m.status();
  TempDir empty;
  auto missing = LoadFaceModel(empty.path());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("install-face-model"), std::string::npos) << missing.status();
}

// dlib's labelled chips (tests/faces/fetch-face-sets.sh), as RGB.
std::vector<fs::path> Chips(int n) {
  std::vector<fs::path> out;
  const fs::path johns = "/var/cache/gradcap/test-data/face-sets/johns";
  std::error_code ec;
  for (const auto& person : fs::directory_iterator(johns, ec)) {
    for (const auto& f : fs::directory_iterator(person.path())) {
      out.push_back(f.path());
      break;
    }
  }
  std::sort(out.begin(), out.end());
  if (out.size() > size_t(n)) out.resize(n);
  return out;
}

cv::Mat RgbChip(const fs::path& p) {
  cv::Mat bgr = cv::imread(p.string(), cv::IMREAD_COLOR), rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

TEST(FaceNetworkTest, DescriptorsAreDeterministicAcrossCallsAndInstances) {
  auto a = FaceNetwork::Load(kDefaultFaceModelDir);
  auto b = FaceNetwork::Load(kDefaultFaceModelDir);
  ASSERT_TRUE(a.ok() && b.ok());
  const auto chips = Chips(2);
  ASSERT_EQ(chips.size(), 2u) << "run tests/faces/fetch-face-sets.sh";
  const cv::Mat chip = RgbChip(chips[0]);
  const FaceVector first = (*a)->DescribeChip(chip);
  (void)(*a)->DescribeChip(RgbChip(chips[1]));  // another face in between
  EXPECT_EQ((*a)->DescribeChip(chip), first);
  EXPECT_EQ((*b)->DescribeChip(chip), first);
  double norm = 0;
  for (float v : first) norm += v * v;
  EXPECT_GT(norm, 0.01);  // not a blank answer
}

TEST(FaceNetworkTest, DescriptorsEqualFaceApiJsOwnImplementationWithin1e4) {
  auto network = FaceNetwork::Load(kDefaultFaceModelDir);
  ASSERT_TRUE(network.ok()) << network.status();
  const auto chips = Chips(5);
  ASSERT_EQ(chips.size(), 5u) << "run tests/faces/fetch-face-sets.sh";
  TempDir dir;
  std::string command = std::string("node ") + FACES_DIR + "/reference.mjs " +
                        fs::path(kDefaultFaceModelDir).parent_path().string();
  std::vector<FaceVector> ours;
  for (size_t i = 0; i < chips.size(); ++i) {
    const cv::Mat rgb = RgbChip(chips[i]);
    ASSERT_EQ(rgb.rows, 150);
    const std::string raw = dir.Sub(std::to_string(i) + ".rgb");
    std::ofstream(raw, std::ios::binary).write(reinterpret_cast<const char*>(rgb.data), 150 * 150 * 3);
    command += " " + raw;
    ours.push_back((*network)->DescribeChip(rgb));
  }
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  ASSERT_EQ(pclose(pipe), 0) << out;
  std::istringstream lines(out);
  std::string line;
  size_t seen = 0;
  double worst = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string file;
    fields >> file;
    if (file.size() < 4 || file.substr(file.size() - 4) != ".rgb") continue;
    const size_t i = std::stoul(fs::path(file).stem().string());
    ASSERT_LT(i, ours.size());
    for (int k = 0; k < kFaceDescriptorDims; ++k) {
      double v;
      ASSERT_TRUE(fields >> v) << line;
      worst = std::max(worst, std::abs(v - ours[i][k]));
    }
    ++seen;
  }
  EXPECT_EQ(seen, chips.size()) << out;
  EXPECT_LT(worst, 1e-4);
  std::printf("largest difference from face-api.js over %zu chips × 128: %.2g\n", seen, worst);
}

}  // namespace
}  // namespace gradcap::validator
