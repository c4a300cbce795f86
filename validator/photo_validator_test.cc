// The validator's contract: every check id of PHOTO-SPEC.md is answered
// exactly once for any input (pass, fail or undetermined, never missing),
// unreadable files fail on image_format with the reason, and the verdict
// follows the reject-severity failures.
#include "validator/photo_validator.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "common/codes.h"

#include <map>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "validator/checks.h"
#include "validator/exif_for_tests.h"

namespace gradcap::validator {
namespace {

class PhotoValidatorTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto v = PhotoValidator::Create(kDefaultLandmarkModel);
    ASSERT_TRUE(v.ok()) << v.status();
    validator_ = v->release();
  }
  static void TearDownTestSuite() { delete validator_; }
  static PhotoValidator* validator_;
};
PhotoValidator* PhotoValidatorTest::validator_ = nullptr;

std::map<std::string, const v1::CheckResult*> ById(const v1::ValidationResult& r) {
  std::map<std::string, const v1::CheckResult*> out;
  for (const auto& c : r.checks()) {
    EXPECT_TRUE(out.emplace(c.id(), &c).second) << "check " << c.id() << " answered twice";
  }
  return out;
}

void ExpectEveryCheckOnce(const v1::ValidationResult& r) {
  const auto by_id = ById(r);
  EXPECT_EQ(by_id.size(), AllCheckIds().size());
  for (const std::string& id : AllCheckIds()) {
    ASSERT_TRUE(by_id.count(id)) << id << " missing";
    const std::string& s = CodeName(by_id.at(id)->status());
    EXPECT_TRUE(s == "pass" || s == "fail" || s == "undetermined") << id << ": " << s;
    if (s != "pass") {
      EXPECT_FALSE(by_id.at(id)->reason_en().empty()) << id << " gives no reason";
    }
  }
}

TEST_F(PhotoValidatorTest, UnreadableFilesFailOnImageFormatAndAnswerEveryCheck) {
  for (const std::string& bytes : {std::string(), std::string("not a photo"), std::string("\xFF\xD8\xFF\xE0", 4)}) {
    const v1::ValidationResult r = validator_->Validate(bytes);
    EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
    ExpectEveryCheckOnce(r);
    EXPECT_EQ(ById(r).at("image_format")->status(), v1::CHECK_FAIL);
    EXPECT_EQ(r.rule_set(), kRuleSetVersion);
    EXPECT_EQ(r.photo_sha256().size(), 32u);
  }
}

TEST_F(PhotoValidatorTest, APictureWithoutAFaceFailsSingleFaceAndLeavesFaceChecksUndetermined) {
  cv::Mat blue(640, 480, CV_8UC3, cv::Scalar(255, 197, 100));
  std::vector<uint8_t> jpeg;
  cv::imencode(".jpg", blue, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90});
  const v1::ValidationResult r = validator_->Validate(std::string(jpeg.begin(), jpeg.end()));
  ExpectEveryCheckOnce(r);
  const auto c = ById(r);
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  EXPECT_EQ(c.at("single_face")->status(), v1::CHECK_FAIL);
  EXPECT_EQ(c.at("image_size")->status(), v1::CHECK_PASS);
  EXPECT_EQ(c.at("image_format")->status(), v1::CHECK_PASS);
  EXPECT_EQ(c.at("background_color")->status(), v1::CHECK_PASS);  // it is all reference blue
  for (const char* id : {"eye_line", "eyes_open", "mouth_closed", "headwear"}) {
    EXPECT_EQ(c.at(id)->status(), v1::CHECK_UNDETERMINED) << id;
  }
}

std::string PlainJpeg(int width, int height) {
  cv::Mat blue(height, width, CV_8UC3, cv::Scalar(255, 197, 100));
  std::vector<uint8_t> jpeg;
  cv::imencode(".jpg", blue, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90});
  return std::string(jpeg.begin(), jpeg.end());
}

TEST_F(PhotoValidatorTest, PhotosTooSmallOrTooNarrowToMeasureFailImageFormatAndSaySo) {
  const struct {
    int width, height;
    const char* why;
  } cases[] = {{1, 1, "too small"},      {1, 640, "too small"},    {640, 1, "too small"},
               {2, 2, "too small"},      {79, 640, "too small"},   {640, 79, "too small"},
               {80, 5000, "too narrow"}, {5000, 80, "too narrow"}, {100, 1001, "too narrow"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << c.width << " x " << c.height);
    const v1::ValidationResult r = validator_->Validate(PlainJpeg(c.width, c.height));
    EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
    ExpectEveryCheckOnce(r);
    const auto by_id = ById(r);
    EXPECT_EQ(by_id.at("image_format")->status(), v1::CHECK_FAIL);
    EXPECT_NE(by_id.at("image_format")->reason_en().find(c.why), std::string::npos)
        << by_id.at("image_format")->reason_en();
    EXPECT_NE(by_id.at("image_format")
                  ->reason_en()
                  .find(std::to_string(c.width) + " × " + std::to_string(c.height)),
              std::string::npos);
    EXPECT_EQ(by_id.at("image_size")->status(), v1::CHECK_FAIL);
  }
  // The smallest measurable sizes are measured.
  for (const auto& [w, h] : {std::pair{80, 80}, std::pair{80, 800}, std::pair{800, 80}}) {
    const v1::ValidationResult r = validator_->Validate(PlainJpeg(w, h));
    ExpectEveryCheckOnce(r);
    EXPECT_EQ(ById(r).at("image_format")->status(), v1::CHECK_PASS) << w << " x " << h;
  }
}

