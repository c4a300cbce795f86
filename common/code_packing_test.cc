#include "common/code_packing.h"

#include <gtest/gtest.h>

namespace gradcap {
namespace {

v1::CodeBody Body(const std::string& student, const std::string& college, const std::string& cohort,
                  int64_t issued_ms, int64_t expires_ms) {
  v1::CodeBody b;
  b.set_student_no(student);
  b.set_college(college);
  b.set_cohort(cohort);
  b.set_issued_at_ms(issued_ms);
  b.set_expires_at_ms(expires_ms);
  return b;
}

TEST(CodePacking, BodiesRoundTripIncludingLeadingZerosChineseAndOldTimes) {
  for (const v1::CodeBody& b :
       {Body("2021040101", "信息工程学院", "2021", 1'726'880'000'000, 1'726'880'000'000 + 86'400'000),
        Body("0007", "", "2025届", 0, 0), Body("S2021001", "X", "", -5'000'000, 1'900'000'000'000),
        Body("9999999999999999999", "a", "b", 1'704'067'200'000, 1'704'067'200'000)}) {
    const std::optional<std::string> packed = PackCodeBody(b);
    ASSERT_TRUE(packed.has_value()) << b.ShortDebugString();
    const std::optional<v1::CodeBody> back = UnpackCodeBody(*packed);
    ASSERT_TRUE(back.has_value()) << b.ShortDebugString();
    EXPECT_EQ(back->SerializeAsString(), b.SerializeAsString()) << back->ShortDebugString();
  }
}

TEST(CodePacking, ATypicalBodyTakesFewerBytesThanItsProtobuf) {
  const v1::CodeBody b = Body("2021040101", "信息工程学院", "2021", 1'726'880'000'000, 1'729'472'000'000);
  const std::optional<std::string> packed = PackCodeBody(b);
  ASSERT_TRUE(packed.has_value());
  EXPECT_LE(packed->size() + 12, b.SerializeAsString().size()) << packed->size();
}

TEST(CodePacking, TruncatedExtendedOrFlaggedBytesDoNotUnpack) {
  const std::string packed = *PackCodeBody(Body("S1", "C", "2021", 1'726'880'000'000, 1'726'966'400'000));
  for (size_t n = 0; n < packed.size(); ++n) EXPECT_FALSE(UnpackCodeBody(packed.substr(0, n)).has_value()) << n;
  EXPECT_FALSE(UnpackCodeBody(packed + "x").has_value());
  std::string flagged = packed;
  flagged[0] = static_cast<char>(flagged[0] | 2);
  EXPECT_FALSE(UnpackCodeBody(flagged).has_value());
  EXPECT_FALSE(UnpackCodeBody(std::string("\x00\x85\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 12)).has_value());
}

TEST(CodePacking, FieldsOver127BytesAreRefused) {
  EXPECT_FALSE(PackCodeBody(Body(std::string(128, 'S'), "", "", 0, 0)).has_value());
  EXPECT_TRUE(PackCodeBody(Body(std::string(127, 'S'), "", "", 0, 0)).has_value());
}

TEST(Base32, RoundTripsEveryLengthAndRefusesNonCanonicalText) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    const std::string text = Base32(bytes);
    EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos);
    EXPECT_EQ(FromBase32(text), bytes) << n;
    bytes.push_back(static_cast<char>(n * 37 + 11));
  }
  EXPECT_EQ(Base32("\xff"), "74");
  EXPECT_FALSE(FromBase32("75").has_value());  // bits after the last byte must be zero
  EXPECT_FALSE(FromBase32("7").has_value());   // 5 bits: no byte at all
  EXPECT_FALSE(FromBase32("ab").has_value());  // lower case is not the alphabet
  EXPECT_FALSE(FromBase32("A1").has_value());
  EXPECT_FALSE(FromBase32("AA=").has_value());
}

}  // namespace
}  // namespace gradcap
