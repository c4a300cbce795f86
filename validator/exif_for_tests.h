// Tests only: a JPEG given an EXIF Orientation tag, the way a camera held in
// portrait writes one.
#pragma once

#include <string>

namespace gradcap::validator {

// `jpeg` with an APP1 Exif segment holding only Orientation = `orientation`,
// in Intel (II) or Motorola (MM) byte order, right after SOI.
inline std::string WithExifOrientation(const std::string& jpeg, int orientation, bool intel) {
  auto u16 = [&](int v) {
    return intel ? std::string{char(v & 255), char(v >> 8)} : std::string{char(v >> 8), char(v & 255)};
  };
  auto u32 = [&](int v) { return intel ? u16(v & 0xffff) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xffff); };
  std::string tiff = std::string(intel ? "II" : "MM") + u16(42) + u32(8) + u16(1);
  tiff += u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0);  // SHORT, count 1, value
  tiff += u32(0);                                                      // no next IFD
  const std::string seg = std::string("Exif\0\0", 6) + tiff;
  const int len = static_cast<int>(seg.size()) + 2;
  return jpeg.substr(0, 2) + std::string{'\xFF', '\xE1', char(len >> 8), char(len & 255)} + seg + jpeg.substr(2);
}

}  // namespace gradcap::validator
