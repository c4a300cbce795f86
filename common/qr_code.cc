#include "common/qr_code.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "common/zxing_codes.h"

namespace gradcap {

absl::StatusOr<std::string> RenderCodeScreenPng(const std::string& payload, const std::string& caption,
                                                QrEcc ecc) {
  absl::StatusOr<ModuleMatrix> modules = EncodeQrCode(payload, ecc);
  if (!modules.ok()) return modules.status();
  try {
    cv::Mat qr(modules->height, modules->width, CV_8UC1, modules->pixels.data());
    // Phone screen: 720 x 1280, QR about 560 px wide, nearest-neighbour scaled.
    cv::Mat screen(1280, 720, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::rectangle(screen, cv::Rect(0, 0, 720, 110), cv::Scalar(200, 120, 30), cv::FILLED);
    cv::putText(screen, "Image collection code", cv::Point(40, 70), cv::FONT_HERSHEY_SIMPLEX, 1.2,
                cv::Scalar(255, 255, 255), 2, cv::LINE_AA);
    const int scale = std::max(1, 560 / qr.cols);
    cv::Mat big;
    cv::resize(qr, big, cv::Size(qr.cols * scale, qr.rows * scale), 0, 0, cv::INTER_NEAREST);
    cv::Mat big_bgr;
    cv::cvtColor(big, big_bgr, cv::COLOR_GRAY2BGR);
    const int x = (screen.cols - big.cols) / 2, y = 200;
    if (y + big.rows > screen.rows || big.cols > screen.cols) {
      return absl::InvalidArgumentError("payload too long for one QR code on a phone screen");
    }
    big_bgr.copyTo(screen(cv::Rect(x, y, big.cols, big.rows)));
    cv::putText(screen, caption, cv::Point(60, y + big.rows + 80), cv::FONT_HERSHEY_SIMPLEX, 1.1,
                cv::Scalar(40, 40, 40), 2, cv::LINE_AA);
    std::vector<uchar> png;
    if (!cv::imencode(".png", screen, png)) return absl::InternalError("PNG encoding failed");
    return std::string(png.begin(), png.end());
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot render QR code: ", e.what()));
  }
}

absl::StatusOr<std::vector<std::string>> DecodeQrFile(const std::string& path) {
  try {
    cv::Mat image = cv::imread(path, cv::IMREAD_GRAYSCALE);
    if (image.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": not an image OpenCV can read"));
    absl::StatusOr<std::vector<std::string>> codes =
        ReadQrCodes(LumImage{image.data, image.cols, image.rows, static_cast<int>(image.step)});
    if (!codes.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", codes.status().message()));
    return codes;
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot decode: ", e.what()));
  }
}

}  // namespace gradcap
