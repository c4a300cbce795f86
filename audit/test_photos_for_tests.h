// Test helper: real JPEG bytes for photos in test days — a flat colour with a
// shade so each is distinct, at any size (the upload's 480 × 640 by default).
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

namespace gradcap::testing {

inline std::string TestJpeg(int shade, int width = 480, int height = 640) {
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(255, 197, 100));  // the reference blue (BGR)
  cv::circle(img, {width / 2, height / 2}, width / 5, cv::Scalar(shade, 160, 200), cv::FILLED);
  std::vector<uchar> bytes;
  cv::imencode(".jpg", img, bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace gradcap::testing
