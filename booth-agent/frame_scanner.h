// Reading collection codes from pictures (the booth's OpenCV adapter: the only
// booth file that includes OpenCV; codes are read through
// common/zxing_codes.h). A FrameScanner pulls frames from a live camera, a
// video file or a folder of images and decodes every QR code in each, trying
// rotations, downscaling and a contrast-equalised pass for dim or glossy phone
// screens. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gradcap {

struct DecodedFrame {
  int64_t time_ms = 0;               // video position, or capture time
  std::string name;                  // file name, or "frame N"
  std::vector<std::string> payloads;  // QR texts found (may be empty)
  std::string error;                  // why nothing could be read from it (then no payloads)
  int64_t modified_ns = 0;            // a folder file's modification time (file_order.h)
};

class FrameScanner {
 public:
  // `index` as in /dev/video<index>. Unavailable when it cannot be opened.
  static absl::StatusOr<std::unique_ptr<FrameScanner>> OpenCamera(int index);
  static absl::StatusOr<std::unique_ptr<FrameScanner>> OpenVideo(const std::string& path);
  // Images already in the folder, then any that arrive later, each in the
  // order they were made (modification time, then name); files for which
  // `already_read(name)` is true are skipped (read before a restart).
  static absl::StatusOr<std::unique_ptr<FrameScanner>> OpenFolder(
      const std::string& path, std::function<bool(const std::string&)> already_read = nullptr);
  virtual ~FrameScanner() = default;

  // The next frame, decoded; nullopt when none is ready now (a folder with no
  // new file) or the source has ended (see ended()). A file that is not an
  // image is returned with `error` set and no payloads, never a crash; an
  // error status means the source itself failed (camera unplugged, folder
  // gone).
  virtual absl::StatusOr<std::optional<DecodedFrame>> Next() = 0;
  // A video has ended; a folder has no unread file (for now).
  virtual bool ended() const = 0;
  // Every unread file that was in the folder when it was opened has been
  // returned by Next() or has gone: the start-up backlog is all read.
  // Cameras and videos have no backlog.
  virtual bool backlog_done() const { return true; }
  // JPEG bytes of the latest frame (a camera photo on the operator's key).
  virtual absl::StatusOr<std::string> LatestFrameJpeg() = 0;
};

// Decodes every QR code in one image file (booth-agent decode).
absl::StatusOr<std::vector<std::string>> DecodeImageFile(const std::string& path);

// Decodes a grey or BGR frame given as raw pixels (tests and benchmarks).
absl::StatusOr<std::vector<std::string>> DecodeFramePixels(const uint8_t* data, int width, int height,
                                                           int stride, bool bgr);

}  // namespace gradcap
