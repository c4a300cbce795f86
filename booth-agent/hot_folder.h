// The tethered camera's hot folder: the camera software writes each shot as
// a JPEG here. A file is picked up once it is complete — its size has been
// stable for a moment and it is a whole JPEG (starts FFD8, ends FFD9) — and
// its original bytes are handed over untouched, in the order the files were
// made (file_order.h). Files that are not JPEGs, empty, or stay truncated are
// reported and moved to rejected/; the caller moves each photo it was handed
// to sent/ (delivered) or held/ (set aside by the operator), and until then
// it is not handed over again. Files already here when the folder is opened
// are marked found_at_open (the agent decides which were shot while it was
// down). Uses inotify to notice new files quickly and rescans on every poll,
// so nothing depends on one event. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gradcap {

struct PickedPhoto {
  std::string name;            // file name inside the folder
  std::string bytes;           // the original JPEG bytes
  int64_t modified_ns = 0;     // when the camera wrote it (file_order.h)
  bool found_at_open = false;  // it was here when the folder was opened
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

  // Files that became complete since the last poll, oldest first.
  HotFolderPoll Poll(int64_t now_ms);
  // Moves a handled file to sent/ (delivered) so it is never picked twice.
  void MarkSent(const std::string& name);
  // Moves a photo the operator set aside to held/ (never sent); a file of
  // that name already there is kept (the new one gets a suffix).
  void SetAside(const std::string& name);
  // No file is waiting to become complete.
  bool idle() const { return candidates_.empty(); }
  // Every file that was here at Open has been handed over, rejected or has gone.
  bool backlog_done() const { return backlog_.empty(); }

  static constexpr int64_t kStableMs = 300;        // size unchanged this long
  static constexpr int64_t kGiveUpMs = 10'000;     // still incomplete: report it
  static constexpr int64_t kMaxBytes = 64 << 20;   // larger is not a photo

 private:
  HotFolder(std::string dir, int inotify_fd);
  void Reject(const std::string& name, const std::string& why, HotFolderPoll* poll);

  struct Candidate {
    int64_t size = -1;
    int64_t size_since_ms = 0;
    int64_t first_seen_ms = 0;
    int64_t modified_ns = 0;
  };
  std::string dir_;
  int inotify_fd_;
  std::map<std::string, Candidate> candidates_;
  std::set<std::string> handed_;   // handed over, not yet moved by the caller
  std::set<std::string> backlog_;  // here at Open, not yet handed over
  std::set<std::string> at_open_;  // here at Open
};

}  // namespace gradcap
