#include "booth-agent/hot_folder.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace gradcap
