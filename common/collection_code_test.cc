#include "common/collection_code.h"

#include <gtest/gtest.h>

#include "common/sha256.h"

namespace gradcap {
namespace {

constexpr int64_t kNow = 1'726'880'000'000;  // 2024-09-21

class CollectionCodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    k1_ = NewCodeKey("k1", kNow);
    k2_ = NewCodeKey("k2", kNow);
    body_.set_student_no("S2021001");
    body_.set_college("信息工程学院");
    body_.set_cohort("2021");
    body_.set_issued_at_ms(kNow - 86'400'000);
    body_.set_expires_at_ms(kNow + 86'400'000);
  }
  CodeKeyLookup Keys() {
    return [this](const std::string& id) -> std::optional<v1::CodeKey> {
      if (id == "k1") return k1_;
      if (id == "k2") return k2_;
      return std::nullopt;
    };
  }
  v1::CodeKey k1_, k2_;
  v1::CodeBody body_;
};

TEST_F(CollectionCodeTest, SealedCodeOpensToItsBody) {
  const std::string payload = SealCode(body_, k1_);
  EXPECT_EQ(payload.rfind("GC1.k1.", 0), 0u);
  EXPECT_EQ(payload.find("S2021001"), std::string::npos);  // opaque
  CodeCheck check = CheckCode(payload, Keys(), kNow);
  EXPECT_EQ(check.reason, v1::REASON_NONE) << check.detail;
  ASSERT_TRUE(check.body.has_value());
  EXPECT_EQ(check.body->student_no(), "S2021001");
  EXPECT_EQ(check.body->college(), "信息工程学院");
}

TEST_F(CollectionCodeTest, TwoSealsOfOneBodyDiffer) {
  EXPECT_NE(SealCode(body_, k1_), SealCode(body_, k1_));
}

TEST_F(CollectionCodeTest, ChangingAnyByteMakesItForgedOrForeign) {
  const std::string payload = SealCode(body_, k1_);
  for (size_t i = 0; i < payload.size(); ++i) {
    std::string bad = payload;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    CodeCheck check = CheckCode(bad, Keys(), kNow);
    EXPECT_TRUE(check.reason == v1::REASON_FORGED_CODE || check.reason == v1::REASON_UNKNOWN_CODE)
        << "byte " << i << ": " << check.reason;
  }
}

TEST_F(CollectionCodeTest, TruncatedCodeIsForged) {
  const std::string payload = SealCode(body_, k1_);
  for (size_t len : {payload.size() - 1, payload.size() / 2, size_t{8}}) {
    EXPECT_EQ(CheckCode(payload.substr(0, len), Keys(), kNow).reason, v1::REASON_FORGED_CODE) << len;
  }
}

TEST_F(CollectionCodeTest, GarbageAndForeignCodesAreUnknown) {
  for (const std::string& p : {std::string(""), std::string("https://example.com/pay?id=1"),
                               std::string("\x01\x02\xff"), std::string(2000, 'G'), std::string("GC1..x")}) {
    EXPECT_EQ(CheckCode(p, Keys(), kNow).reason, v1::REASON_UNKNOWN_CODE) << p;
  }
}

TEST_F(CollectionCodeTest, ExpiredCodeIsRecognisedAsSuch) {
  const std::string payload = SealCode(body_, k1_);
  CodeCheck check = CheckCode(payload, Keys(), body_.expires_at_ms() + 1);
  EXPECT_EQ(check.reason, v1::REASON_EXPIRED_CODE);
  ASSERT_TRUE(check.body.has_value());  // still tells who it was for
}

TEST_F(CollectionCodeTest, CodesUnderAnOlderKeyVerifyAfterRotationUntilItIsRetired) {
  const std::string old_code = SealCode(body_, k1_);
  const std::string new_code = SealCode(body_, k2_);
  EXPECT_EQ(CheckCode(old_code, Keys(), kNow).reason, v1::REASON_NONE);
  EXPECT_EQ(CheckCode(new_code, Keys(), kNow).reason, v1::REASON_NONE);
  k1_.set_retired(true);
  EXPECT_EQ(CheckCode(old_code, Keys(), kNow).reason, v1::REASON_EXPIRED_CODE);
  EXPECT_EQ(CheckCode(new_code, Keys(), kNow).reason, v1::REASON_NONE);
}

TEST_F(CollectionCodeTest, CodeSealedWithAnotherKeyIsForged) {
  v1::CodeKey stranger = NewCodeKey("k1", kNow);  // same id, other secret
  CodeCheck check = CheckCode(SealCode(body_, stranger), Keys(), kNow);
  EXPECT_EQ(check.reason, v1::REASON_FORGED_CODE);
  EXPECT_EQ(CheckCode(SealCode(body_, NewCodeKey("k9", kNow)), Keys(), kNow).reason, v1::REASON_FORGED_CODE);
}

}  // namespace
}  // namespace gradcap
