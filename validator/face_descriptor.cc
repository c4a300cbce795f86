#include "validator/face_descriptor.h"

#include <array>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace gradcap::validator {
namespace {

constexpr int kWidth = 96, kHeight = 112, kCols = 6, kRows = 7;

// Uniform 8-neighbour LBP codes → 59 bins (58 uniform patterns + the rest).
const std::array<uint8_t, 256>& UniformBins() {
  static const std::array<uint8_t, 256> bins = [] {
    std::array<uint8_t, 256> b{};
    int next = 0;
    for (int code = 0; code < 256; ++code) {
      int transitions = 0;
      for (int i = 0; i < 8; ++i) transitions += ((code >> i) & 1) != ((code >> ((i + 1) % 8)) & 1);
      b[code] = transitions <= 2 ? uint8_t(next++) : uint8_t(58);
    }
    return b;
  }();
  return bins;
}

}  // namespace

std::string FaceDescriptor(const Analysis& a) {
  if (!a.geo) return "";
  // Similarity transform: eye centres to fixed points of a 96 × 112 crop.
  const cv::Point2f l = a.geo->eye_left, r = a.geo->eye_right;
  const cv::Point2f dst_l(kWidth * 0.3f, kHeight * 0.36f), dst_r(kWidth * 0.7f, kHeight * 0.36f);
  const double scale = cv::norm(dst_r - dst_l) / std::max(1.0, cv::norm(r - l));
  const double angle = std::atan2(r.y - l.y, r.x - l.x) * 180 / CV_PI;
  cv::Mat m = cv::getRotationMatrix2D(l, angle, scale);
  m.at<double>(0, 2) += dst_l.x - l.x;
  m.at<double>(1, 2) += dst_l.y - l.y;
  cv::Mat face;
  cv::warpAffine(a.gray, face, m, {kWidth, kHeight}, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::Ptr<cv::CLAHE> clahe = cv::createCLAHE(2.0, {4, 4});
  clahe->apply(face, face);
  const auto& bins = UniformBins();
  std::string out(kFaceDescriptorBytes, '\0');
  const int cw = (kWidth - 2) / kCols, ch = (kHeight - 2) / kRows;
  for (int cy = 0; cy < kRows; ++cy) {
    for (int cx = 0; cx < kCols; ++cx) {
      std::array<float, 59> hist{};
      for (int y = 1 + cy * ch; y < 1 + (cy + 1) * ch; ++y) {
        for (int x = 1 + cx * cw; x < 1 + (cx + 1) * cw; ++x) {
          const uint8_t c = face.at<uint8_t>(y, x);
          int code = 0;
          const int dx[8] = {-1, 0, 1, 1, 1, 0, -1, -1}, dy[8] = {-1, -1, -1, 0, 1, 1, 1, 0};
          for (int k = 0; k < 8; ++k) code |= (face.at<uint8_t>(y + dy[k], x + dx[k]) >= c) << k;
          hist[bins[code]] += 1;
        }
      }
      const float n = float(cw * ch);
      for (int b = 0; b < 59; ++b) {
        out[(cy * kCols + cx) * 59 + b] = char(std::lround(255 * std::sqrt(hist[b] / n)));
      }
    }
  }
  return out;
}

}  // namespace gradcap::validator
