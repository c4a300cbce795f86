#include "common/sha256.h"

#include <gtest/gtest.h>

#include "common/big_endian.h"

namespace gradcap {
namespace {

TEST(Sha256, MatchesTheStandardTestVector) {
  ASSERT_TRUE(InitCrypto().ok());
  EXPECT_EQ(ToHex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, ConcatEqualsHashOfJoinedBytes) {
  EXPECT_EQ(Sha256Concat("hello ", "world"), Sha256("hello world"));
}

TEST(BigEndian, ByteOrderIsNumericOrder) {
  EXPECT_LT(BigEndian64(255), BigEndian64(256));
  EXPECT_LT(BigEndian64(1), BigEndian64(1ull << 40));
  EXPECT_EQ(ReadBigEndian64(BigEndian64(0x0102030405060708ull)).value(), 0x0102030405060708ull);
  EXPECT_FALSE(ReadBigEndian64("short").has_value());
}

}  // namespace
}  // namespace gradcap
