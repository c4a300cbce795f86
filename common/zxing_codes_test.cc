#include "common/zxing_codes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gradcap {
namespace {

// `m` scaled up `scale` times, drawn at (x, y) on a grey page `width` wide
// whose rows are `stride` bytes apart (a region of a larger buffer).
std::vector<uint8_t> Draw(const ModuleMatrix& m, int scale, int x, int y, int width, int height, int stride) {
  std::vector<uint8_t> page(static_cast<size_t>(stride) * height, 128);
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) page[r * stride + c] = 200;
  }
  for (int r = 0; r < m.height * scale; ++r) {
    for (int c = 0; c < m.width * scale; ++c) {
      page[(y + r) * stride + x + c] = m.pixels[(r / scale) * m.width + c / scale];
    }
  }
  return page;
}

TEST(ZxingCodes, AnEncodedCollectionCodeReadsBackFromARegionWithItsOwnStride) {
  const std::string payload = "GC1.k1.Zm9vYmFyLWJhei0xMjM0NTY3ODkw-_";
  absl::StatusOr<ModuleMatrix> code = EncodeQrCode(payload);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(code->width, code->height);
  EXPECT_EQ(code->pixels.size(), static_cast<size_t>(code->width * code->height));
  // Rows 700 bytes apart, picture 500 wide: a stride taken for the width
  // would shear the code into noise.
  const int width = 500, height = 400, stride = 700;
  std::vector<uint8_t> page = Draw(*code, 5, 60, 40, width, height, stride);
  absl::StatusOr<std::vector<std::string>> read = ReadQrCodes(LumImage{page.data(), width, height, stride});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, std::vector<std::string>{payload});
}

TEST(ZxingCodes, OtherSymbolsAreNotReadAsQrCodes) {
  for (auto symbology : {OtherSymbology::kEan13, OtherSymbology::kCode128, OtherSymbology::kDataMatrix}) {
    absl::StatusOr<ModuleMatrix> code = EncodeOtherSymbol(
        symbology, symbology == OtherSymbology::kEan13 ? "690123456789" : "GC1.k1.x", 400, 200, 10);
    ASSERT_TRUE(code.ok()) << code.status();
    absl::StatusOr<std::vector<std::string>> read =
        ReadQrCodes(LumImage{code->pixels.data(), code->width, code->height, code->width});
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_TRUE(read->empty());
  }
}

TEST(ZxingCodes, ImpossibleInputsAreStatusValuesNotExceptions) {
  EXPECT_TRUE(absl::IsInvalidArgument(ReadQrCodes(LumImage{}).status()));
  const uint8_t pixel = 255;
  EXPECT_TRUE(absl::IsInvalidArgument(ReadQrCodes(LumImage{&pixel, 1, 1, 0}).status()));  // stride < width
  EXPECT_TRUE(absl::IsInvalidArgument(EncodeQrCode(std::string(5000, 'x')).status()));    // no QR holds it
  EXPECT_TRUE(absl::IsInvalidArgument(
      EncodeOtherSymbol(OtherSymbology::kEan13, "not digits", 400, 200, 10).status()));
}

}  // namespace
}  // namespace gradcap
