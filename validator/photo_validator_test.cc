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
