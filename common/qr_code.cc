#include "common/qr_code.h"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/CharacterSet.h>
#include <ZXing/MultiFormatWriter.h>
#include <ZXing/ReadBarcode.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"

namespace gradcap {

absl::StatusOr<std::string> RenderCodeScreenPng(const std::string& payload, const std::string& caption) {
  try {
    ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
    writer.setEncoding(ZXing::CharacterSet::ISO8859_1).setEccLevel(4).setMargin(4);
    ZXing::BitMatrix bits = writer.encode(payload, 0, 0);
    ZXing::Matrix<uint8_t> modules = ZXing::ToMatrix<uint8_t>(bits);
    cv::Mat qr(modules.height(), modules.width(), CV_8UC1, const_cast<uint8_t*>(modules.data()));
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
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode).setTryHarder(true).setTryRotate(true).setTryDownscale(true);
    ZXing::ImageView view(image.data, image.cols, image.rows, ZXing::ImageFormat::Lum,
                          static_cast<int>(image.step));
    std::vector<std::string> out;
    for (const ZXing::Result& r : ZXing::ReadBarcodes(view, hints)) {
      if (r.isValid()) out.push_back(r.text());
    }
    return out;
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot decode: ", e.what()));
  }
}

}  // namespace gradcap
