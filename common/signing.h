// Ed25519 signatures (libsodium adapter: the only file with libsodium's
// signing calls). Checkpoints of the event log are signed with a key pair the
// registrar makes once (`gradcap keys init`); anyone holding the public key
// can check them. Thread-safe once InitCrypto() has run.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace gradcap {

inline constexpr size_t kSigningPublicKeyBytes = 32;
inline constexpr size_t kSigningSecretKeyBytes = 64;
inline constexpr size_t kSignatureBytes = 64;

struct SigningKeyPair {
  std::string public_key;  // 32 raw bytes
  std::string secret_key;  // 64 raw bytes (seed ‖ public key)
};

// A fresh random key pair.
SigningKeyPair NewSigningKeyPair();

// The detached signature of `message`; empty when `secret_key` is not 64 bytes.
std::string Sign(std::string_view message, std::string_view secret_key);

// OK when `signature` is `public_key`'s signature of `message`;
// InvalidArgument for a key or signature of the wrong size; Unauthenticated
// when the signature does not verify (another key, or the message changed).
absl::Status VerifySignature(std::string_view message, std::string_view signature,
                             std::string_view public_key);

// "ed25519:" and the first 16 hex digits of SHA-256(public_key): how files and
// messages name a key.
std::string SigningKeyId(std::string_view public_key);

}  // namespace gradcap
