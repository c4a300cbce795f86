#include "validator/photo_input.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gradcap::validator {
namespace {

// The IJG (Annex K) luminance table in natural order, and the zig-zag order
// DQT segments store their 64 values in.
constexpr std::array<int, 64> kStdLuma = {
    16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
    14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
    18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
constexpr std::array<int, 64> kZigZag = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

// The IJG quality whose scaled standard table is closest to `natural`.
int EstimateQuality(const std::array<int, 64>& natural) {
  int best_q = -1;
  int64_t best_err = INT64_MAX;
  for (int q = 1; q <= 100; ++q) {
    const int scale = q < 50 ? 5000 / q : 200 - 2 * q;
    int64_t err = 0;
    for (int i = 0; i < 64; ++i) {
      const int v = std::clamp((kStdLuma[i] * scale + 50) / 100, 1, 255);
      err += std::abs(v - natural[i]);
    }
    if (err < best_err) {
      best_err = err;
      best_q = q;
    }
  }
  return best_q;
}

int U16(std::string_view b, size_t at) {
  return (static_cast<uint8_t>(b[at]) << 8) | static_cast<uint8_t>(b[at + 1]);
}

}  // namespace

std::string DescribeMagic(std::string_view b) {
  auto starts = [&](std::string_view m) { return b.substr(0, m.size()) == m; };
  if (b.empty()) return "an empty file (0 bytes)";
  if (starts("\x89PNG")) return "a PNG";
  if (starts("GIF8")) return "a GIF";
  if (starts("BM")) return "a BMP";
  if (starts("RIFF") && b.size() > 12 && b.substr(8, 4) == "WEBP") return "a WebP";
  if (starts("II*") || starts("MM\0*")) return "a TIFF";
  if (b.size() > 12 && b.substr(4, 4) == "ftyp") return "an ISO media file (HEIC/MP4)";
  const size_t n = std::min<size_t>(b.size(), 64);
  bool text = true;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = b[i];
    if (c < 9 || (c > 13 && c < 32 && c != 27)) text = false;
  }
  if (text) return "text";
  std::string hex;
  for (size_t i = 0; i < std::min<size_t>(b.size(), 4); ++i) {
    absl::StrAppend(&hex, i ? " " : "", absl::StrFormat("%02X", static_cast<uint8_t>(b[i])));
  }
  return absl::StrCat("unknown data starting ", hex);
}

namespace {

// The Orientation tag of an APP1 Exif segment (its bytes after the length),
// 1 when there is none or the segment is malformed (a broken tag must not
// refuse an otherwise good photo).
int ExifOrientation(std::string_view seg) {
  if (seg.size() < 14 || seg.substr(0, 6) != std::string_view("Exif\0\0", 6)) return 1;
  const std::string_view tiff = seg.substr(6);
  const bool little = tiff.substr(0, 2) == "II";
  if (!little && tiff.substr(0, 2) != "MM") return 1;
  auto u16 = [&](size_t at) -> int {
    if (at + 2 > tiff.size()) return -1;
    const int a = static_cast<uint8_t>(tiff[at]), b = static_cast<uint8_t>(tiff[at + 1]);
    return little ? a | (b << 8) : (a << 8) | b;
  };
  auto u32 = [&](size_t at) -> int64_t {
    const int lo = u16(at + (little ? 0 : 2)), hi = u16(at + (little ? 2 : 0));
    return lo < 0 || hi < 0 ? -1 : (int64_t{hi} << 16) | lo;
  };
  const int64_t ifd = u32(4);
  const int entries = ifd < 0 ? -1 : u16(static_cast<size_t>(ifd));
  for (int i = 0; i < entries; ++i) {
    const size_t e = static_cast<size_t>(ifd) + 2 + 12 * static_cast<size_t>(i);
    if (u16(e) != 0x0112) continue;
    const int v = u16(e + 8);  // a SHORT sits at the start of the value field
    return u16(e + 2) == 3 && v >= 1 && v <= 8 ? v : 1;
  }
  return 1;
}

// `bgr` as it is meant to be seen under EXIF `orientation`.
cv::Mat Upright(const cv::Mat& bgr, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2: cv::flip(bgr, out, 1); break;
    case 3: cv::rotate(bgr, out, cv::ROTATE_180); break;
    case 4: cv::flip(bgr, out, 0); break;
    case 5: cv::transpose(bgr, out); break;
    case 6: cv::rotate(bgr, out, cv::ROTATE_90_CLOCKWISE); break;
    case 7: cv::transpose(bgr, out); cv::flip(out, out, -1); break;
    case 8: cv::rotate(bgr, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: out = bgr;
  }
  return out;
}

}  // namespace

