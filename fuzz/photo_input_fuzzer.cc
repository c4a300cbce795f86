// libFuzzer: any bytes a camera's hot folder or a booth can hand the
// validator as a photo. ParseJpeg must never crash or over-read; DecodePhoto
// must refuse what it cannot take with a reason, and what it decodes must
// have the size the header said, in 8-bit colour.
#include <cstdint>
#include <string_view>

#include "validator/photo_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gradcap::validator;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<JpegInfo> info = ParseJpeg(bytes);
  if (!info.ok() && info.status().message().empty()) __builtin_trap();
  (void)DescribeMagic(bytes);
  DecodeLimits limits;
  limits.max_pixels = 1'000'000;  // keeps each run fast; the limit logic is the same
  absl::StatusOr<Photo> photo = DecodePhoto(bytes, limits);
  if (!photo.ok()) {
    if (photo.status().message().empty()) __builtin_trap();
    return 0;
  }
  if (photo->bgr.cols != photo->info.width || photo->bgr.rows != photo->info.height ||
      photo->bgr.channels() != 3 || photo->bgr.depth() != CV_8U) {
    __builtin_trap();
  }
  return 0;
}
