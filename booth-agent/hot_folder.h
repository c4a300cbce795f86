// The tethered camera's hot folder: the camera software writes each shot as
// a JPEG here. A file is picked up once it is complete — its size has been
// stable for a moment and it is a whole JPEG (starts FFD8, ends FFD9) — and
// its original bytes are handed over untouched. Files that are not JPEGs,
// empty, or stay truncated are reported and moved to rejected/; delivered
// files are moved to sent/ by the caller. Uses inotify to notice new files
// quickly and rescans on every poll, so nothing depends on one event.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gradcap {

struct PickedPhoto {
  std::string name;   // file name inside the folder
  std::string bytes;  // the original JPEG bytes
};

// A file that is not a photo, set aside in rejected/.
struct RejectedFile {
  std::string name;
  std::string why;  // one line for the operator
};

struct HotFolderPoll {
  std::vector<PickedPhoto> photos;
  std::vector<RejectedFile> problems;
};

class HotFolder {
 public:
  static absl::StatusOr<std::unique_ptr<HotFolder>> Open(const std::string& dir);
  ~HotFolder();

  // Files that became complete since the last poll, oldest name first.
  HotFolderPoll Poll(int64_t now_ms);
  // Moves a handled file to sent/ (delivered) so it is never picked twice.
  void MarkSent(const std::string& name);
  // No file is waiting to become complete.
  bool idle() const { return candidates_.empty(); }

  static constexpr int64_t kStableMs = 300;        // size unchanged this long
  static constexpr int64_t kGiveUpMs = 10'000;     // still incomplete: report it
  static constexpr int64_t kMaxBytes = 64 << 20;   // larger is not a photo

 private:
  explicit HotFolder(std::string dir, int inotify_fd);
  void Reject(const std::string& name, const std::string& why, HotFolderPoll* poll);

  struct Candidate {
    int64_t size = -1;
    int64_t size_since_ms = 0;
    int64_t first_seen_ms = 0;
  };
  std::string dir_;
  int inotify_fd_;
  std::map<std::string, Candidate> candidates_;
};

}  // namespace gradcap
