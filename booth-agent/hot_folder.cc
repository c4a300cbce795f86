#include "booth-agent/hot_folder.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "booth-agent/file_order.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;

bool IsHidden(const std::string& name) { return name.empty() || name[0] == '.' || name.back() == '~'; }

}  // namespace

absl::StatusOr<std::unique_ptr<HotFolder>> HotFolder::Open(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "sent", ec);
  fs::create_directories(fs::path(dir) / "rejected", ec);
  if (!ec) fs::create_directories(fs::path(dir) / "held", ec);
  if (ec || !fs::is_directory(dir)) {
    return absl::UnavailableError(absl::StrCat("hot folder ", dir, " cannot be used: ", ec.message()));
  }
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd >= 0) inotify_add_watch(fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
  return std::unique_ptr<HotFolder>(new HotFolder(dir, fd));
}

HotFolder::HotFolder(std::string dir, int inotify_fd) : dir_(std::move(dir)), inotify_fd_(inotify_fd) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && !IsHidden(name)) at_open_.insert(name);
  }
  backlog_ = at_open_;
}

HotFolder::~HotFolder() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

void HotFolder::Reject(const std::string& name, const std::string& why, HotFolderPoll* poll) {
  poll->problems.push_back({name, absl::StrCat(why, " — not sent; moved to rejected/")});
  std::error_code ec;
  fs::rename(fs::path(dir_) / name, fs::path(dir_) / "rejected" / name, ec);
  candidates_.erase(name);
  backlog_.erase(name);
}

void HotFolder::MarkSent(const std::string& name) {
  std::error_code ec;
  fs::rename(fs::path(dir_) / name, fs::path(dir_) / "sent" / name, ec);
  candidates_.erase(name);
  handed_.erase(name);
}

void HotFolder::SetAside(const std::string& name) {
  fs::path to = fs::path(dir_) / "held" / name;
  for (int n = 1; fs::exists(to); ++n) to = fs::path(dir_) / "held" / absl::StrCat(name, ".", n);
  std::error_code ec;
  fs::rename(fs::path(dir_) / name, to, ec);
  candidates_.erase(name);
  handed_.erase(name);
}

HotFolderPoll HotFolder::Poll(int64_t now_ms) {
  HotFolderPoll poll;
  if (inotify_fd_ >= 0) {
    char buf[4096];
    while (::read(inotify_fd_, buf, sizeof buf) > 0) {
      // The rescan below finds whatever the events were about.
    }
  }
  std::error_code ec;
  std::set<std::string> present;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || IsHidden(name) || handed_.count(name)) continue;
    present.insert(name);
    std::error_code size_ec;
    const int64_t size = static_cast<int64_t>(fs::file_size(entry.path(), size_ec));
    if (size_ec) continue;
    Candidate& c = candidates_[name];
    if (c.size < 0) c.first_seen_ms = now_ms;
    if (c.size != size) {
      c.size = size;
      c.size_since_ms = now_ms;
    }
    c.modified_ns = ModifiedNs(entry.path());
  }
  if (!ec) std::erase_if(backlog_, [&](const std::string& name) { return !present.count(name); });  // gone
  for (auto it = candidates_.begin(); it != candidates_.end();) {
    const std::string name = it->first;
    const Candidate c = it->second;
    ++it;
    const fs::path path = fs::path(dir_) / name;
    if (!fs::exists(path)) {
      candidates_.erase(name);
      continue;
    }
    if (now_ms - c.size_since_ms < kStableMs) continue;  // still being written
    if (c.size > kMaxBytes) {
      Reject(name, absl::StrCat(c.size, " bytes is too large for a photo"), &poll);
      continue;
    }
    if (c.size == 0) {
      if (now_ms - c.first_seen_ms >= kGiveUpMs) Reject(name, "the file is empty (0 bytes)", &poll);
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string bytes = ss.str();
    if (static_cast<int64_t>(bytes.size()) != c.size) continue;  // changed under us: next poll
    const bool soi = bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
                     static_cast<unsigned char>(bytes[1]) == 0xD8 && static_cast<unsigned char>(bytes[2]) == 0xFF;
    if (!soi) {
      Reject(name, "not a JPEG (does not start with the JPEG marker FFD8)", &poll);
      continue;
    }
    // Cameras may pad after the end-of-image marker; look for it near the end.
    const size_t tail_from = bytes.size() > 4096 ? bytes.size() - 4096 : 0;
    const size_t eoi = bytes.rfind("\xFF\xD9", std::string::npos);
    if (eoi == std::string::npos || eoi < tail_from) {
      if (now_ms - c.size_since_ms >= kGiveUpMs) {
        Reject(name, "a truncated JPEG (no end marker FFD9): the camera stopped writing it", &poll);
      }
      continue;  // half-written: wait for the rest
    }
    poll.photos.push_back({name, std::move(bytes), c.modified_ns, at_open_.count(name) > 0});
    candidates_.erase(name);
    backlog_.erase(name);
    handed_.insert(name);
  }
  std::sort(poll.photos.begin(), poll.photos.end(), [](const PickedPhoto& a, const PickedPhoto& b) {
    return FileStamp{a.modified_ns, a.name} < FileStamp{b.modified_ns, b.name};
  });
  return poll;
}

}  // namespace gradcap
