#include "common/qr_code.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/collection_code.h"
#include "common/sha256.h"
#include "common/temp_dir.h"

namespace gradcap {
namespace {

TEST(QrCode, RenderedPhoneScreenDecodesToTheSamePayload) {
  ASSERT_TRUE(InitCrypto().ok());
  v1::CodeBody body;
  body.set_student_no("S2021001");
  body.set_college("信息工程学院");
  body.set_cohort("2021");
  body.set_expires_at_ms(1'800'000'000'000);
  v1::CodeKey key = NewCodeKey("k1", 0);
  const std::string payload = SealCode(body, key);

  auto png = RenderCodeScreenPng(payload, "****8746");
  ASSERT_TRUE(png.ok()) << png.status();
  TempDir dir;
  const std::string path = dir.Sub("code.png");
  std::ofstream(path, std::ios::binary) << *png;
  auto decoded = DecodeQrFile(path);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ((*decoded)[0], payload);
  CodeCheck check = CheckCode((*decoded)[0], [&](const std::string&) { return std::optional(key); }, 0);
  EXPECT_EQ(check.reason, v1::REASON_NONE) << check.detail;
  EXPECT_EQ(check.body->student_no(), "S2021001");
}

TEST(QrCode, NonImageIsAClearError) {
  TempDir dir;
  std::ofstream(dir.Sub("x.png")) << "not a png";
  EXPECT_FALSE(DecodeQrFile(dir.Sub("x.png")).ok());
}

}  // namespace
}  // namespace gradcap
