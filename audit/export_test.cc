// The upload export from a real database: exactly the passing photos, byte
// for byte with their digests in the manifest, the 补拍 lists, framing of a
// capture of another size, and an export that never overwrites or
// half-writes.
#include "audit/export.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "audit/sample_day_for_tests.h"
#include "audit/tamper_for_tests.h"
#include "common/csv.h"
#include "common/file_util.h"
#include "common/temp_dir.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;
using testing::DayBuilder;

constexpr char kInfo[] = "信息工程学院";
constexpr char kEcon[] = "经济管理学院";

// A framer that "frames" by drawing a new 480 × 640 photo.
class FakeFramer final : public UploadFramer {
 public:
  absl::StatusOr<std::string> Frame(const std::string& capture) const override {
    ++calls;
    return testing::TestJpeg(7);
  }
  mutable int calls = 0;
};

std::string Read(const std::string& path) { return ReadWholeFile(path).value_or(""); }

std::map<std::string, std::vector<std::string>> ReadCsvByFirstColumn(const std::string& path) {
  auto t = ReadCsvFile(path);
  EXPECT_TRUE(t.ok()) << path << ": " << t.status();
  std::map<std::string, std::vector<std::string>> out;
  if (!t.ok()) return out;
  for (const CsvRow& row : t->rows) out[row.fields[0]] = row.fields;
  return out;
}

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    db_ = dir_.Sub("db");
    DayBuilder day(db_, SAMPLE_DIR);
    sample_ = testing::PlaySampleDay(day);
    day.Stop();
  }

  ExportOptions Options(const std::string& out) const {
    ExportOptions o;
    o.out_dir = dir_.Sub(out);
    return o;
  }

  TempDir dir_;
  std::string db_;
  testing::SampleDay sample_;
};

TEST_F(ExportTest, TheUploadFolderHoldsExactlyThePassingPhotosWithTheirDigests) {
  absl::StatusOr<ExportSummary> summary = ExportPhotos(db_, Options("upload"));
  ASSERT_TRUE(summary.ok()) << summary.status();
  const fs::path info = fs::path(dir_.Sub("upload")) / kInfo;
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(info)) files.insert(entry.path().filename().string());
  const std::set<std::string> expected = {"S2021001.jpg", "S2021002.jpg", "manifest.csv", "absent.csv",
                                          "retake-needed.csv"};
  EXPECT_EQ(files, expected);
  EXPECT_EQ(Read((info / "S2021001.jpg").string()), sample_.photos["A"]);
  EXPECT_EQ(Read((info / "S2021002.jpg").string()), sample_.photos["C"]);  // the retake
  auto manifest = ReadCsvByFirstColumn((info / "manifest.csv").string());
  ASSERT_EQ(manifest.size(), 2u);
  EXPECT_EQ(manifest["S2021002"][3], ToHex(Sha256(sample_.photos["C"])));  // sha256_file
  EXPECT_EQ(manifest["S2021002"][4], ToHex(Sha256(sample_.photos["C"])));  // sha256_capture
  EXPECT_EQ(manifest["S2021002"][5], "pass");
  EXPECT_EQ(manifest["S2021002"][1].find("黎"), 0u);  // masked name
  EXPECT_NE(manifest["S2021002"][1], "黎英");

  // The 补拍 list: everyone without a passing photo, and why.
  auto absent = ReadCsvByFirstColumn((info / "absent.csv").string());
  EXPECT_EQ(absent.size(), 30u - 3u);  // all but the three photographed
  EXPECT_EQ(absent["S2021004"][2], "absent");
  EXPECT_EQ(absent["S2021004"][3], "went to the clinic");
  EXPECT_EQ(absent["S2021005"][2], "waiting");
  EXPECT_EQ(absent["S2021008"][3], "scan refused: unpaid");
  EXPECT_EQ(absent["S2021009"][3], "never scanned");
  auto retake = ReadCsvByFirstColumn((info / "retake-needed.csv").string());
  ASSERT_EQ(retake.size(), 1u);
  EXPECT_EQ(retake["S2021003"][2], "fail");
  EXPECT_EQ(retake["S2021003"][3], "exposure");
  auto econ_retake =
      ReadCsvByFirstColumn((fs::path(dir_.Sub("upload")) / kEcon / "retake-needed.csv").string());
  EXPECT_EQ(econ_retake["S2022031"][3], "no verdict yet");

  EXPECT_EQ(summary->colleges.at(kInfo).exported, 2);
  EXPECT_EQ(summary->left_out.at("the photo failed its checks (retake needed)"), 1);
  EXPECT_EQ(summary->left_out.at("the photo has no verdict yet"), 1);
  EXPECT_NE(Read(dir_.Sub("upload/EXPORT.txt")).find("2 left out"), std::string::npos);
}

