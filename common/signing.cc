#include "common/signing.h"

#include <sodium.h>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"

namespace gradcap {

SigningKeyPair NewSigningKeyPair() {
  SigningKeyPair pair;
  pair.public_key.assign(crypto_sign_PUBLICKEYBYTES, '\0');
  pair.secret_key.assign(crypto_sign_SECRETKEYBYTES, '\0');
  crypto_sign_keypair(reinterpret_cast<unsigned char*>(pair.public_key.data()),
                      reinterpret_cast<unsigned char*>(pair.secret_key.data()));
  return pair;
}

std::string Sign(std::string_view message, std::string_view secret_key) {
  if (secret_key.size() != crypto_sign_SECRETKEYBYTES) return "";
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       reinterpret_cast<const unsigned char*>(secret_key.data()));
  return signature;
}

absl::Status VerifySignature(std::string_view message, std::string_view signature,
                             std::string_view public_key) {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES) {
    return absl::InvalidArgumentError(
        absl::StrCat("a public key is ", crypto_sign_PUBLICKEYBYTES, " bytes, this one ", public_key.size()));
  }
  if (signature.size() != crypto_sign_BYTES) {
    return absl::InvalidArgumentError(
        absl::StrCat("a signature is ", crypto_sign_BYTES, " bytes, this one ", signature.size()));
  }
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                  reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                  reinterpret_cast<const unsigned char*>(public_key.data())) != 0) {
    return absl::UnauthenticatedError(
        "the signature does not verify: another key signed it, or the text changed");
  }
  return absl::OkStatus();
}

std::string SigningKeyId(std::string_view public_key) {
  return absl::StrCat("ed25519:", ToHex(Sha256(public_key)).substr(0, 16));
}

static_assert(kSigningPublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kSigningSecretKeyBytes == crypto_sign_SECRETKEYBYTES);
static_assert(kSignatureBytes == crypto_sign_BYTES);

}  // namespace gradcap
