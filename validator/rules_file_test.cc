// The rules file: the shipped default equals the compiled limits, a file
// round-trips, and every kind of bad file is refused naming the line and key.
#include "validator/rules_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/temp_dir.h"

namespace gradcap::validator {
namespace {

// The default rules with `key`'s line replaced by `line` (or dropped when empty).
std::string DefaultWith(const std::string& key, const std::string& line) {
  std::string out;
  for (const std::string& l : std::vector<std::string>(absl::StrSplit(FormatRules(RuleSet(), ""), '\n'))) {
    if (l.rfind(key + " = ", 0) == 0) {
      if (!line.empty()) absl::StrAppend(&out, line, "\n");
    } else {
      absl::StrAppend(&out, l, "\n");
    }
  }
  return out;
}

// The 1-based line of `text` where `key` is set.
int LineOf(const std::string& text, const std::string& key) {
  int no = 0;
  for (const std::string& l : std::vector<std::string>(absl::StrSplit(text, '\n'))) {
    ++no;
    if (l.rfind(key + " = ", 0) == 0) return no;
  }
  return -1;
}

void ExpectRefused(const std::string& text, int line, const std::string& key, const std::string& why) {
  auto r = ParseRules(text, "site.rules");
  ASSERT_FALSE(r.ok()) << "accepted: " << why;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(r.status().message());
  EXPECT_NE(message.find(absl::StrCat("site.rules:", line, ": ")), std::string::npos) << message;
  EXPECT_NE(message.find(absl::StrCat("key ", key, " ")), std::string::npos) << message;
  EXPECT_NE(message.find(why), std::string::npos) << message;
}

TEST(RulesFile, ShippedDefaultEqualsTheCompiledLimits) {
  auto shipped = LoadRulesFile(RULES_DIR "/chsi2017-r16.rules");
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  EXPECT_EQ(shipped->version, kRuleSetVersion);
  EXPECT_EQ(RuleDifferences(*shipped, RuleSet()), std::vector<std::string>{});
}

TEST(RulesFile, FormattedRulesReadBackTheSame) {
  RuleSet r;
  r.version = "site-2024.1";
  r.face_l_max = 91.25;
  r.min_file_kb = 15;
  r.background_rgb[1] = 190;
  r.min_object_fraction = 0.1 + 0.2;  // not exactly representable: must still round-trip
  auto back = ParseRules(FormatRules(r, "a header\nof two lines"), "x");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(RuleDifferences(*back, r), std::vector<std::string>{});
  EXPECT_EQ(RuleDifferences(*back, RuleSet()),
            (std::vector<std::string>{"version", "min_file_kb", "background_rgb", "min_object_fraction",
                                      "face_l_max"}));
}

TEST(RulesFile, CommentsBlankLinesAndSpacingAreAllowed) {
  const std::string text =
      absl::StrReplaceAll(DefaultWith("max_yaw_deg", "  max_yaw_deg=6.5   # looser turn"),
                          {{"version = chsi2017-r16", "# site file\n\nversion = site-1 # ok"}});
  auto r = ParseRules(text, "x");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->version, "site-1");
  EXPECT_EQ(r->max_yaw_deg, 6.5);
}

TEST(RulesFile, UnknownKeyIsRefusedWithLineAndKey) {
  std::string text = FormatRules(RuleSet(), "");
  text += "max_yaw_degs = 7\n";
  const int line = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  ExpectRefused(text, line, "max_yaw_degs", "is not a known key");
}

TEST(RulesFile, BadNumbersAreRefusedWithLineAndKey) {
  for (const std::string& value : {"", "abc", "12px", "nan", "inf", "1,5"}) {
    const std::string text = DefaultWith("min_sharpness", "min_sharpness = " + value);
    ExpectRefused(text, LineOf(text, "min_sharpness"), "min_sharpness", "is not a number");
  }
  const std::string half = DefaultWith("min_jpeg_quality", "min_jpeg_quality = 60.5");
  ExpectRefused(half, LineOf(half, "min_jpeg_quality"), "min_jpeg_quality", "whole number");
  const std::string rgb = DefaultWith("background_rgb", "background_rgb = 100, 197");
  ExpectRefused(rgb, LineOf(rgb, "background_rgb"), "background_rgb", "three numbers");
}

TEST(RulesFile, ValuesOutOfTheirSaneRangeAreRefused) {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"min_side_light_ratio", "1.5"},
                                                        {"max_roll_deg", "-1"},
                                                        {"max_yaw_deg", "0"},
                                                        {"min_jpeg_quality", "101"},
                                                        {"background_rgb", "100, 300, 255"},
                                                        {"face_l_max", "120"}}) {
    const std::string text = DefaultWith(key, key + " = " + value);
    ExpectRefused(text, LineOf(text, key), key, "out of range");
  }
}

TEST(RulesFile, DuplicateKeyIsRefusedNamingBothLines) {
  std::string text = FormatRules(RuleSet(), "");
  const int first = LineOf(text, "max_glare_area");
  text += "max_glare_area = 0.02\n";
  const int line = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  ExpectRefused(text, line, "max_glare_area", absl::StrCat("appears twice (first on line ", first, ")"));
}

TEST(RulesFile, MissingVersionOrKeyIsRefused) {
  const std::string no_version = DefaultWith("version", "");
  const int last = static_cast<int>(std::count(no_version.begin(), no_version.end(), '\n')) + 1;
  ExpectRefused(no_version, last, "version", "missing");
  const std::string no_key = DefaultWith("min_eye_aspect", "");
  auto r = ParseRules(no_key, "site.rules");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("key min_eye_aspect missing"), std::string::npos) << r.status();
  const std::string bad_name = DefaultWith("version", "version = my rules");
  ExpectRefused(bad_name, LineOf(bad_name, "version"), "version", "not a version name");
}

TEST(RulesFile, BandWithMinAboveMaxIsRefusedAtTheMaxKey) {
  const std::string text = DefaultWith("eye_line_max", "eye_line_max = 150");
  ExpectRefused(text, LineOf(text, "eye_line_max"), "eye_line_max", "is below eye_line_min");
}

TEST(RulesFile, LineWithoutEqualsSignIsRefused) {
  std::string text = FormatRules(RuleSet(), "");
  text += "max_lip_gap 0.2\n";
  const int line = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  ExpectRefused(text, line, "max_lip_gap", "has no '='");
}

TEST(RulesFile, MissingFileIsNotFound) {
  TempDir dir;
  auto r = LoadRulesFile(dir.Sub("none.rules"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace gradcap::validator