absl::StatusOr<JpegInfo> ParseJpeg(std::string_view b) {
  if (b.size() < 4 || static_cast<uint8_t>(b[0]) != 0xFF || static_cast<uint8_t>(b[1]) != 0xD8) {
    return absl::InvalidArgumentError(absl::StrCat("not a JPEG: ", DescribeMagic(b)));
  }
  JpegInfo info;
  std::array<int, 64> luma{};
  bool have_luma = false;
  bool have_sof = false;
  size_t pos = 2;
  while (true) {
    while (pos < b.size() && static_cast<uint8_t>(b[pos]) != 0xFF) ++pos;  // tolerate junk
    while (pos < b.size() && static_cast<uint8_t>(b[pos]) == 0xFF) ++pos;  // fill bytes
    if (pos >= b.size()) {
      return absl::InvalidArgumentError(absl::StrCat("truncated JPEG: the file ends at byte ", b.size(),
                                                     " before any image data"));
    }
    const uint8_t marker = static_cast<uint8_t>(b[pos++]);
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;
    if (marker == 0xD9) {
      return absl::InvalidArgumentError("JPEG ends before any image data (EOI before the first scan)");
    }
    if (pos + 2 > b.size()) return absl::InvalidArgumentError("truncated JPEG: a marker has no length");
    const int len = U16(b, pos);
    if (len < 2 || pos + len > b.size()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("truncated JPEG: segment FF%02X at byte %d claims %d bytes, file has %d", marker,
                          pos - 2, len, b.size() - pos));
    }
    const std::string_view seg = b.substr(pos + 2, len - 2);
    if (marker == 0xE1 && info.orientation == 1) info.orientation = ExifOrientation(seg);
    if (marker == 0xDB) {  // DQT: one or more tables
      size_t i = 0;
      while (i < seg.size()) {
        const int pq = static_cast<uint8_t>(seg[i]) >> 4;
        const int tq = static_cast<uint8_t>(seg[i]) & 15;
        const size_t size = 1 + 64 * (pq ? 2 : 1);
        if (i + size > seg.size()) return absl::InvalidArgumentError("malformed JPEG quantisation table");
        if (tq == 0) {
          for (int k = 0; k < 64; ++k) {
            luma[kZigZag[k]] = pq ? U16(seg, i + 1 + 2 * k) : static_cast<uint8_t>(seg[i + 1 + k]);
          }
          have_luma = true;
        }
        i += size;
      }
    } else if ((marker >= 0xC0 && marker <= 0xCF) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (seg.size() < 6) return absl::InvalidArgumentError("malformed JPEG frame header");
      info.precision = static_cast<uint8_t>(seg[0]);
      info.height = U16(seg, 1);
      info.width = U16(seg, 3);
      info.components = static_cast<uint8_t>(seg[5]);
      info.progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
      if (marker != 0xC0 && marker != 0xC1 && marker != 0xC2) {
        return absl::InvalidArgumentError(
            absl::StrFormat("unsupported JPEG coding (SOF%d: lossless or arithmetic)", marker - 0xC0));
      }
      have_sof = true;
    } else if (marker == 0xDA) {  // first scan: the header part is done
      if (!have_sof) return absl::InvalidArgumentError("malformed JPEG: scan before the frame header");
      break;
    }
    pos += len;
  }
  if (info.width <= 0 || info.height <= 0) {
    return absl::InvalidArgumentError(absl::StrFormat("JPEG declares %d × %d pixels", info.width, info.height));
  }
  // A complete file ends with EOI; cameras may pad a few bytes after it.
  const size_t tail_from = b.size() > 256 ? b.size() - 256 : 0;
  for (size_t i = b.size() - 1; i > tail_from; --i) {
    if (static_cast<uint8_t>(b[i - 1]) == 0xFF && static_cast<uint8_t>(b[i]) == 0xD9) {
      info.complete = true;
      break;
    }
  }
  if (have_luma) info.quality = EstimateQuality(luma);
  return info;
}

absl::StatusOr<Photo> DecodePhoto(std::string_view bytes, const DecodeLimits& limits) {
  auto info = ParseJpeg(bytes);
  if (!info.ok()) return info.status();
  if (!info->complete) {
    return absl::InvalidArgumentError(
        absl::StrCat("truncated JPEG: no end-of-image marker (", bytes.size(), " bytes; copy cut short?)"));
  }
  if (int64_t(info->width) * info->height > limits.max_pixels) {
    return absl::InvalidArgumentError(absl::StrFormat("JPEG is %d × %d pixels, more than the %d-megapixel limit",
                                                      info->width, info->height, limits.max_pixels / 1'000'000));
  }
  const int short_side = std::min(info->width, info->height), long_side = std::max(info->width, info->height);
  if (short_side < limits.min_side) {
    return absl::InvalidArgumentError(
        absl::StrFormat("JPEG is %d × %d pixels: too small to check (each side must be at least %d px)",
                        info->width, info->height, limits.min_side));
  }
  if (short_side < limits.min_short_to_long * long_side) {
    return absl::InvalidArgumentError(
        absl::StrFormat("JPEG is %d × %d pixels: too narrow to check (the shorter side must be at least "
                        "%.0f%% of the longer)",
                        info->width, info->height, limits.min_short_to_long * 100));
  }
  if (info->precision != 8) {
    return absl::InvalidArgumentError(absl::StrFormat("JPEG has %d-bit samples, not 8", info->precision));
  }
  if (info->components == 1) {
    return absl::InvalidArgumentError("grey-scale JPEG: the standard asks for 24-bit colour");
  }
  if (info->components == 4) {
    return absl::InvalidArgumentError("CMYK JPEG: the standard asks for 24-bit RGB colour");
  }
  if (info->components != 3) {
    return absl::InvalidArgumentError(absl::StrFormat("JPEG has %d colour components, not 3", info->components));
  }
  Photo photo;
  photo.info = *info;
  photo.file_bytes = bytes.size();
  try {
    cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    photo.bgr = cv::imdecode(raw, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("JPEG does not decode: ", e.what()));
  }
  if (photo.bgr.empty() || photo.bgr.cols != info->width || photo.bgr.rows != info->height) {
    return absl::InvalidArgumentError("JPEG does not decode (corrupt image data)");
  }
  photo.bgr = Upright(photo.bgr, info->orientation);
  return photo;
}

}  // namespace gradcap::validator
