// The day's report from a real database: the CSVs count what the replay
// counts, the pages open without a server or a script, names stay masked,
// thumbnails only when asked, and an existing folder is never written over.
#include "audit/report.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "audit/sample_day_for_tests.h"
#include "common/csv.h"
#include "common/file_util.h"
#include "common/temp_dir.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;
using testing::DayBuilder;

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    db_ = dir_.Sub("db");
    DayBuilder day(db_, SAMPLE_DIR);
    sample_ = testing::PlaySampleDay(day);
    day.Stop();
  }
  std::vector<CsvRow> Rows(const std::string& file) {
    auto t = ReadCsvFile(dir_.Sub("report/" + file));
    EXPECT_TRUE(t.ok()) << file << ": " << t.status();
    return t.ok() ? t->rows : std::vector<CsvRow>{};
  }
  TempDir dir_;
  std::string db_;
  testing::SampleDay sample_;
};

TEST_F(ReportTest, TheCsvsCountTheDay) {
  absl::StatusOr<ReportSummary> summary = WriteReport(db_, {dir_.Sub("report"), false});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->colleges, 2);
  EXPECT_EQ(summary->students, 60);
  const std::vector<CsvRow> rec = Rows("reconciliation.csv");
  ASSERT_EQ(rec.size(), 2u);
  // college, roster, paid, scanned, photographed, passed, passed_by_operator, failed, pending, absent,
  // waiting, not_scanned, closed, …
  const std::vector<std::string> info(rec[0].fields.begin(), rec[0].fields.begin() + 13);
  const std::vector<std::string> expected = {"信息工程学院", "30", "29", "5", "3", "2", "0", "1", "0", "1", "1",
                                             "25",           "yes"};
  EXPECT_EQ(info, expected);
  EXPECT_EQ(rec[0].fields[13], std::to_string(sample_.at["close"]));  // signed at record
  EXPECT_EQ(rec[0].fields[14], "wang");
  EXPECT_EQ(rec[1].fields[12], "no");
  std::map<std::string, int> refusals;
  for (const CsvRow& r : Rows("refusals.csv")) refusals[r.fields[0]] += std::stoi(r.fields[2]);
  const std::map<std::string, int> expected_refusals = {{"duplicate_scan", 1},
                                                        {"photo_without_scan", 1},
                                                        {"shooting_no_mismatch", 1},
                                                        {"unknown_code", 1},
                                                        {"unpaid", 1}};
  EXPECT_EQ(refusals, expected_refusals);
  EXPECT_EQ(Rows("alerts.csv").size(), 4u);  // duplicate_scan, shooting_no_mismatch, two refused scans
  int photos = 0, retakes = 0;
  for (const CsvRow& r : Rows("throughput.csv")) {
    photos += std::stoi(r.fields[3]);
    retakes += std::stoi(r.fields[4]);
  }
  EXPECT_EQ(photos, 4);
  EXPECT_EQ(retakes, 1);
  std::map<std::string, std::string> failed;
  for (const CsvRow& r : Rows("failed_checks.csv")) failed[r.fields[0]] = r.fields[2];
  EXPECT_EQ(failed["exposure"], "1");
  EXPECT_EQ(failed["clothing_pattern"], "1");
}

TEST_F(ReportTest, PagesNeedNoServerNoScriptAndShowNoPlainName) {
  ASSERT_TRUE(WriteReport(db_, {dir_.Sub("report"), false}).ok());
  const std::string index = ReadWholeFile(dir_.Sub("report/index.html")).value_or("");
  EXPECT_NE(index.find("<svg"), std::string::npos);
  EXPECT_NE(index.find("college-1.html"), std::string::npos);
  const std::string college = ReadWholeFile(dir_.Sub("report/college-1.html")).value_or("");
  EXPECT_NE(college.find("S2021004"), std::string::npos);
  for (const std::string& page : {index, college}) {
    EXPECT_EQ(page.find("<script"), std::string::npos);
    EXPECT_EQ(page.find("http"), std::string::npos) << "everything must come from the folder";
    EXPECT_EQ(page.find("杜英"), std::string::npos) << "a plain name";
    EXPECT_EQ(page.find("<img"), std::string::npos) << "no thumbnails unless asked";
  }
  EXPECT_FALSE(fs::exists(dir_.Sub("report/thumbs")));
}

TEST_F(ReportTest, ThumbnailsOnlyWhenAsked) {
  absl::StatusOr<ReportSummary> summary = WriteReport(db_, {dir_.Sub("report"), true});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->thumbnails, 4);  // S2021001-3 and S2022031
  EXPECT_TRUE(fs::exists(dir_.Sub("report/thumbs/S2021002.jpg")));
  EXPECT_NE(
      ReadWholeFile(dir_.Sub("report/college-1.html")).value_or("").find("<img src=\"thumbs/S2021002.jpg\""),
      std::string::npos);
}

TEST_F(ReportTest, AnExistingFolderIsRefused) {
  fs::create_directories(dir_.Sub("report"));
  absl::StatusOr<ReportSummary> refused = WriteReport(db_, {dir_.Sub("report"), false});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("already exists"), absl::string_view::npos);
  EXPECT_TRUE(fs::is_empty(dir_.Sub("report")));
}

}  // namespace
}  // namespace gradcap
