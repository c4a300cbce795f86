// libsodium adapter for the supervisor: Argon2id password hashes
// (crypto_pwhash_str, self-describing strings with salt and limits), random
// tokens, constant-time comparison. The only supervisor file that includes
// sodium.h. Thread-safe once InitCrypto() (common/sha256.h) ran.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace gradcap {

// An Argon2id hash string ("$argon2id$v=19$m=…") of `password`, with the
// interactive limits (~64 MiB, a fraction of a second).
absl::StatusOr<std::string> HashPassword(const std::string& password);
// True when `password` matches `hash`; false for a wrong password and for a
// string that is no hash.
bool VerifyPassword(const std::string& hash, const std::string& password);
// `bytes` random bytes as lower-case hex.
std::string RandomToken(size_t bytes = 32);
// Equal contents, compared in time independent of where they differ.
bool SecretsEqual(const std::string& a, const std::string& b);

}  // namespace gradcap
