// A booth restarted with a backlog in its scan folder and its hot folder, as
// real processes: the backlog is replayed in the order it was made (file
// modification times, set explicitly here), interleaved across the folders,
// so each photo follows the scan it was taken after; and each photo found at
// start-up is held until the operator keeps it (/keep, honouring an earlier
// /n N) or drops it (/drop: moved to held/, never sent).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "absl/time/time.h"
#include "common/qr_code.h"
#include "common/sha256.h"
#include "tests/booth_fixture.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;
using testing::LoggedEvent;

constexpr int64_t kDayStart = 1'726'880'400;  // 2024-09-21 01:00 UTC (09:00 in Beijing)

std::string Jpeg(int seed) {
  cv::Mat photo(64, 48, CV_8UC3, cv::Scalar(90, 120 + seed, 200));
  std::vector<uchar> bytes;
  cv::imencode(".jpg", photo, bytes);
  return std::string(bytes.begin(), bytes.end());
}

std::string CodePng(const std::string& payload) { return RenderCodeScreenPng(payload, "****0000").value(); }

// A file made `second` seconds into the day, as the camera or scanner left it.
void Made(const std::string& path, const std::string& bytes, int second) {
  { std::ofstream(path, std::ios::binary) << bytes; }
  const auto t = std::chrono::sys_seconds(std::chrono::seconds(kDayStart + second));
  fs::last_write_time(path, std::chrono::file_clock::from_sys(t));
}

// As the booth writes it on the operator's screen and in its log.
std::string TakenAt(int second) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(kDayStart + second),
                          absl::LocalTimeZone());
}

class BoothBacklogTest : public testing::BoothFixture {
 protected:
  void SetUp() override {
    BoothFixture::SetUp();
    fs::create_directories(scans_);
    fs::create_directories(hot_);
  }
  std::string scans_ = dir_.Sub("scans"), hot_ = dir_.Sub("hot");
};

TEST_F(BoothBacklogTest, ABacklogInBothFoldersIsReplayedInTheOrderItWasMade) {
  StartCoordinator();
  StartBooth({"--stdin_scans", "--scan_folder", scans_, "--hot_folder", hot_});
  Made(scans_ + "/000001.png", CodePng("BACKLOG-CODE-A"), 1);
  EXPECT_EQ(NextJournal(), R"({"input":"scan_file","name":"000001.png","seqs":[1]})");
  Made(hot_ + "/000002.jpg", Jpeg(2), 2);
  EXPECT_EQ(NextJournal(), R"({"input":"hot_file","name":"000002.jpg","seqs":[2]})");
  booth_.Signal(SIGKILL);  // the booth dies; the day goes on
  ASSERT_TRUE(booth_.Wait(10000));
  Made(scans_ + "/000003.png", CodePng("BACKLOG-CODE-B"), 3);
  Made(hot_ + "/000004.jpg", Jpeg(4), 4);
  Made(scans_ + "/000005.png", CodePng("BACKLOG-CODE-C"), 5);
  Made(hot_ + "/000006.jpg", Jpeg(6), 6);

  StartBooth({"--stdin_scans", "--scan_folder", scans_, "--hot_folder", hot_});
  EXPECT_EQ(NextJournal(), R"({"input":"scan_file","name":"000003.png","seqs":[3]})");
  EXPECT_EQ(NextJournal(), R"({"held":"000004.jpg"})");
  ASSERT_TRUE(booth_.WriteLine("/keep"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"/keep","name":"000004.jpg","seqs":[4]})");
  EXPECT_EQ(NextJournal(), R"({"input":"scan_file","name":"000005.png","seqs":[5]})");
  EXPECT_EQ(NextJournal(), R"({"held":"000006.jpg"})");
  ASSERT_TRUE(booth_.WriteLine("/keep"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"/keep","name":"000006.jpg","seqs":[6]})");

  std::vector<LoggedEvent> events = WaitForEvents(6, 60);
  ASSERT_EQ(events.size(), 6u) << BoothLog();
  EXPECT_EQ(events[0].scan, "BACKLOG-CODE-A");
  EXPECT_EQ(events[1].photo_sha256, ToHex(Sha256(Jpeg(2))));
  EXPECT_EQ(events[2].scan, "BACKLOG-CODE-B");
  EXPECT_EQ(events[3].photo_sha256, ToHex(Sha256(Jpeg(4))));
  EXPECT_EQ(events[4].scan, "BACKLOG-CODE-C");
  EXPECT_EQ(events[5].photo_sha256, ToHex(Sha256(Jpeg(6))));
  EXPECT_NE(BoothLog().find("000004.jpg was taken at " + TakenAt(4)), std::string::npos) << BoothLog();
}

