#include "booth-agent/frame_scanner.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "booth-agent/file_order.h"
#include "common/zxing_codes.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;

// Frames larger than this are refused rather than decoded (a bogus header
// must not make us allocate gigabytes).
constexpr int64_t kMaxPixels = 64'000'000;

absl::StatusOr<std::vector<std::string>> Read(const cv::Mat& grey) {
  absl::StatusOr<std::vector<std::string>> codes =
      ReadQrCodes(LumImage{grey.data, grey.cols, grey.rows, static_cast<int>(grey.step)});
  if (!codes.ok()) return codes.status();
  std::vector<std::string> distinct;  // one phone may show up twice (a reflection)
  for (std::string& c : *codes) {
    if (std::find(distinct.begin(), distinct.end(), c) == distinct.end()) distinct.push_back(std::move(c));
  }
  return distinct;
}

absl::StatusOr<std::vector<std::string>> Decode(const cv::Mat& grey) {
  absl::StatusOr<std::vector<std::string>> found = Read(grey);
  if (!found.ok() || !found->empty()) return found;
  // Dim, washed-out or glossy screens: equalise local contrast and try again,
  // at half size when the frame is large (most frames hold no code at all,
  // and this pass must not double their cost).
  cv::Mat small = grey;
  if (grey.cols > 1000) cv::resize(grey, small, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
  cv::Mat equalised;
  cv::createCLAHE(3.0, cv::Size(8, 8))->apply(small, equalised);
  found = Read(equalised);
  if (!found.ok() || !found->empty()) return found;
  // A phone that inverts colours (Android's colour inversion, a browser's
  // forced dark mode) shows light modules on a dark screen; ZXing 1.4 reads
  // dark-on-light only.
  cv::bitwise_not(equalised, equalised);
  return Read(equalised);
}

absl::StatusOr<std::vector<std::string>> DecodeMat(const cv::Mat& frame) {
  if (frame.empty()) return std::vector<std::string>();
  try {
    cv::Mat grey;
    if (frame.channels() == 3) {
      cv::cvtColor(frame, grey, cv::COLOR_BGR2GRAY);
    } else if (frame.channels() == 4) {
      cv::cvtColor(frame, grey, cv::COLOR_BGRA2GRAY);
    } else {
      grey = frame;
    }
    if (grey.depth() != CV_8U) grey.convertTo(grey, CV_8U, grey.depth() == CV_16U ? 1.0 / 256 : 1.0);
    return Decode(grey);
  } catch (const cv::Exception& e) {
    return absl::InternalError(absl::StrCat("cannot prepare the frame for decoding: ", e.what()));
  }
}

absl::StatusOr<cv::Mat> ReadImage(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return absl::NotFoundError(absl::StrCat(path, ": cannot read (", ec.message(), ")"));
  if (size == 0) return absl::InvalidArgumentError(absl::StrCat(path, ": empty file"));
  cv::Mat image;
  try {
    image = cv::imread(path, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a readable image (", e.what(), ")"));
  }
  if (image.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": not an image OpenCV can read"));
  if (static_cast<int64_t>(image.cols) * image.rows > kMaxPixels) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", image.cols, "x", image.rows, " is too large"));
  }
  return image;
}

absl::StatusOr<std::string> EncodeJpeg(const cv::Mat& frame) {
  if (frame.empty()) return absl::UnavailableError("no frame captured yet");
  std::vector<uchar> jpeg;
  if (!cv::imencode(".jpg", frame, jpeg, {cv::IMWRITE_JPEG_QUALITY, 95})) {
    return absl::InternalError("JPEG encoding failed");
  }
  return std::string(jpeg.begin(), jpeg.end());
}

class CaptureScanner final : public FrameScanner {
 public:
  CaptureScanner(cv::VideoCapture capture, bool live) : capture_(std::move(capture)), live_(live) {}

  absl::StatusOr<std::optional<DecodedFrame>> Next() override {
    if (ended_) return std::optional<DecodedFrame>();
    cv::Mat frame;
    try {
      if (!capture_.read(frame) || frame.empty()) {
        if (live_) return absl::UnavailableError("the camera stopped delivering frames (unplugged?)");
        ended_ = true;
        return std::optional<DecodedFrame>();
      }
    } catch (const cv::Exception& e) {
      return absl::UnavailableError(absl::StrCat("camera/video read failed: ", e.what()));
    }
    latest_ = frame;
    DecodedFrame out;
    out.name = absl::StrCat("frame ", ++frames_);
    out.time_ms = live_ ? std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now().time_since_epoch())
                              .count()
                        : static_cast<int64_t>(capture_.get(cv::CAP_PROP_POS_MSEC));
    absl::StatusOr<std::vector<std::string>> payloads = DecodeMat(frame);
    if (payloads.ok()) {
      out.payloads = std::move(*payloads);
    } else {
      out.error = std::string(payloads.status().message());
    }
    return std::optional<DecodedFrame>(std::move(out));
  }
  bool ended() const override { return ended_; }
  absl::StatusOr<std::string> LatestFrameJpeg() override { return EncodeJpeg(latest_); }

 private:
  cv::VideoCapture capture_;
  bool live_;
  bool ended_ = false;
  int64_t frames_ = 0;
  cv::Mat latest_;
};

