#include "common/sha256.h"

#include <openssl/evp.h>
#include <sodium.h>

// SHA-256 goes through OpenSSL, which uses the CPU's SHA extensions where it
// has them (about 6x libsodium's portable code on a 100 KB photo, measured in
// bench/); libsodium stays for sealing and signing.

namespace gradcap {
namespace {

const EVP_MD* Sha256Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// One reusable context per thread: allocation would cost more than hashing
// a small record.
EVP_MD_CTX* ThreadContext() {
  struct Holder {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Holder() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Holder holder;
  return holder.ctx;
}

Digest Hash(std::string_view a, std::string_view b) {
  Digest d;
  EVP_MD_CTX* ctx = ThreadContext();
  unsigned int len = 0;
  // These calls fail only on allocation failure or a missing provider; both
  // are caught by InitCrypto at start-up.
  EVP_DigestInit_ex(ctx, Sha256Md(), nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  if (!b.empty()) EVP_DigestUpdate(ctx, b.data(), b.size());
  EVP_DigestFinal_ex(ctx, d.data(), &len);
  return d;
}

}  // namespace

absl::Status InitCrypto() {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  if (Sha256Md() == nullptr || ThreadContext() == nullptr) {
    return absl::InternalError("OpenSSL has no SHA-256 implementation available");
  }
  return absl::OkStatus();
}

Digest Sha256(std::string_view bytes) { return Hash(bytes, {}); }

Digest Sha256Concat(std::string_view a, std::string_view b) { return Hash(a, b); }

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

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

}  // namespace gradcap
