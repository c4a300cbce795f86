// Calibration on made-up measures: the suggested limit keeps the good photos
// a measure flags within the target, a limit that already does is kept, bad
// photos are counted, and the report is readable JSON and text.
#include "validator/calibrate.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "common/sha256.h"
#include "validator/rules_file.h"

namespace gradcap::validator {
namespace {

// One photo's result carrying `measures` on the check that owns each.
v1::ValidationResult Photo(const std::vector<std::pair<std::string, double>>& measures) {
  v1::ValidationResult r;
  for (const auto& [name, value] : measures) {
    const MeasureSpec* spec = FindMeasure(name);
    EXPECT_NE(spec, nullptr) << name;
    v1::CheckResult* c = r.add_checks();
    c->set_id(spec->check_id);
    c->set_severity(v1::SEVERITY_REJECT);
    v1::Measure* m = c->add_measures();
    m->set_name(name);
    m->set_value(value);
  }
  return r;
}

const MeasureCalibration& Row(const Calibration& c, const std::string& name) {
  for (const MeasureCalibration& m : c.measures) {
    if (m.spec->name == name) return m;
  }
  ADD_FAILURE() << name << " not in the calibration";
  return c.measures.front();
}

TEST(Calibrate, DescribeGivesInterpolatedPercentiles) {
  const Distribution d = Describe({5, 1, 3, 2, 4});
  EXPECT_EQ(d.n, 5);
  EXPECT_DOUBLE_EQ(d.min, 1);
  EXPECT_DOUBLE_EQ(d.p5, 1.2);
  EXPECT_DOUBLE_EQ(d.p50, 3);
  EXPECT_DOUBLE_EQ(d.p95, 4.8);
  EXPECT_DOUBLE_EQ(d.max, 5);
}

TEST(Calibrate, TooStrictLowerLimitIsLoosenedToKeepFalseRetakesUnderTarget) {
  // 40 good photos, lighting ratio 0.50 … 0.89: the 0.72 limit flags 22 of them.
  std::vector<v1::ValidationResult> good;
  for (int i = 0; i < 40; ++i) good.push_back(Photo({{"side_light_ratio", 0.50 + 0.01 * i}}));
  const Calibration c = Calibrate(good, {}, RuleSet(), 0.05);
  const MeasureCalibration& m = Row(c, "side_light_ratio");
  EXPECT_EQ(m.good_flagged, 22);
  EXPECT_TRUE(m.changed());
  EXPECT_LE(m.good_flagged_suggested, 2);  // 5 % of 40
  EXPECT_DOUBLE_EQ(m.suggested.first, 0.52);
  EXPECT_DOUBLE_EQ(c.suggested.min_side_light_ratio, 0.52);
  EXPECT_EQ(RuleDifferences(RuleSet(), c.suggested), std::vector<std::string>{"min_side_light_ratio"});
}

TEST(Calibrate, AWarnEdgeLoosenedPastItsRetakeEdgeTakesTheRetakeEdgeAlong) {
  // 40 good photos lit 0.30 … 0.69 (a site's strong key light): the warn edge
  // min_side_light_ratio goes below the retake edge reject_side_light_ratio
  // (0.5), which must follow, or --rules would refuse the suggested file.
  std::vector<v1::ValidationResult> good;
  for (int i = 0; i < 40; ++i) good.push_back(Photo({{"side_light_ratio", 0.30 + 0.01 * i}}));
  const Calibration c = Calibrate(good, {}, RuleSet(), 0.05);
  EXPECT_LT(c.suggested.min_side_light_ratio, RuleSet().reject_side_light_ratio);
  EXPECT_DOUBLE_EQ(c.suggested.reject_side_light_ratio, c.suggested.min_side_light_ratio);
  auto back = ParseRules(FormatRules(c.suggested, ""), "suggested");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_DOUBLE_EQ(back->reject_side_light_ratio, c.suggested.reject_side_light_ratio);
}

TEST(Calibrate, LimitThatAlreadyMeetsTheTargetIsKept) {
  std::vector<v1::ValidationResult> good;
  for (int i = 0; i < 20; ++i) good.push_back(Photo({{"sharpness", 40.0 + i}, {"face_lightness", 50.0 + i}}));
  const Calibration c = Calibrate(good, {}, RuleSet(), 0.05);
  EXPECT_FALSE(Row(c, "sharpness").changed());
  EXPECT_FALSE(Row(c, "face_lightness").changed());
  EXPECT_EQ(Row(c, "sharpness").good.n, 20);
  EXPECT_EQ(Row(c, "glare").good.n, 0);  // never measured: no data, kept
  EXPECT_TRUE(RuleDifferences(RuleSet(), c.suggested).empty());
}

TEST(Calibrate, BandLoosensOnlyTheSideThatFlagsGoodPhotos) {
  // Faces 40 … 98 L*: the top of the 30–88 band flags 5 of 30.
  std::vector<v1::ValidationResult> good;
  for (int i = 0; i < 30; ++i) good.push_back(Photo({{"face_lightness", 40.0 + 2 * i}}));
  const Calibration c = Calibrate(good, {}, RuleSet(), 0.05);
  const MeasureCalibration& m = Row(c, "face_lightness");
  EXPECT_EQ(m.good_flagged, 5);
  EXPECT_DOUBLE_EQ(m.suggested.first, 30);  // nobody too dark: the lower side stays
  EXPECT_GE(m.suggested.second, 96);
  EXPECT_LE(m.good_flagged_suggested, 1);
}

TEST(Calibrate, BadPhotosAreCountedUnderBothLimits) {
  std::vector<v1::ValidationResult> good, bad;
  for (int i = 0; i < 20; ++i) good.push_back(Photo({{"glare", 0.005 + 0.001 * i}}));  // up to 0.024
  for (double g : {0.015, 0.03, 0.05}) bad.push_back(Photo({{"glare", g}}));
  RuleSet strict;  // a site that sends even small highlights back
  strict.max_glare_area = 0.012;
  const Calibration c = Calibrate(good, bad, strict, 0.05);
  const MeasureCalibration& m = Row(c, "glare");
  EXPECT_EQ(m.bad_n, 3);
  EXPECT_EQ(m.bad_flagged, 3);            // 0.012 catches all three
  EXPECT_EQ(m.bad_flagged_suggested, 2);  // 0.023 lets 0.015 through
  EXPECT_LE(m.good_flagged_suggested, 1);
}

TEST(Calibrate, StrictLimitSharedByTwoMeasuresTakesTheLooserSuggestion) {
  std::vector<v1::ValidationResult> good;
  for (int i = 0; i < 20; ++i)
    good.push_back(Photo({{"earring", i < 5 ? 1.0 : 0.0}, {"necklace", i < 3 ? 2.0 : 0.0}}));
  const Calibration c = Calibrate(good, {}, RuleSet(), 0.05);
  EXPECT_GT(Row(c, "earring").suggested.second, 1.0);  // fails at or above: must step past 1
  EXPECT_EQ(Row(c, "earring").good_flagged_suggested, 0);
  EXPECT_EQ(Row(c, "necklace").good_flagged_suggested, 0);
  EXPECT_GT(c.suggested.min_jewel_score, 2.0);
}

TEST(Calibrate, SuggestedVersionNamesTheLimitsNotTheClock) {
  ASSERT_TRUE(InitCrypto().ok());
  RuleSet a, b;
  a.min_sharpness = 12;
  b.min_sharpness = 11;
  EXPECT_EQ(SuggestedVersion(RuleSet(), a), SuggestedVersion(RuleSet(), a));
  EXPECT_NE(SuggestedVersion(RuleSet(), a), SuggestedVersion(RuleSet(), b));
  EXPECT_EQ(SuggestedVersion(RuleSet(), a).rfind("chsi2017-r16-cal-", 0), 0u);
  RuleSet again = a;
  again.version = SuggestedVersion(RuleSet(), a);
  EXPECT_EQ(SuggestedVersion(again, b).rfind("chsi2017-r16-cal-", 0), 0u) << "no -cal-…-cal-…";
}

TEST(Calibrate, ReportIsValidJsonAndReadableText) {
  std::vector<v1::ValidationResult> good;
  for (int i = 0; i < 10; ++i) good.push_back(Photo({{"sharpness", 10.0 + i}}));
  Calibration c = Calibrate(good, {}, RuleSet(), 0.05);
  c.skipped.push_back({"x/notes.txt", "not a JPEG"});
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(CalibrationJson(c), &parsed).ok())
      << CalibrationJson(c);
  EXPECT_EQ(parsed.fields().at("good").struct_value().fields().at("photos").number_value(), 10);
  EXPECT_EQ(parsed.fields().at("skipped").list_value().values_size(), 1);
  const std::string text = CalibrationText(c);
  EXPECT_NE(text.find("sharpness"), std::string::npos) << text;
  EXPECT_NE(text.find("建议限值"), std::string::npos) << text;
  EXPECT_NE(text.find("x/notes.txt: not a JPEG"), std::string::npos) << text;
}

}  // namespace
}  // namespace gradcap::validator
