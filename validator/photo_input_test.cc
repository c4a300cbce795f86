// Reading photos: every way a file can be wrong gets a clear reason before
// any pixel buffer is allocated, and JPEG quality is estimated from the
// quantisation tables.
#include "validator/photo_input.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace gradcap::validator {
namespace {

std::string Encode(const cv::Mat& m, const std::string& ext, std::vector<int> params = {}) {
  std::vector<uint8_t> buf;
  EXPECT_TRUE(cv::imencode(ext, m, buf, params));
  return std::string(buf.begin(), buf.end());
}

cv::Mat Picture(int w = 480, int h = 640) {
  cv::Mat m(h, w, CV_8UC3, cv::Scalar(255, 197, 100));
  cv::circle(m, {w / 2, h / 3}, w / 5, cv::Scalar(120, 150, 200), -1);
  cv::randn(m, cv::Scalar::all(128), cv::Scalar::all(20));
  return m;
}

// A JPEG header by hand: SOI, SOF0 with the given size and components, a
// scan header and EOI. No pixel data: only the header parser may touch it.
std::string HeaderOnlyJpeg(int w, int h, int components) {
  std::string b = "\xFF\xD8";
  std::string sof = {'\xFF', '\xC0', 0, char(8 + 3 * components), 8, char(h >> 8), char(h & 255),
                     char(w >> 8), char(w & 255), char(components)};
  for (int c = 0; c < components; ++c) sof += std::string{char(c + 1), 0x11, 0};
  b += sof;
  b += std::string{'\xFF', '\xDA', 0, 8, 1, 1, 0, 0, 63, 0};
  b += std::string(100, '\x55');
  b += "\xFF\xD9";
  return b;
}

TEST(PhotoInput, AColourJpegDecodesWithItsSizeAndQuality) {
  for (int q : {30, 60, 75, 90}) {
    auto photo = DecodePhoto(Encode(Picture(), ".jpg", {cv::IMWRITE_JPEG_QUALITY, q}));
    ASSERT_TRUE(photo.ok()) << photo.status();
    EXPECT_EQ(photo->info.width, 480);
    EXPECT_EQ(photo->info.height, 640);
    EXPECT_EQ(photo->info.components, 3);
    EXPECT_NEAR(photo->info.quality, q, 2) << "written at quality " << q;
    EXPECT_EQ(photo->bgr.type(), CV_8UC3);
  }
}

TEST(PhotoInput, EachBadFileIsRefusedWithWhatIsWrong) {
  const std::string jpeg = Encode(Picture(), ".jpg");
  cv::Mat grey;
  cv::cvtColor(Picture(), grey, cv::COLOR_BGR2GRAY);
  const struct {
    const char* name;
    std::string bytes;
    const char* says;
  } cases[] = {
      {"empty", "", "0 bytes"},
      {"text", "student photo goes here\n", "text"},
      {"png renamed", Encode(Picture(), ".png"), "PNG"},
      {"truncated", jpeg.substr(0, jpeg.size() / 2), "truncated"},
      {"header cut", jpeg.substr(0, 30), "truncated"},
      {"grey-scale", Encode(grey, ".jpg"), "grey-scale"},
      {"CMYK", HeaderOnlyJpeg(480, 640, 4), "CMYK"},
      {"20000 x 20000", HeaderOnlyJpeg(20000, 20000, 3), "megapixel"},
      {"zero size", HeaderOnlyJpeg(0, 640, 3), "0 × 640"},
      {"one column", Encode(Picture(1, 640), ".jpg"), "1 × 640 pixels: too small to check"},
      {"one row", Encode(Picture(640, 1), ".jpg"), "640 × 1 pixels: too small to check"},
      {"2 x 2", Encode(Picture(2, 2), ".jpg"), "2 × 2 pixels: too small to check"},
      {"a strip", Encode(Picture(100, 4000), ".jpg"), "100 × 4000 pixels: too narrow to check"},
  };
  for (const auto& c : cases) {
    auto photo = DecodePhoto(c.bytes);
    ASSERT_FALSE(photo.ok()) << c.name;
    EXPECT_NE(std::string(photo.status().message()).find(c.says), std::string::npos)
        << c.name << ": " << photo.status().message();
  }
}

TEST(PhotoInput, ATwentyFourMegapixelCaptureIsAccepted) {
  auto info = ParseJpeg(HeaderOnlyJpeg(6000, 4000, 3));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->width, 6000);
  EXPECT_EQ(int64_t(info->width) * info->height, 24'000'000);
  EXPECT_LE(int64_t(info->width) * info->height, DecodeLimits{}.max_pixels);
}

TEST(PhotoInput, RandomCorruptionNeverCrashes) {
  const std::string jpeg = Encode(Picture(240, 320), ".jpg");
  std::mt19937 rng(7);
  int decoded = 0;
  for (int i = 0; i < 300; ++i) {
    std::string b = jpeg;
    const int flips = 1 + int(rng() % 8);
    for (int k = 0; k < flips; ++k) b[rng() % b.size()] = char(rng());
    if (rng() % 4 == 0) b.resize(rng() % b.size());
    auto photo = DecodePhoto(b);  // any status; never a crash or a huge allocation
    decoded += photo.ok();
    if (photo.ok()) {
      EXPECT_EQ(photo->bgr.type(), CV_8UC3);
    }
  }
  EXPECT_GT(decoded, 0);  // many flips land in entropy data and still decode
}

}  // namespace
}  // namespace gradcap::validator
