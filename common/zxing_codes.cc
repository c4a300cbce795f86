#include "common/zxing_codes.h"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/CharacterSet.h>
#include <ZXing/MultiFormatWriter.h>
#include <ZXing/ReadBarcode.h>

#include <exception>

#include "absl/strings/str_cat.h"

namespace gradcap {
namespace {

ModuleMatrix FromBits(const ZXing::BitMatrix& bits) {
  const ZXing::Matrix<uint8_t> modules = ZXing::ToMatrix<uint8_t>(bits);
  ModuleMatrix out;
  out.width = modules.width();
  out.height = modules.height();
  out.pixels.assign(modules.data(), modules.data() + modules.size());
  return out;
}

ZXing::BarcodeFormat Format(OtherSymbology symbology) {
  switch (symbology) {
    case OtherSymbology::kEan13:
      return ZXing::BarcodeFormat::EAN13;
    case OtherSymbology::kCode128:
      return ZXing::BarcodeFormat::Code128;
    case OtherSymbology::kDataMatrix:
      return ZXing::BarcodeFormat::DataMatrix;
  }
  return ZXing::BarcodeFormat::None;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ReadQrCodes(const LumImage& image, const QrReadOptions& options) {
  if (image.data == nullptr || image.width <= 0 || image.height <= 0 || image.stride < image.width) {
    return absl::InvalidArgumentError(absl::StrCat("no picture to read codes from (", image.width, " × ",
                                                   image.height, ", stride ", image.stride, ")"));
  }
  try {
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode)
        .setTryHarder(true)
        .setTryRotate(options.try_rotate)
        .setTryDownscale(options.try_downscale);
    // The stride matters: without it a region of a larger picture decodes garbage.
    const ZXing::ImageView view(image.data, image.width, image.height, ZXing::ImageFormat::Lum, image.stride);
    std::vector<std::string> out;
    for (const ZXing::Result& r : ZXing::ReadBarcodes(view, hints)) {
      if (r.isValid()) out.push_back(r.text());
    }
    return out;
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("QR reader failed: ", e.what()));
  }
}

absl::StatusOr<ModuleMatrix> EncodeQrCode(const std::string& payload, QrEcc ecc) {
  try {
    ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
    // ZXing 1.4's levels: 0–2 L, 3–4 M, 5–6 Q, 7–8 H.
    writer.setEncoding(ZXing::CharacterSet::ISO8859_1).setEccLevel(ecc == QrEcc::kQ ? 6 : 4).setMargin(4);
    return FromBits(writer.encode(payload, 0, 0));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot encode a QR code: ", e.what()));
  }
}

absl::StatusOr<ModuleMatrix> EncodeOtherSymbol(OtherSymbology symbology, const std::string& text, int width,
                                               int height, int margin) {
  try {
    ZXing::MultiFormatWriter writer(Format(symbology));
    writer.setMargin(margin);
    return FromBits(writer.encode(text, width, height));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot encode \"", text, "\": ", e.what()));
  }
}

}  // namespace gradcap