TEST_F(BoothBacklogTest, AHeldPhotoIsKeptWithTheNumberGivenBeforeOrDroppedAndNeverSent) {
  Made(hot_ + "/IMG_0001.JPG", Jpeg(1), 10);
  Made(scans_ + "/code.png", CodePng("HELD-CODE"), 20);
  Made(hot_ + "/IMG_0002.JPG", Jpeg(2), 30);
  StartCoordinator();
  StartBooth({"--stdin_scans", "--scan_folder", scans_, "--hot_folder", hot_});

  EXPECT_EQ(NextJournal(), R"({"held":"IMG_0001.JPG"})");
  EXPECT_NE(BoothLog().find("IMG_0001.JPG was taken at " + TakenAt(10)), std::string::npos) << BoothLog();
  ASSERT_TRUE(booth_.WriteLine("/n 7"));
  // The scan made after the held photo waits behind it: the next line is the command's.
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"/n 7","seqs":[]})");
  ASSERT_TRUE(booth_.WriteLine("/keep"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"/keep","name":"IMG_0001.JPG","seqs":[1]})");
  EXPECT_EQ(NextJournal(), R"({"input":"scan_file","name":"code.png","seqs":[2]})");
  EXPECT_EQ(NextJournal(), R"({"held":"IMG_0002.JPG"})");
  ASSERT_TRUE(booth_.WriteLine("/drop"));
  EXPECT_EQ(
      NextJournal(),
      R"({"input":"line","text":"/drop","name":"IMG_0002.JPG","seqs":[],"note":"set aside in held/, not sent"})");
  ASSERT_TRUE(booth_.WriteLine("/keep"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"/keep","seqs":[],"note":"no photo is held"})");

  std::vector<LoggedEvent> events = WaitForEvents(2, 60);
  ASSERT_EQ(events.size(), 2u) << BoothLog();
  EXPECT_EQ(events[0].photo_sha256, ToHex(Sha256(Jpeg(1))));
  EXPECT_EQ(events[0].photo_number, 7u);  // the operator's /n 7, given before /keep
  EXPECT_EQ(events[1].scan, "HELD-CODE");
  EXPECT_TRUE(fs::exists(hot_ + "/sent/IMG_0001.JPG"));
  EXPECT_TRUE(fs::exists(hot_ + "/held/IMG_0002.JPG"));
  EXPECT_FALSE(fs::exists(hot_ + "/sent/IMG_0002.JPG"));
}

TEST_F(BoothBacklogTest, WithoutOperatorInputAStartUpPhotoIsSetAsideAndALaterOneIsSent) {
  Made(hot_ + "/IMG_0001.JPG", Jpeg(1), 10);
  StartBooth({"--hot_folder", hot_});  // no --stdin_scans: nobody could answer /keep
  EXPECT_EQ(NextJournal(), R"json({"input":"hot_file","name":"IMG_0001.JPG","seqs":[],)json"
                           R"json("note":"taken while the agent was not running; set aside in held/ )json"
                           R"json((no operator input to /keep it)"})json");
  EXPECT_TRUE(fs::exists(hot_ + "/held/IMG_0001.JPG"));
  Made(hot_ + "/IMG_0002.JPG", Jpeg(2), 20);  // shot with the agent running
  EXPECT_EQ(NextJournal(), R"({"input":"hot_file","name":"IMG_0002.JPG","seqs":[1]})");
}

}  // namespace
}  // namespace gradcap
