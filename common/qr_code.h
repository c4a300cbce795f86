// QR codes in image files (OpenCV, with ZXing through common/zxing_codes.h):
// render a collection code the way a phone shows it, and decode QR codes from
// image files.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/zxing_codes.h"

namespace gradcap {

// A portrait phone-screen image (PNG bytes): a white page with the QR code
// (ECC level `ecc`, quiet zone 4) in its upper middle and `caption` (ASCII) below.
absl::StatusOr<std::string> RenderCodeScreenPng(const std::string& payload, const std::string& caption,
                                                QrEcc ecc = QrEcc::kQ);

// Every QR code ZXing finds in the image file (any format OpenCV reads),
// trying rotations and downscaling. Empty when there is none.
absl::StatusOr<std::vector<std::string>> DecodeQrFile(const std::string& path);

}  // namespace gradcap
