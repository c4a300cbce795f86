#include "booth-agent/file_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gradcap {
namespace {

FileInput ScanFile(const std::string& name, int64_t modified_ns) {
  DecodedFrame f;
  f.name = name;
  f.modified_ns = modified_ns;
  return FileInput::Scan(std::move(f));
}

FileInput HotFile(const std::string& name, int64_t modified_ns) {
  PickedPhoto p;
  p.name = name;
  p.modified_ns = modified_ns;
  return FileInput::Photo(std::move(p));
}

std::vector<std::string> Drain(FileQueue& q) {
  std::vector<std::string> names;
  while (FileInput* f = q.Front()) {
    names.push_back(f->kind == FileInput::Kind::kScanFile ? "scan " + f->scan.name
                                                          : "photo " + f->photo.name);
    q.Pop();
  }
  return names;
}

TEST(FileQueue, TheStartUpBacklogIsInterleavedAcrossFoldersByTimeThenName) {
  FileQueue q;
  // As the folders hand them over: all scans first (one a turn), photos in bursts.
  q.Add({HotFile("IMG_0009.JPG", 200), HotFile("IMG_0001.JPG", 400)});
  q.Add({ScanFile("z.png", 100)});
  q.Add({ScanFile("a.png", 300), HotFile("IMG_0005.JPG", 500)});
  q.Add({ScanFile("m.png", 500)});  // same time as IMG_0005: the name decides
  EXPECT_EQ(q.Front(), nullptr);    // the backlog is still coming in
  q.EndBacklog();
  EXPECT_EQ(Drain(q), (std::vector<std::string>{"scan z.png", "photo IMG_0009.JPG", "scan a.png",
                                                "photo IMG_0001.JPG", "photo IMG_0005.JPG", "scan m.png"}));
}

TEST(FileQueue, FilesAfterTheBacklogFollowItInArrivalOrder) {
  FileQueue q;
  q.Add({ScanFile("s1.png", 1000)});
  q.EndBacklog();
  ASSERT_NE(q.Front(), nullptr);  // the head is not handled yet
  // A file copied in with an old time still comes after what is queued.
  q.Add({HotFile("late.jpg", 10), ScanFile("s2.png", 5)});
  EXPECT_EQ(Drain(q), (std::vector<std::string>{"scan s1.png", "scan s2.png", "photo late.jpg"}));
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace gradcap
