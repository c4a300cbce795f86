#include "common/collection_code.h"

#include <gtest/gtest.h>

#include <cctype>

#include "common/sha256.h"

namespace gradcap {
namespace {

constexpr int64_t kNow = 1'726'880'000'000;  // 2024-09-21

// Every test runs on both forms: GC2 (issued now) and GC1 (issued before,
// still on students' phones).
using Sealer = std::string (*)(const v1::CodeBody&, const v1::CodeKey&);

class CollectionCodeTest : public ::testing::TestWithParam<Sealer> {
 protected:
  std::string Seal(const v1::CodeBody& body, const v1::CodeKey& key) { return GetParam()(body, key); }
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

TEST_P(CollectionCodeTest, SealedCodeOpensToItsBody) {
  const std::string payload = Seal(body_, k1_);
  EXPECT_TRUE(payload.rfind("GC1.k1.", 0) == 0 || payload.rfind("GC2.K1.", 0) == 0) << payload;
  EXPECT_EQ(payload.find("S2021001"), std::string::npos);  // opaque
  CodeCheck check = CheckCode(payload, Keys(), kNow);
  EXPECT_EQ(check.reason, v1::REASON_NONE) << check.detail;
  ASSERT_TRUE(check.body.has_value());
  EXPECT_EQ(check.body->student_no(), "S2021001");
  EXPECT_EQ(check.body->college(), "信息工程学院");
}

TEST_P(CollectionCodeTest, CodesOfTwoIssuesOfOneStudentDiffer) {
  const std::string first = Seal(body_, k1_);
  body_.set_issued_at_ms(body_.issued_at_ms() + 1000);
  EXPECT_NE(first, Seal(body_, k1_));
}

TEST_P(CollectionCodeTest, ChangingAnyByteMakesItForgedOrForeign) {
  const std::string payload = Seal(body_, k1_);
  for (size_t i = 0; i < payload.size(); ++i) {
    std::string bad = payload;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    CodeCheck check = CheckCode(bad, Keys(), kNow);
    EXPECT_TRUE(check.reason == v1::REASON_FORGED_CODE || check.reason == v1::REASON_UNKNOWN_CODE)
        << "byte " << i << ": " << check.reason;
  }
}

TEST_P(CollectionCodeTest, TruncatedCodeIsForged) {
  const std::string payload = Seal(body_, k1_);
  for (size_t len : {payload.size() - 1, payload.size() / 2, size_t{8}}) {
    EXPECT_EQ(CheckCode(payload.substr(0, len), Keys(), kNow).reason, v1::REASON_FORGED_CODE) << len;
  }
}

TEST_P(CollectionCodeTest, GarbageAndForeignCodesAreUnknown) {
  for (const std::string& p : {std::string(""), std::string("https://example.com/pay?id=1"),
                               std::string("\x01\x02\xff"), std::string(2000, 'G'), std::string("GC1..x")}) {
    EXPECT_EQ(CheckCode(p, Keys(), kNow).reason, v1::REASON_UNKNOWN_CODE) << p;
  }
}

TEST_P(CollectionCodeTest, ExpiredCodeIsRecognisedAsSuch) {
  const std::string payload = Seal(body_, k1_);
  CodeCheck check = CheckCode(payload, Keys(), body_.expires_at_ms() + 1);
  EXPECT_EQ(check.reason, v1::REASON_EXPIRED_CODE);
  ASSERT_TRUE(check.body.has_value());  // still tells who it was for
}

TEST_P(CollectionCodeTest, CodesUnderAnOlderKeyVerifyAfterRotationUntilItIsRetired) {
  const std::string old_code = Seal(body_, k1_);
  const std::string new_code = Seal(body_, k2_);
  EXPECT_EQ(CheckCode(old_code, Keys(), kNow).reason, v1::REASON_NONE);
  EXPECT_EQ(CheckCode(new_code, Keys(), kNow).reason, v1::REASON_NONE);
  k1_.set_retired(true);
  EXPECT_EQ(CheckCode(old_code, Keys(), kNow).reason, v1::REASON_EXPIRED_CODE);
  EXPECT_EQ(CheckCode(new_code, Keys(), kNow).reason, v1::REASON_NONE);
}

TEST_P(CollectionCodeTest, CodeSealedWithAnotherKeyIsForged) {
  v1::CodeKey stranger = NewCodeKey("k1", kNow);  // same id, other secret
  CodeCheck check = CheckCode(Seal(body_, stranger), Keys(), kNow);
  EXPECT_EQ(check.reason, v1::REASON_FORGED_CODE);
  EXPECT_EQ(CheckCode(Seal(body_, NewCodeKey("k9", kNow)), Keys(), kNow).reason, v1::REASON_FORGED_CODE);
}

INSTANTIATE_TEST_SUITE_P(BothForms, CollectionCodeTest, ::testing::Values(&SealCode, &SealLegacyCode),
                         [](const ::testing::TestParamInfo<Sealer>& info) {
                           return std::string(info.param == &SealCode ? "GC2" : "GC1");
                         });

class Gc2CodeTest : public CollectionCodeTest {};

// GC2 holds only what a QR code's alphanumeric mode holds, and is much
// shorter than GC1 for the same body.
TEST_F(Gc2CodeTest, FitsAlphanumericModeAndIsShorterThanGc1) {
  const std::string gc2 = SealCode(body_, k1_), gc1 = SealLegacyCode(body_, k1_);
  EXPECT_EQ(gc2.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"), std::string::npos) << gc2;
  EXPECT_LE(gc2.size(), 100u) << gc2;
  EXPECT_LE(gc2.size() + 20, gc1.size()) << gc2 << "\n" << gc1;
}

// Times are whole seconds in GC2: rounded down, so a code is never valid longer.
TEST_F(Gc2CodeTest, OpensToTheSameBodyWithTimesInWholeSeconds) {
  body_.set_issued_at_ms(kNow + 999);
  body_.set_expires_at_ms(kNow + 86'400'999);
  CodeCheck check = CheckCode(SealCode(body_, k1_), Keys(), kNow);
  ASSERT_TRUE(check.body.has_value()) << check.detail;
  EXPECT_EQ(check.body->cohort(), "2021");
  EXPECT_EQ(check.body->issued_at_ms(), kNow);
  EXPECT_EQ(check.body->expires_at_ms(), kNow + 86'400'000);
}

// The same key id in lower case, or a GC1 body under a GC2 tag, is not a GC2
// code; a tag or body sealed under GC1's header does not open as GC2.
TEST_F(Gc2CodeTest, FormsAreNotInterchangeable) {
  const std::string gc2 = SealCode(body_, k1_), gc1 = SealLegacyCode(body_, k1_);
  EXPECT_EQ(CheckCode("GC2.k1." + gc2.substr(7), Keys(), kNow).reason, v1::REASON_UNKNOWN_CODE);
  EXPECT_EQ(CheckCode("GC2.K1." + gc1.substr(7), Keys(), kNow).reason, v1::REASON_FORGED_CODE);
  EXPECT_EQ(CheckCode("GC1.k1." + gc2.substr(7), Keys(), kNow).reason, v1::REASON_FORGED_CODE);
}

// Damage a phone screen or a scanner can do: a character dropped, doubled or
// turned into another, lower case (some keyboard-wedge scanners), spaces.
TEST_F(Gc2CodeTest, DamagedCodesAreRefusedAsForged) {
  const std::string gc2 = SealCode(body_, k1_);
  const std::string body_part = gc2.substr(7);
  std::string lower = gc2;
  for (size_t i = 7; i < lower.size(); ++i) lower[i] = static_cast<char>(std::tolower(lower[i]));
  for (const std::string& bad : {gc2.substr(0, 40) + gc2.substr(41), gc2.substr(0, 40) + gc2[40] + gc2.substr(40),
                                 lower, gc2.substr(0, 30) + " " + gc2.substr(30), gc2 + "A", gc2 + "AAAAAAAA"}) {
    EXPECT_EQ(CheckCode(bad, Keys(), kNow).reason, v1::REASON_FORGED_CODE) << bad;
  }
  EXPECT_FALSE(body_part.empty());
}

// A roster field too long to pack gives no code rather than a wrong one.
TEST_F(Gc2CodeTest, ABodyThatCannotBePackedGivesNoCode) {
  body_.set_college(std::string(200, 'x'));
  EXPECT_EQ(SealCode(body_, k1_), "");
}

}  // namespace
}  // namespace gradcap
