// A student's story from the log alone: every scan with its outcome, each
// photo version with its digest and verdict, the alerts, the close and its
// checkpoint, and the answer to "whose face is on the photo, and why".
#include "audit/student_story.h"

#include <gtest/gtest.h>

#include "audit/sample_day_for_tests.h"
#include "common/temp_dir.h"

namespace gradcap {
namespace {

using testing::DayBuilder;

class StudentStoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    db_ = dir_.Sub("db");
    DayBuilder day(db_, SAMPLE_DIR);
    sample_ = testing::PlaySampleDay(day);
    day.Stop();
  }

  static std::vector<std::string> Whats(const v1::StudentStory& s) {
    std::vector<std::string> out;
    for (const auto& e : s.entries()) {
      out.push_back(e.what() + (e.what() == "alert"  ? ":" + e.alert()
                                : e.reason().empty() ? ""
                                                     : ":" + e.reason()));
    }
    return out;
  }

  TempDir dir_;
  std::string db_;
  testing::SampleDay sample_;
};

TEST_F(StudentStoryTest, ARetakenStudentsStoryNamesTheVersionOnFileAndWhyItIsTheirs) {
  absl::StatusOr<v1::StudentStory> s = StudentStoryOf(db_, "S2021002", false);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->status(), "photographed");
  EXPECT_EQ(s->photo_versions(), 2u);
  EXPECT_EQ(s->photo_sha256(), ToHex(Sha256(sample_.photos["C"])));
  EXPECT_EQ(s->photo_log_seq(), sample_.at["retake S2021002"]);
  EXPECT_EQ(s->verdict(), "pass");
  const std::vector<std::string> expected = {"scan",    "sign",  "photo",      "verdict",   "retake",
                                             "verdict", "close", "checkpoint", "checkpoint"};
  EXPECT_EQ(Whats(*s), expected);
  const auto& first_verdict = s->entries(3);
  EXPECT_EQ(first_verdict.verdict(), "fail");
  EXPECT_EQ(first_verdict.failed_checks(0), "clothing_pattern");
  EXPECT_EQ(s->entries(2).photo_version(), 1u);
  EXPECT_FALSE(s->entries(2).current());
  EXPECT_TRUE(s->entries(4).current());
  EXPECT_EQ(s->entries(4).photo_version(), 2u);
  EXPECT_NE(s->answer().find("version 2 of 2"), std::string::npos) << s->answer();
  EXPECT_NE(s->answer().find(s->photo_sha256()), std::string::npos) << s->answer();
  EXPECT_NE(s->answer().find("because their collection code was accepted at B1"), std::string::npos)
      << s->answer();
  EXPECT_NE(s->answer().find("Verdict: pass"), std::string::npos) << s->answer();
  EXPECT_NE(FormatStudentStory(*s).find("← on file"), std::string::npos);
}

TEST_F(StudentStoryTest, RefusalsAndAlertsAreInTheStoryWithTheirReasons) {
  absl::StatusOr<v1::StudentStory> s = StudentStoryOf(db_, "S2021003", false);
  ASSERT_TRUE(s.ok()) << s.status();
  const std::vector<std::string> expected = {"scan",
                                             "scan:duplicate_scan",
                                             "alert:duplicate_scan",
                                             "sign",
                                             "photo:shooting_no_mismatch",
                                             "alert:shooting_no_mismatch",
                                             "photo",
                                             "verdict",
                                             "close",
                                             "checkpoint",
                                             "checkpoint"};
  EXPECT_EQ(Whats(*s), expected);
  EXPECT_EQ(s->verdict(), "fail");
  EXPECT_NE(s->answer().find("2 alert(s)"), std::string::npos) << s->answer();
}

TEST_F(StudentStoryTest, AbsentUnpaidAndWaitingStudentsAreToldWhyThereIsNoPhoto) {
  absl::StatusOr<v1::StudentStory> absent = StudentStoryOf(db_, "S2021004", false);
  ASSERT_TRUE(absent.ok());
  EXPECT_NE(absent->answer().find("marked absent at booth B1"), std::string::npos) << absent->answer();
  EXPECT_NE(absent->answer().find("went to the clinic"), std::string::npos) << absent->answer();
  absl::StatusOr<v1::StudentStory> unpaid = StudentStoryOf(db_, "S2021008", false);
  ASSERT_TRUE(unpaid.ok());
  EXPECT_EQ(unpaid->status(), "not_seen");
  ASSERT_GE(unpaid->entries_size(), 1);
  EXPECT_EQ(unpaid->entries(0).reason(), "unpaid");
  EXPECT_NE(unpaid->answer().find("No accepted scan"), std::string::npos) << unpaid->answer();
  absl::StatusOr<v1::StudentStory> waiting = StudentStoryOf(db_, "S2021005", false);
  ASSERT_TRUE(waiting.ok());
  EXPECT_NE(waiting->answer().find("never photographed"), std::string::npos) << waiting->answer();
  EXPECT_NE(FormatStudentStory(*waiting).find("closed with override"), std::string::npos);
}

TEST_F(StudentStoryTest, NamesAreMaskedUnlessUnmasked) {
  absl::StatusOr<v1::StudentStory> masked = StudentStoryOf(db_, "S2021001", false);
  absl::StatusOr<v1::StudentStory> plain = StudentStoryOf(db_, "S2021001", true);
  ASSERT_TRUE(masked.ok() && plain.ok());
  EXPECT_EQ(plain->name(), "杜英");
  EXPECT_EQ(plain->id_no(), "360102200102021010");
  EXPECT_NE(masked->name(), "杜英");
  EXPECT_EQ(FormatStudentStory(*masked).find("杜英"), std::string::npos);
  EXPECT_EQ(FormatStudentStory(*masked).find("360102200102021010"), std::string::npos);
}

TEST_F(StudentStoryTest, AStudentNeitherInTheRosterNorTheLogIsNotFound) {
  absl::StatusOr<v1::StudentStory> s = StudentStoryOf(db_, "S9999999", false);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::IsNotFound(s.status()));
}

}  // namespace
}  // namespace gradcap
