#include "common/sha256.h"

#include <sodium.h>

namespace gradcap {

absl::Status InitCrypto() {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  return absl::OkStatus();
}

Digest Sha256(std::string_view bytes) {
  Digest d;
  crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  return d;
}

Digest Sha256Concat(std::string_view a, std::string_view b) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(a.data()), a.size());
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(b.data()), b.size());
  Digest d;
  crypto_hash_sha256_final(&st, d.data());
  return d;
}

std::string DigestBytes(const Digest& d) {
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

}  // namespace gradcap
