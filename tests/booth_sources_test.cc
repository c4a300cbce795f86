// The booth agent's picture sources with real processes on loopback: a video
// of one code held for 3 s is one scan, two codes in a row are two; and a
// burst of scans (image folder) and photos (hot folder) survives the
// coordinator being cut off midway — afterwards the coordinator holds every
// event once, in order, with the photos' original bytes.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "absl/strings/str_format.h"
#include "common/qr_code.h"
#include "common/sha256.h"
#include "tests/booth_fixture.h"

namespace gradcap {
namespace {

using testing::LoggedEvent;

cv::Mat Screen(const std::string& payload) {
  std::string png = RenderCodeScreenPng(payload, "****0000").value();
  return cv::imdecode(std::vector<uchar>(png.begin(), png.end()), cv::IMREAD_COLOR);
}

// A 1280x720 frame with the phone screen at (x, y), half size.
cv::Mat Frame(const cv::Mat& screen, int x, int y) {
  cv::Mat frame(720, 1280, CV_8UC3, cv::Scalar(90, 100, 110));
  cv::Mat half;
  cv::resize(screen, half, cv::Size(360, 640), 0, 0, cv::INTER_AREA);
  half(cv::Rect(0, 0, 360, 560)).copyTo(frame(cv::Rect(x, y, 360, 560)));
  return frame;
}

class BoothSourcesTest : public testing::BoothFixture {
 protected:
  void SetUp() override {
    BoothFixture::SetUp();
    StartCoordinator();
  }
};

TEST_F(BoothSourcesTest, ACodeHeldThreeSecondsIsOneScanAndTwoCodesInARowAreTwo) {
  const cv::Mat a = Screen("DEBOUNCE-CODE-A"), b = Screen("DEBOUNCE-CODE-B");
  auto write_video = [](const std::string& path, const std::vector<cv::Mat>& frames) {
    cv::VideoWriter w(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30, cv::Size(1280, 720));
    ASSERT_TRUE(w.isOpened());
    for (const cv::Mat& f : frames) w.write(f);
  };
  std::vector<cv::Mat> held, two;
  for (int i = 0; i < 90; ++i) held.push_back(Frame(a, 400 + (i % 7) * 3, 60 + (i % 5) * 2));  // a hand is never still
  for (int i = 0; i < 45; ++i) two.push_back(Frame(a, 300, 80));
  for (int i = 0; i < 45; ++i) two.push_back(Frame(b, 600, 80));
  write_video(dir_.Sub("held.avi"), held);
  write_video(dir_.Sub("two.avi"), two);

  StartBooth({"--video", dir_.Sub("held.avi"), "--exit_when_delivered"});
  ASSERT_TRUE(booth_.Wait(120000)) << testing::ReadFile(dir_.Sub("booth.log"));
  ASSERT_EQ(booth_.exit_status(), 0) << testing::ReadFile(dir_.Sub("booth.log"));
  std::vector<LoggedEvent> events = Logged();
  ASSERT_EQ(events.size(), 1u) << testing::ReadFile(dir_.Sub("booth.log"));
  EXPECT_EQ(events[0].scan, "DEBOUNCE-CODE-A");

  StartBooth({"--video", dir_.Sub("two.avi"), "--exit_when_delivered"});
  ASSERT_TRUE(booth_.Wait(120000));
  ASSERT_EQ(booth_.exit_status(), 0);
  events = Logged();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].scan, "DEBOUNCE-CODE-A");
  EXPECT_EQ(events[2].scan, "DEBOUNCE-CODE-B");
}

TEST_F(BoothSourcesTest, ScansAndPhotosDuringAnOutageArriveOnceAndInOrder) {
  const std::string scans = dir_.Sub("scans"), hot = dir_.Sub("hot");
  std::filesystem::create_directories(scans);
  std::filesystem::create_directories(hot);
  StartBooth({"--scan_folder", scans, "--hot_folder", hot, "--stdin_scans"});
  std::vector<std::string> expected_scans, expected_photos;
  uint64_t seq = 0;
  // Two turns of the agent: a command is read at the start of a turn and the
  // folders are polled after it, so once the second command's line is back,
  // the folders have been looked at with everything written before the first.
  auto two_turns = [&] {
    for (int turn = 0; turn < 2; ++turn) {
      ASSERT_TRUE(booth_.WriteLine("/help"));
      ASSERT_EQ(NextJournal(), R"({"input":"line","text":"/help","seqs":[]})");
    }
  };
  cv::RNG rng(42);
  auto show_and_shoot = [&](int i) {
    const std::string payload = absl::StrFormat("OUTAGE-CODE-%02d", i);
    const std::string png = absl::StrFormat("%02d.png", i);
    cv::imwrite(scans + "/" + png, Frame(Screen(payload), 200 + 10 * i, 60));
    expected_scans.push_back(payload);
    // The scan is stored before the photo is shot.
    ASSERT_EQ(NextJournal(), absl::StrFormat(R"({"input":"scan_file","name":"%s","seqs":[%d]})", png, ++seq));
    cv::Mat photo(640, 480, CV_8UC3);
    rng.fill(photo, cv::RNG::UNIFORM, cv::Scalar::all(0), cv::Scalar::all(255));
    std::vector<uchar> jpeg;
    cv::imencode(".jpg", photo, jpeg);
    const std::string bytes(jpeg.begin(), jpeg.end());
    // Written in two parts, as a camera streams a file; the agent looks at
    // the folder while only the first part is there.
    const std::string name = absl::StrFormat("IMG_%04d.JPG", i);
    { std::ofstream(hot + "/" + name, std::ios::binary) << bytes.substr(0, bytes.size() / 2); }
    two_turns();
    { std::ofstream(hot + "/" + name, std::ios::binary | std::ios::app) << bytes.substr(bytes.size() / 2); }
    expected_photos.push_back(ToHex(Sha256(bytes)));
    // The photo is stored (whole) before the next scan is shown.
    ASSERT_EQ(NextJournal(), absl::StrFormat(R"({"input":"hot_file","name":"%s","seqs":[%d]})", name, ++seq));
  };
  for (int i = 0; i < 4; ++i) show_and_shoot(i);
  coordinator_.Signal(SIGKILL);  // the network goes
  ASSERT_TRUE(coordinator_.Wait(5000));
  std::ofstream(hot + "/notes.txt") << "not a photo";
  EXPECT_EQ(NextJournal().rfind(R"({"input":"hot_file","name":"notes.txt","seqs":[],"note":"not a JPEG)", 0),
            0u);
  for (int i = 4; i < 10; ++i) show_and_shoot(i);
  StartCoordinator();  // and comes back: everything is in the outbox by now

  std::vector<LoggedEvent> events = WaitForEvents(20, 90);
  ASSERT_EQ(events.size(), 20u) << BoothLog();
  std::vector<std::string> got_scans, got_photos;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq, i + 1);
    if (!events[i].scan.empty()) got_scans.push_back(events[i].scan);
    if (!events[i].photo_sha256.empty()) got_photos.push_back(events[i].photo_sha256);
  }
  EXPECT_EQ(got_scans, expected_scans);
  EXPECT_EQ(got_photos, expected_photos);  // the original bytes, once each, in order
  EXPECT_TRUE(std::filesystem::exists(hot + "/rejected/notes.txt"));
  EXPECT_NE(BoothLog().find("notes.txt: not a JPEG"), std::string::npos);
}

}  // namespace
}  // namespace gradcap
