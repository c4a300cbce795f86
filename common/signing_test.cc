#include "common/signing.h"

#include <gtest/gtest.h>

#include "common/sha256.h"

namespace gradcap {
namespace {

TEST(Signing, SignatureVerifiesWithItsKeyOnly) {
  ASSERT_TRUE(InitCrypto().ok());
  const SigningKeyPair a = NewSigningKeyPair(), b = NewSigningKeyPair();
  ASSERT_EQ(a.public_key.size(), kSigningPublicKeyBytes);
  const std::string sig = Sign("log_seq: 12\n", a.secret_key);
  ASSERT_EQ(sig.size(), kSignatureBytes);
  EXPECT_TRUE(VerifySignature("log_seq: 12\n", sig, a.public_key).ok());
  EXPECT_TRUE(absl::IsUnauthenticated(VerifySignature("log_seq: 13\n", sig, a.public_key)));
  EXPECT_TRUE(absl::IsUnauthenticated(VerifySignature("log_seq: 12\n", sig, b.public_key)));
  EXPECT_TRUE(absl::IsInvalidArgument(VerifySignature("x", sig.substr(1), a.public_key)));
  EXPECT_TRUE(absl::IsInvalidArgument(VerifySignature("x", sig, "short")));
  EXPECT_EQ(Sign("x", "not a key"), "");
}

TEST(Signing, KeyIdNamesThePublicKey) {
  ASSERT_TRUE(InitCrypto().ok());
  const SigningKeyPair a = NewSigningKeyPair(), b = NewSigningKeyPair();
  EXPECT_EQ(SigningKeyId(a.public_key).rfind("ed25519:", 0), 0u);
  EXPECT_EQ(SigningKeyId(a.public_key).size(), 8u + 16u);
  EXPECT_EQ(SigningKeyId(a.public_key), SigningKeyId(a.public_key));
  EXPECT_NE(SigningKeyId(a.public_key), SigningKeyId(b.public_key));
}

}  // namespace
}  // namespace gradcap
