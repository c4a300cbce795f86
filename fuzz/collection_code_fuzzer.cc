// libFuzzer: any text a scanner can read off a phone. CheckCode must never
// crash and must always say why a code does not verify; a code it verifies
// must carry its body and the key that sealed it.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "common/collection_code.h"
#include "common/sha256.h"

namespace {

gradcap::v1::CodeKey FuzzKey() {
  gradcap::v1::CodeKey key;
  key.set_key_id("k1");
  key.set_secret(std::string(32, '\x5a'));  // fixed, so that seeds stay valid codes
  key.set_created_at_ms(1'700'000'000'000);
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (!gradcap::InitCrypto().ok()) std::abort();
  // GRADCAP_FUZZ_WRITE_SEED=FILE: write one valid code under the fuzz key (how the seed corpus was made).
  if (const char* out = std::getenv("GRADCAP_FUZZ_WRITE_SEED")) {
    gradcap::v1::CodeBody body;
    body.set_student_no("S2021001");
    body.set_expires_at_ms(1'900'000'000'000);
    std::ofstream(out, std::ios::binary) << gradcap::SealCode(body, FuzzKey());
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gradcap;
  static const v1::CodeKey key = FuzzKey();
  const std::string payload(reinterpret_cast<const char*>(data), size);
  CodeCheck check = CheckCode(
      payload, [](const std::string& id) { return id == key.key_id() ? std::optional(key) : std::nullopt; },
      1'800'000'000'000);
  if (check.reason == v1::REASON_NONE) {
    if (!check.body.has_value() || check.key_id != key.key_id()) __builtin_trap();
  } else if (check.detail.empty()) {
    __builtin_trap();
  }
  (void)NotACollectionCodeReason(payload);
  (void)LooksLikeGradcapCode(payload);
  return 0;
}
