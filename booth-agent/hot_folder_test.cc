#include "booth-agent/hot_folder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;

const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(1000, 'x') + "\xFF\xD9";

void Write(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

TEST(HotFolder, ACompleteJpegIsPickedUpOnceItIsStable) {
  TempDir dir;
  auto hot = HotFolder::Open(dir.path()).value();
  Write(dir.Sub("IMG_0001.JPG"), kJpeg);
  EXPECT_TRUE(hot->Poll(0).photos.empty());  // just appeared: wait for it to settle
  HotFolderPoll poll = hot->Poll(HotFolder::kStableMs);
  ASSERT_EQ(poll.photos.size(), 1u);
  EXPECT_EQ(poll.photos[0].name, "IMG_0001.JPG");
  EXPECT_EQ(poll.photos[0].bytes, kJpeg);  // the original bytes
  hot->MarkSent("IMG_0001.JPG");
  EXPECT_TRUE(fs::exists(dir.Sub("sent/IMG_0001.JPG")));
  EXPECT_TRUE(hot->Poll(2 * HotFolder::kStableMs).photos.empty());
}

TEST(HotFolder, AHalfWrittenJpegWaitsForTheRest) {
  TempDir dir;
  auto hot = HotFolder::Open(dir.path()).value();
  Write(dir.Sub("a.jpg"), kJpeg.substr(0, 500));
  hot->Poll(0);
  EXPECT_TRUE(hot->Poll(1000).photos.empty());
  EXPECT_TRUE(hot->Poll(1000).problems.empty());
  Write(dir.Sub("a.jpg"), kJpeg);
  hot->Poll(1100);
  HotFolderPoll poll = hot->Poll(1100 + HotFolder::kStableMs);
  ASSERT_EQ(poll.photos.size(), 1u);
  EXPECT_EQ(poll.photos[0].bytes, kJpeg);
}

TEST(HotFolder, BadFilesAreReportedAndSetAsideNeverSent) {
  TempDir dir;
  auto hot = HotFolder::Open(dir.path()).value();
  Write(dir.Sub("notes.txt"), "hello, not a photo");
  Write(dir.Sub("png.jpg"), "\x89PNG\r\n\x1a\n....");
  Write(dir.Sub("empty.jpg"), "");
  Write(dir.Sub("cut.jpg"), kJpeg.substr(0, 600));
  hot->Poll(0);
  HotFolderPoll poll = hot->Poll(HotFolder::kStableMs);
  EXPECT_TRUE(poll.photos.empty());
  EXPECT_EQ(poll.problems.size(), 2u);  // the text file and the PNG at once
  poll = hot->Poll(HotFolder::kGiveUpMs + HotFolder::kStableMs);
  EXPECT_TRUE(poll.photos.empty());
  ASSERT_EQ(poll.problems.size(), 2u);  // then the empty and the truncated one
  for (const char* f : {"notes.txt", "png.jpg", "empty.jpg", "cut.jpg"}) {
    EXPECT_TRUE(fs::exists(dir.Sub(std::string("rejected/") + f))) << f;
  }
  EXPECT_TRUE(hot->idle());
}

void SetModified(const std::string& path, int seconds_after_epoch_2024) {
  const auto t = std::chrono::sys_seconds(std::chrono::seconds(1'704'067'200 + seconds_after_epoch_2024));
  fs::last_write_time(path, std::chrono::file_clock::from_sys(t));
}

TEST(HotFolder, PhotosComeInTheOrderTheyWereMadeNotInNameOrder) {
  TempDir dir;
  auto hot = HotFolder::Open(dir.path()).value();
  Write(dir.Sub("A.jpg"), kJpeg);
  Write(dir.Sub("B.jpg"), kJpeg);
  Write(dir.Sub("C.jpg"), kJpeg);
  SetModified(dir.Sub("A.jpg"), 30);
  SetModified(dir.Sub("B.jpg"), 10);
  SetModified(dir.Sub("C.jpg"), 10);  // same second as B: the name decides
  hot->Poll(0);
  HotFolderPoll poll = hot->Poll(HotFolder::kStableMs);
  ASSERT_EQ(poll.photos.size(), 3u);
  EXPECT_EQ(poll.photos[0].name, "B.jpg");
  EXPECT_EQ(poll.photos[1].name, "C.jpg");
  EXPECT_EQ(poll.photos[2].name, "A.jpg");
  EXPECT_LT(poll.photos[1].modified_ns, poll.photos[2].modified_ns);
}

TEST(HotFolder, FilesThereAtOpenAreTheBacklogAndAreMarkedAsFoundAtOpen) {
  TempDir dir;
  Write(dir.Sub("before.jpg"), kJpeg);
  Write(dir.Sub(".hidden.jpg"), kJpeg);  // not a file of ours
  auto hot = HotFolder::Open(dir.path()).value();
  EXPECT_FALSE(hot->backlog_done());
  Write(dir.Sub("after.jpg"), kJpeg);
  SetModified(dir.Sub("after.jpg"), 20);
  SetModified(dir.Sub("before.jpg"), 10);
  hot->Poll(0);
  EXPECT_FALSE(hot->backlog_done());
  HotFolderPoll poll = hot->Poll(HotFolder::kStableMs);
  ASSERT_EQ(poll.photos.size(), 2u);
  EXPECT_EQ(poll.photos[0].name, "before.jpg");
  EXPECT_TRUE(poll.photos[0].found_at_open);
  EXPECT_EQ(poll.photos[1].name, "after.jpg");
  EXPECT_FALSE(poll.photos[1].found_at_open);
  EXPECT_TRUE(hot->backlog_done());
}

TEST(HotFolder, AHandedOverPhotoWaitsForTheCallerAndSetAsideKeepsEarlierOnes) {
  TempDir dir;
  auto hot = HotFolder::Open(dir.path()).value();
  Write(dir.Sub("IMG_0001.JPG"), kJpeg);
  hot->Poll(0);
  ASSERT_EQ(hot->Poll(HotFolder::kStableMs).photos.size(), 1u);
  // Not moved yet (the operator has not decided): never handed over twice.
  hot->Poll(2 * HotFolder::kStableMs);
  EXPECT_TRUE(hot->Poll(3 * HotFolder::kStableMs).photos.empty());
  hot->SetAside("IMG_0001.JPG");
  EXPECT_TRUE(fs::exists(dir.Sub("held/IMG_0001.JPG")));
  EXPECT_FALSE(fs::exists(dir.Sub("IMG_0001.JPG")));
  // The camera's counter wraps: a second file of that name is handed over,
  // and set aside beside the first, not over it.
  Write(dir.Sub("IMG_0001.JPG"), kJpeg + "second");
  hot->Poll(4 * HotFolder::kStableMs);
  HotFolderPoll poll = hot->Poll(5 * HotFolder::kStableMs);
  ASSERT_EQ(poll.photos.size(), 1u);
  hot->SetAside("IMG_0001.JPG");
  EXPECT_TRUE(fs::exists(dir.Sub("held/IMG_0001.JPG")));
  EXPECT_TRUE(fs::exists(dir.Sub("held/IMG_0001.JPG.1")));
}

}  // namespace
}  // namespace gradcap
