// Reading a photo safely: the JPEG header is parsed by hand first, so a file
// that is not a JPEG, is truncated, is grey-scale or CMYK, or claims 20000 ×
// 20000 pixels is refused with a clear reason before any pixel buffer is
// allocated. Only then does OpenCV decode it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"

namespace gradcap::validator {

struct JpegInfo {
  int width = 0;
  int height = 0;
  int components = 0;      // 3 = colour (YCbCr/RGB), 1 = grey, 4 = CMYK/YCCK
  int precision = 0;       // bits per sample
  bool progressive = false;
  int quality = -1;        // IJG quality estimated from the luma table; -1 unknown
  bool complete = false;   // ends with an EOI marker
  // EXIF Orientation (APP1, tag 0x0112): 1 = stored upright; 6 = a camera held
  // in portrait (turn 90° clockwise to view), 8 the other way, 3 upside down,
  // 2/4/5/7 mirrored. width and height are as stored.
  int orientation = 1;
};

// Parses markers up to the first scan and checks the end of the file.
// Errors name what is wrong ("not a JPEG (starts with 89 50 4E 47: a PNG)").
absl::StatusOr<JpegInfo> ParseJpeg(std::string_view bytes);

struct DecodeLimits {
  int64_t max_pixels = 40'000'000;  // 24-megapixel captures pass; 20000² does not
  // Below these nothing can be measured: the face detector finds faces from
  // about 80 px, and the analysis scales the longer side down to 800 px, so
  // the shorter side must be a tenth of the longer to keep 80 px of it.
  int min_side = 80;
  double min_short_to_long = 0.1;
};

struct Photo {
  JpegInfo info;
  cv::Mat bgr;  // 8-bit, 3 channels, upright (the EXIF orientation applied)
  size_t file_bytes = 0;
};

// ParseJpeg, then the limits (too large, too small or too narrow to
// measure: 1 × 640, 640 × 1, 2 × 2 …) and the 24-bit-colour rule, then the
// decode, then the EXIF orientation (a portrait camera's capture is analysed
// upright, its size as shown). Errors say which.
absl::StatusOr<Photo> DecodePhoto(std::string_view bytes, const DecodeLimits& limits = {});

// What a file's first bytes look like, for error messages ("a PNG", "text").
std::string DescribeMagic(std::string_view bytes);

}  // namespace gradcap::validator