class FolderScanner final : public FrameScanner {
 public:
  FolderScanner(std::string dir, std::function<bool(const std::string&)> already_read)
      : dir_(std::move(dir)), already_read_(std::move(already_read)) {
    // What is here already was shown while the agent was not running.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
      const std::string name = entry.path().filename().string();
      if (Unread(entry, name)) backlog_.insert(name);
    }
  }

  absl::StatusOr<std::optional<DecodedFrame>> Next() override {
    // A file is read once its size has stopped changing: whoever writes it
    // (a drill, a copy) may still be at it.
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    std::vector<FileStamp> ready;
    std::set<std::string> present;
    bool pending = false;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
      const std::string name = entry.path().filename().string();
      present.insert(name);
      if (!Unread(entry, name)) continue;
      std::error_code size_ec;
      const int64_t size = static_cast<int64_t>(fs::file_size(entry.path(), size_ec));
      if (size_ec) continue;
      auto [it, fresh] = sizes_.try_emplace(name, std::make_pair(size, now));
      if (!fresh && it->second.first != size) it->second = {size, now};
      if (now - it->second.second >= kStableMs) {
        ready.push_back({ModifiedNs(entry.path()), name});
      } else {
        pending = true;
      }
    }
    if (ec) return absl::UnavailableError(absl::StrCat("cannot list ", dir_, ": ", ec.message()));
    std::erase_if(backlog_, [&](const std::string& name) { return !present.count(name); });  // gone
    caught_up_ = ready.empty() && !pending;
    if (ready.empty()) return std::optional<DecodedFrame>();
    const FileStamp oldest = *std::min_element(ready.begin(), ready.end());
    seen_.insert(oldest.name);
    sizes_.erase(oldest.name);
    backlog_.erase(oldest.name);
    DecodedFrame out;
    out.name = oldest.name;
    out.modified_ns = oldest.modified_ns;
    // Each file is one showing of a phone: far apart in time, never merged.
    out.time_ms = static_cast<int64_t>(seen_.size()) * 60'000;
    absl::StatusOr<cv::Mat> image = ReadImage((fs::path(dir_) / oldest.name).string());
    absl::StatusOr<std::vector<std::string>> payloads = std::vector<std::string>();
    if (image.ok()) {
      latest_ = *image;
      payloads = DecodeMat(*image);
    } else {
      payloads = image.status();
    }
    if (payloads.ok()) {
      out.payloads = std::move(*payloads);
    } else {
      out.error = std::string(payloads.status().message());
    }
    return std::optional<DecodedFrame>(std::move(out));
  }
  // Caught up with the folder (more files may still arrive).
  bool ended() const override { return caught_up_; }
  bool backlog_done() const override { return backlog_.empty(); }
  absl::StatusOr<std::string> LatestFrameJpeg() override { return EncodeJpeg(latest_); }

 private:
  // A picture this scanner has still to read (read before a restart: no).
  bool Unread(const fs::directory_entry& entry, const std::string& name) {
    if (!entry.is_regular_file() || seen_.count(name) || name.empty() || name[0] == '.') return false;
    if (already_read_ && already_read_(name)) {
      seen_.insert(name);
      return false;
    }
    return true;
  }

  static constexpr int64_t kStableMs = 300;
  std::string dir_;
  std::function<bool(const std::string&)> already_read_;
  bool caught_up_ = false;
  std::set<std::string> seen_;
  std::set<std::string> backlog_;                             // unread files that were here at start-up
  std::map<std::string, std::pair<int64_t, int64_t>> sizes_;  // name → (size, since ms)
  cv::Mat latest_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<FrameScanner>> FrameScanner::OpenCamera(int index) {
  cv::VideoCapture capture;
  try {
    capture.open(index, cv::CAP_V4L2);
  } catch (const cv::Exception& e) {
    return absl::UnavailableError(absl::StrCat("camera ", index, ": ", e.what()));
  }
  if (!capture.isOpened()) {
    return absl::UnavailableError(absl::StrCat("camera ", index, " (/dev/video", index,
                                               ") cannot be opened: not connected, or in use by another program"));
  }
  capture.set(cv::CAP_PROP_FRAME_WIDTH, 1920);
  capture.set(cv::CAP_PROP_FRAME_HEIGHT, 1080);
  return std::unique_ptr<FrameScanner>(new CaptureScanner(std::move(capture), true));
}

absl::StatusOr<std::unique_ptr<FrameScanner>> FrameScanner::OpenVideo(const std::string& path) {
  if (!fs::is_regular_file(path)) return absl::NotFoundError(absl::StrCat(path, ": no such video file"));
  cv::VideoCapture capture;
  try {
    capture.open(path);
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", e.what()));
  }
  if (!capture.isOpened()) return absl::InvalidArgumentError(absl::StrCat(path, ": not a video OpenCV can read"));
  return std::unique_ptr<FrameScanner>(new CaptureScanner(std::move(capture), false));
}

absl::StatusOr<std::unique_ptr<FrameScanner>> FrameScanner::OpenFolder(
    const std::string& path, std::function<bool(const std::string&)> already_read) {
  if (!fs::is_directory(path)) return absl::NotFoundError(absl::StrCat(path, ": no such folder"));
  return std::unique_ptr<FrameScanner>(new FolderScanner(path, std::move(already_read)));
}

absl::StatusOr<std::vector<std::string>> DecodeImageFile(const std::string& path) {
  absl::StatusOr<cv::Mat> image = ReadImage(path);
  if (!image.ok()) return image.status();
  return DecodeMat(*image);
}

absl::StatusOr<std::vector<std::string>> DecodeFramePixels(const uint8_t* data, int width, int height,
                                                           int stride, bool bgr) {
  cv::Mat frame(height, width, bgr ? CV_8UC3 : CV_8UC1, const_cast<uint8_t*>(data), static_cast<size_t>(stride));
  return DecodeMat(frame);
}

}  // namespace gradcap