TEST_F(ExportTest, OneCollegeNamedByIdNumberAndForcedIncludesTheFailedPhoto) {
  ExportOptions o = Options("forced");
  o.college = kInfo;
  o.name_by = ExportOptions::NameBy::kIdNo;
  o.force = true;
  absl::StatusOr<ExportSummary> summary = ExportPhotos(db_, o);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_FALSE(fs::exists(fs::path(dir_.Sub("forced")) / kEcon));
  const fs::path info = fs::path(dir_.Sub("forced")) / kInfo;
  EXPECT_TRUE(fs::exists(info / "360102200102021010.jpg"));  // S2021001's ID number
  auto manifest = ReadCsvByFirstColumn((info / "manifest.csv").string());
  ASSERT_EQ(manifest.size(), 3u);
  EXPECT_EQ(manifest["S2021003"][5], "fail");
  EXPECT_EQ(ReadCsvByFirstColumn((info / "retake-needed.csv").string()).size(), 1u);  // still to retake
  EXPECT_TRUE(summary->left_out.empty());
}

TEST_F(ExportTest, ACaptureOfAnotherSizeIsFramedOrLeftOutSayingWhy) {
  TempDir other;
  const std::string db = other.Sub("db");
  const std::string big = testing::TestJpeg(3, 960, 1280);
  {
    DayBuilder day(db, SAMPLE_DIR);
    day.Scan("B1", "S2021001");
    day.Sign("B1");
    day.Verdict(day.Photo("B1", big).log_seq, v1::VERDICT_PASS);
    day.Stop();
  }
  ExportOptions plain;
  plain.out_dir = other.Sub("plain");
  absl::StatusOr<ExportSummary> left = ExportPhotos(db, plain);
  ASSERT_TRUE(left.ok()) << left.status();
  ASSERT_EQ(left->left_out.size(), 1u);
  EXPECT_NE(left->left_out.begin()->first.find("960 × 1280, not 480 × 640"), std::string::npos);

  FakeFramer framer;
  ExportOptions framed = plain;
  framed.out_dir = other.Sub("framed");
  framed.framer = &framer;
  absl::StatusOr<ExportSummary> done = ExportPhotos(db, framed);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(framer.calls, 1);
  auto manifest = ReadCsvByFirstColumn(other.Sub("framed/") + kInfo + "/manifest.csv");
  EXPECT_EQ(manifest["S2021001"][3], ToHex(Sha256(testing::TestJpeg(7))));
  EXPECT_EQ(manifest["S2021001"][4], ToHex(Sha256(big)));  // the original capture is named too
}

TEST_F(ExportTest, AnExistingTargetIsRefusedAndNothingIsWrittenOrLeftBehind) {
  fs::create_directories(dir_.Sub("upload"));
  std::ofstream(dir_.Sub("upload/keep.txt")) << "the registrar's notes";
  absl::StatusOr<ExportSummary> refused = ExportPhotos(db_, Options("upload"));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status()));
  EXPECT_NE(refused.status().message().find("already exists and holds files"), absl::string_view::npos);
  EXPECT_EQ(Read(dir_.Sub("upload/keep.txt")), "the registrar's notes");
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir_.path())) entries += e.path().filename().string()[0] == '.';
  EXPECT_EQ(entries, 0) << "no temporary folder may stay behind";
}

TEST_F(ExportTest, AnAlteredPhotoInTheStoreStopsTheExportAndWritesNothing) {
  testing::Tamper(db_).Put(kPhotosColumn, DigestBytes(Sha256(sample_.photos["C"])), sample_.photos["A"]);
  absl::StatusOr<ExportSummary> refused = ExportPhotos(db_, Options("upload"));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::IsDataLoss(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find("altered"), absl::string_view::npos) << refused.status();
  EXPECT_FALSE(fs::exists(dir_.Sub("upload")));
}

}  // namespace
}  // namespace gradcap
