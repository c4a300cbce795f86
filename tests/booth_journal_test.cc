// The booth's journal (booth-agent --journal_fd) read through ChildProcess's
// journal pipe, with a real booth-agent and coordinator on loopback: every
// input the booth consumes gives one JSON line once it is durably handled,
// and the seqs it names are the event ids the coordinator logs.
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/qr_code.h"
#include "common/sha256.h"
#include "tests/booth_fixture.h"

namespace gradcap {
namespace {

using testing::LoggedEvent;

std::string Jpeg(int seed) {
  cv::Mat photo(64, 48, CV_8UC3, cv::Scalar(200, 150, seed));
  std::vector<uchar> bytes;
  cv::imencode(".jpg", photo, bytes);
  return std::string(bytes.begin(), bytes.end());
}

// Written under a hidden name and renamed, as a camera or a copy would.
void Drop(const std::string& dir, const std::string& name, const std::string& bytes) {
  { std::ofstream(dir + "/." + name, std::ios::binary) << bytes; }
  std::filesystem::rename(dir + "/." + name, dir + "/" + name);
}

class BoothJournalTest : public testing::BoothFixture {};

TEST_F(BoothJournalTest, EachInputIsOneLineNamingTheOutboxSeqsTheCoordinatorLogs) {
  const std::string scans = dir_.Sub("scans"), hot = dir_.Sub("hot");
  std::filesystem::create_directories(scans);
  std::filesystem::create_directories(hot);
  StartCoordinator();
  StartBooth({"--stdin_scans", "--scan_folder", scans, "--hot_folder", hot});

  ASSERT_TRUE(booth_.WriteLine("/n 3"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"/n 3","seqs":[]})");
  ASSERT_TRUE(booth_.WriteLine("JOURNAL-TYPED-CODE"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"JOURNAL-TYPED-CODE","seqs":[1]})");
  const std::string photo = Jpeg(1);
  Drop(hot, "000002.jpg", photo);
  EXPECT_EQ(NextJournal(), R"({"input":"hot_file","name":"000002.jpg","seqs":[2]})");
  Drop(scans, "000003.png", RenderCodeScreenPng("JOURNAL-SHOWN-CODE", "****0000").value());
  EXPECT_EQ(NextJournal(), R"({"input":"scan_file","name":"000003.png","seqs":[3]})");
  Drop(scans, "000004.jpg", Jpeg(2));
  EXPECT_EQ(NextJournal(),
            R"({"input":"scan_file","name":"000004.jpg","seqs":[],"note":"no code in the picture"})");
  ASSERT_TRUE(booth_.WriteLine("/a"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"/a","seqs":[],"note":"absent needs a reason"})");
  ASSERT_TRUE(booth_.WriteLine("/s"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"/s","seqs":[4]})");

  std::vector<LoggedEvent> events = WaitForEvents(4, 60);
  ASSERT_EQ(events.size(), 4u) << BoothLog();
  EXPECT_EQ(events[0].seq, 1u);
  EXPECT_EQ(events[0].scan, "JOURNAL-TYPED-CODE");
  EXPECT_EQ(events[1].seq, 2u);
  EXPECT_EQ(events[1].photo_sha256, ToHex(Sha256(photo)));
  EXPECT_EQ(events[2].seq, 3u);
  EXPECT_EQ(events[2].scan, "JOURNAL-SHOWN-CODE");
  EXPECT_EQ(events[3].seq, 4u);
}

TEST_F(BoothJournalTest, SeqsContinueAcrossARestart) {
  const std::string hot = dir_.Sub("hot");
  std::filesystem::create_directories(hot);
  StartBooth({"--stdin_scans", "--hot_folder", hot});  // no coordinator: everything waits in the outbox
  ASSERT_TRUE(booth_.WriteLine("RESTART-CODE-1"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"RESTART-CODE-1","seqs":[1]})");
  Drop(hot, "IMG_0001.JPG", Jpeg(3));
  EXPECT_EQ(NextJournal(), R"({"input":"hot_file","name":"IMG_0001.JPG","seqs":[2]})");
  booth_.Signal(SIGKILL);
  ASSERT_TRUE(booth_.Wait(10000));

  StartBooth({"--stdin_scans", "--hot_folder", hot});
  EXPECT_NE(started_.find(R"(,"last_seq":2})"), std::string::npos) << started_;
  ASSERT_TRUE(booth_.WriteLine("RESTART-CODE-2"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"RESTART-CODE-2","seqs":[3]})");
  EXPECT_TRUE(std::filesystem::exists(hot + "/sent/IMG_0001.JPG"));
}

}  // namespace
}  // namespace gradcap
