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

#include "validator/exif_for_tests.h"

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
std::string HeaderOnlyJpeg(int w, int h, int components, int precision = 8) {
  std::string b = "\xFF\xD8";
  std::string sof = {'\xFF', '\xC0', 0, char(8 + 3 * components), char(precision), char(h >> 8), char(h & 255),
                     char(w >> 8), char(w & 255), char(components)};
  for (int c = 0; c < components; ++c) sof += std::string{char(c + 1), 0x11, 0};
  b += sof;
  b += std::string{'\xFF', '\xDA', 0, 8, 1, 1, 0, 0, 63, 0};
  b += std::string(100, '\x55');
  b += "\xFF\xD9";
  return b;
}

cv::Mat Picture16() {
  cv::Mat m;
  Picture().convertTo(m, CV_16UC3, 257);
  return m;
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
      {"16-bit PNG", Encode(Picture16(), ".png"), "not a JPEG: a PNG"},
      {"16-bit TIFF", Encode(Picture16(), ".tiff"), "not a JPEG: a TIFF"},
      {"12-bit JPEG", HeaderOnlyJpeg(480, 640, 3, 12), "12-bit samples"},
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

// A camera held in portrait stores a landscape image and an Orientation
// tag; the photo is analysed the way it is shown, whatever the byte order.
TEST(PhotoInput, AnExifRotatedPortraitCaptureIsDecodedUpright) {
  cv::Mat stored(480, 640, CV_8UC3, cv::Scalar(255, 255, 255));
  stored(cv::Rect(0, 0, 160, 480)).setTo(cv::Scalar(0, 0, 255));  // red down the stored left edge
  const std::string jpeg = Encode(stored, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95});
  const struct {
    int orientation;
    cv::Size shown;
    cv::Point red;  // where the stored left edge ends up
  } cases[] = {{1, {640, 480}, {40, 240}}, {6, {480, 640}, {240, 40}}, {8, {480, 640}, {240, 600}},
               {3, {640, 480}, {600, 240}}};
  for (const auto& c : cases) {
    for (bool intel : {true, false}) {
      auto photo = DecodePhoto(WithExifOrientation(jpeg, c.orientation, intel));
      ASSERT_TRUE(photo.ok()) << photo.status();
      EXPECT_EQ(photo->info.orientation, c.orientation);
      EXPECT_EQ(photo->info.width, 640) << "as stored";
      EXPECT_EQ(photo->bgr.size(), c.shown) << c.orientation;
      const cv::Vec3b px = photo->bgr.at<cv::Vec3b>(c.red);
      EXPECT_GT(px[2], 200) << c.orientation;
      EXPECT_LT(px[1], 80) << c.orientation << " " << intel;
    }
  }
}

// A broken Exif segment is no reason to refuse a photo: it reads as upright.
TEST(PhotoInput, AMalformedExifSegmentReadsAsUpright) {
  const std::string jpeg = Encode(Picture(), ".jpg");
  std::string bad = WithExifOrientation(jpeg, 6, true);
  bad[2 + 4 + 6 + 4] = '\x7f';  // the IFD offset now points past the segment
  auto photo = DecodePhoto(bad);
  ASSERT_TRUE(photo.ok()) << photo.status();
  EXPECT_EQ(photo->info.orientation, 1);
  EXPECT_EQ(photo->bgr.cols, 480);
  auto out_of_range = DecodePhoto(WithExifOrientation(jpeg, 9, false));
  ASSERT_TRUE(out_of_range.ok());
  EXPECT_EQ(out_of_range->info.orientation, 1);
}

TEST(PhotoInput, AProgressiveJpegDecodesLikeABaselineOne) {
  auto photo = DecodePhoto(Encode(Picture(), ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1, cv::IMWRITE_JPEG_QUALITY, 85}));
  ASSERT_TRUE(photo.ok()) << photo.status();
  EXPECT_TRUE(photo->info.progressive);
  EXPECT_EQ(photo->bgr.size(), cv::Size(480, 640));
  EXPECT_NEAR(photo->info.quality, 85, 2);
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
