// The ZXing-C++ adapter: the only file in gradcap that includes ZXing, and
// the only one compiled with ZX_USE_UTF8 (ZXing 1.4 gives std::wstring text
// without it). Everyone else reads and writes codes through these types.
// Exceptions from ZXing never leave zxing_codes.cc; they become Status values.
// Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gradcap {

// A grey picture in memory, one byte of luminance per pixel. `stride` is the
// distance in bytes from one row to the next (an OpenCV Mat's `step`, which
// is larger than the width for a region of a bigger image). Not owned.
struct LumImage {
  const uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  int stride = 0;
};

// How hard to look for codes. The defaults are what the booth uses.
struct QrReadOptions {
  bool try_rotate = true;     // also look at the picture turned by 90°, 180°, 270°
  bool try_downscale = true;  // also look at scaled-down copies (large or blurred codes)

  QrReadOptions& set_try_rotate(bool v) {
    try_rotate = v;
    return *this;
  }
  QrReadOptions& set_try_downscale(bool v) {
    try_downscale = v;
    return *this;
  }
};

// The text of every valid QR code in `image`, in the order ZXing found them
// (a payload shown twice appears twice). Empty when there is none.
// InvalidArgument for an image without pixels.
absl::StatusOr<std::vector<std::string>> ReadQrCodes(const LumImage& image,
                                                     const QrReadOptions& options = {});

// A code drawn as modules: `pixels` holds width × height bytes, row by row,
// 0 for black and 255 for white.
struct ModuleMatrix {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;
};

// Error correction of a QR symbol. Collection codes use Q (25 % of the
// codewords may be lost): a GC2 code is then version 6 — still smaller than a
// GC1 code was at M (version 7–8) — and reads through a glare spot on a
// glossy screen more often than either at M (README, "Code reading").
enum class QrEcc { kM, kQ };

// A collection code's QR symbol: the payload as ISO-8859-1 bytes (all
// upper-case alphanumerics: alphanumeric mode), a quiet zone of 4 modules,
// one pixel per module. InvalidArgument when the payload does not fit.
absl::StatusOr<ModuleMatrix> EncodeQrCode(const std::string& payload, QrEcc ecc = QrEcc::kQ);

// The QR version (1–40) of a symbol from EncodeQrCode (its width less the
// quiet zone is 17 + 4 × version modules).
inline int QrVersion(const ModuleMatrix& m) { return (m.width - 8 - 17) / 4; }

// Symbols that are not QR codes, for negative test pictures.
enum class OtherSymbology { kEan13, kCode128, kDataMatrix };
// `text` drawn in `symbology`, scaled to about width × height pixels with a
// margin of `margin` pixels.
absl::StatusOr<ModuleMatrix> EncodeOtherSymbol(OtherSymbology symbology, const std::string& text, int width,
                                               int height, int margin);

}  // namespace gradcap
