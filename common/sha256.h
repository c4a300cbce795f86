// SHA-256 digests (OpenSSL adapter; InitCrypto also readies libsodium). Thread-safe; call InitCrypto() once
// per process before the first use (main() and test mains do).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace gradcap {

using Digest = std::array<uint8_t, 32>;

// Initialises libsodium. Idempotent.
absl::Status InitCrypto();

Digest Sha256(std::string_view bytes);
// SHA-256 over the concatenation of `a` and `b` without copying them.
Digest Sha256Concat(std::string_view a, std::string_view b);

std::string DigestBytes(const Digest& d);  // the 32 raw bytes
// `n` bytes from libsodium's CSPRNG (after InitCrypto).
std::string RandomBytes(size_t n);
std::string ToHex(std::string_view bytes);
inline std::string ToHex(const Digest& d) {
  return ToHex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

}  // namespace gradcap