// A 480 × 640 photo stored 640 × 480 with an Orientation tag: measured as
// shown (the size passes), refused on image_format naming the tag, since
// upload systems ignore it.
TEST_F(PhotoValidatorTest, APhotoThatReliesOnAnExifRotationFailsImageFormatNamingIt) {
  cv::Mat stored(480, 640, CV_8UC3, cv::Scalar(255, 197, 100));
  std::vector<uint8_t> buf;
  ASSERT_TRUE(cv::imencode(".jpg", stored, buf, {cv::IMWRITE_JPEG_QUALITY, 90}));
  const v1::ValidationResult r =
      validator_->Validate(WithExifOrientation(std::string(buf.begin(), buf.end()), 6, false));
  ExpectEveryCheckOnce(r);
  const auto by_id = ById(r);
  EXPECT_EQ(by_id.at("image_format")->status(), v1::CHECK_FAIL);
  EXPECT_NE(by_id.at("image_format")->reason_en().find("EXIF orientation tag (6; stored 640 × 480)"),
            std::string::npos)
      << by_id.at("image_format")->reason_en();
  EXPECT_EQ(by_id.at("image_size")->status(), v1::CHECK_PASS) << by_id.at("image_size")->reason_en();
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
}

TEST_F(PhotoValidatorTest, AnExceptionInsideTheChecksBecomesAVerdictNotACrash) {
  // With the size limits off, a 1-pixel-high photo reaches OpenCV, which
  // throws (an ROI assertion in the background split): the photo still gets
  // a verdict, with the exception's text, and so does every other size.
  DecodeLimits no_size_limits;
  no_size_limits.min_side = 1;
  no_size_limits.min_short_to_long = 0;
  auto lax = PhotoValidator::Create(kDefaultLandmarkModel, RuleSet(), no_size_limits);
  ASSERT_TRUE(lax.ok()) << lax.status();
  for (const auto& [w, h] : {std::pair{640, 1}, std::pair{1, 640}, std::pair{1, 1}, std::pair{2, 2},
                             std::pair{3, 800}, std::pair{800, 3}, std::pair{2, 640}}) {
    SCOPED_TRACE(testing::Message() << w << " x " << h);
    v1::ValidationResult r;
    ASSERT_NO_THROW(r = (*lax)->Validate(PlainJpeg(w, h)));
    ExpectEveryCheckOnce(r);
    EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);  // image_size fails at least
  }
  const v1::ValidationResult one_row = (*lax)->Validate(PlainJpeg(640, 1));
  const v1::CheckResult& format = *ById(one_row).at("image_format");
  EXPECT_EQ(format.status(), v1::CHECK_FAIL);
  EXPECT_NE(format.reason_en().find("cannot be analysed"), std::string::npos) << format.reason_en();
  EXPECT_NE(format.reason_en().find("Assertion failed"), std::string::npos) << format.reason_en();
}

TEST(UncheckedResult, FailsImageFormatWithTheReasonAndAnswersEveryCheck) {
  const v1::ValidationResult r = UncheckedResult("\xFF\xD8 bytes", "worker: std::bad_alloc");
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  ExpectEveryCheckOnce(r);
  EXPECT_NE(ById(r).at("image_format")->reason_en().find("std::bad_alloc"), std::string::npos);
  EXPECT_EQ(r.photo_sha256().size(), 32u);
}

TEST_F(PhotoValidatorTest, JsonOutputParsesAndCarriesTheReasons) {
  const v1::ValidationResult r = validator_->Validate("GIF89a");
  const std::string json = ResultJson(r, "dir/\"quoted\".jpg");
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  EXPECT_EQ(parsed.fields().at("file").string_value(), "dir/\"quoted\".jpg");
  EXPECT_EQ(parsed.fields().at("verdict").string_value(), "fail");
  EXPECT_NE(json.find("GIF"), std::string::npos);
}

}  // namespace
}  // namespace gradcap::validator
