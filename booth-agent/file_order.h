// The order files were made in: modification time, then name (a camera and a
// scanner can write in the same clock tick). The scan folder and the hot
// folder each deliver files in this order, and the agent interleaves the two
// by it, so a start-up backlog is replayed as it happened.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <tuple>

namespace gradcap {

struct FileStamp {
  int64_t modified_ns = 0;  // since the Unix epoch
  std::string name;

  friend bool operator<(const FileStamp& a, const FileStamp& b) {
    return std::tie(a.modified_ns, a.name) < std::tie(b.modified_ns, b.name);
  }
};

// The file's modification time in ns since the Unix epoch; 0 when it is gone.
inline int64_t ModifiedNs(const std::filesystem::path& path) {
  std::error_code ec;
  const std::filesystem::file_time_type t = std::filesystem::last_write_time(path, ec);
  if (ec) return 0;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::file_clock::to_sys(t).time_since_epoch())
      .count();
}

}  // namespace gradcap
