#include "common/collection_code.h"

#include <sodium.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/code_packing.h"

namespace gradcap {
namespace {

constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

std::string Base64Url(const std::string& bytes) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

std::optional<std::string> FromBase64Url(const std::string& text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                        nullptr, &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

bool ValidKeyId(std::string_view id) {
  if (id.empty() || id.size() > 16) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::string Header(const std::string& key_id) { return absl::StrCat(kLegacyCodeVersionTag, ".", key_id); }

// ---------------------------------------------------------------- GC2

constexpr size_t kSivTagBytes = 16;
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "gradcap2";

// The MAC and stream subkeys of a code key (32 bytes each).
std::pair<std::string, std::string> Subkeys(const std::string& secret) {
  std::string mac(32, '\0'), enc(32, '\0');
  const auto* master = reinterpret_cast<const unsigned char*>(secret.data());
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(mac.data()), mac.size(), 1, kKdfContext, master);
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(enc.data()), enc.size(), 2, kKdfContext, master);
  return {mac, enc};
}

std::string SivTag(const std::string& mac_key, const std::string& header, const std::string& packed) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, reinterpret_cast<const unsigned char*>(mac_key.data()), mac_key.size(), kSivTagBytes);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(header.data()), header.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(packed.data()), packed.size());
  std::string tag(kSivTagBytes, '\0');
  crypto_generichash_final(&st, reinterpret_cast<unsigned char*>(tag.data()), tag.size());
  return tag;
}

// XChaCha20 keystream XOR, nonce = the tag padded to 24 bytes.
std::string StreamXor(const std::string& enc_key, const std::string& tag, const std::string& in) {
  unsigned char nonce[crypto_stream_xchacha20_NONCEBYTES] = {0};
  std::copy(tag.begin(), tag.end(), nonce);
  std::string out(in.size(), '\0');
  crypto_stream_xchacha20_xor(reinterpret_cast<unsigned char*>(out.data()),
                              reinterpret_cast<const unsigned char*>(in.data()), in.size(), nonce,
                              reinterpret_cast<const unsigned char*>(enc_key.data()));
  return out;
}

// GC2 key ids are the GC1 ids in upper case (alphanumeric mode has no lower case).
std::string Gc2Header(const std::string& key_id) { return absl::StrCat(kCodeVersionTag, ".", key_id); }

bool ValidGc2KeyId(const std::string& id) {
  return ValidKeyId(absl::AsciiStrToLower(id)) && absl::AsciiStrToUpper(id) == id;
}

// Opens a GC2 code whose key is known: the body, or why not.
CodeCheck OpenGc2(const std::string& key_id, const std::string& sealed_text, const v1::CodeKey& key) {
  CodeCheck check;
  check.key_id = key_id;
  std::optional<std::string> sealed = FromBase32(sealed_text);
  if (!sealed.has_value() || sealed->size() < kSivTagBytes + 4) {
    check.reason = v1::REASON_FORGED_CODE;
    check.detail = "sealed part is damaged or truncated";
    return check;
  }
  const auto [mac_key, enc_key] = Subkeys(key.secret());
  const std::string tag = sealed->substr(0, kSivTagBytes);
  const std::string packed = StreamXor(enc_key, tag, sealed->substr(kSivTagBytes));
  const std::string want = SivTag(mac_key, Gc2Header(key_id), packed);
  if (sodium_memcmp(want.data(), tag.data(), kSivTagBytes) != 0) {
    check.reason = v1::REASON_FORGED_CODE;
    check.detail = absl::StrCat("does not open under key \"", key_id, "\": altered or forged");
    return check;
  }
  std::optional<v1::CodeBody> body = UnpackCodeBody(packed);
  if (!body.has_value() || body->student_no().empty()) {
    check.reason = v1::REASON_FORGED_CODE;
    check.detail = "sealed body is not a collection code body";
    return check;
  }
  check.body = *body;
  return check;
}

// A code that opened: refused as expired when its key is retired or its
// validity has ended.
void Expiry(const v1::CodeKey& key, CodeCheck* check, int64_t now_ms) {
  if (key.retired()) {
    check->reason = v1::REASON_EXPIRED_CODE;
    check->detail = absl::StrCat("key \"", check->key_id, "\" has been retired; issue a new code");
  } else if (check->body->expires_at_ms() != 0 && now_ms > check->body->expires_at_ms()) {
    check->reason = v1::REASON_EXPIRED_CODE;
    check->detail = "the code's validity has ended; issue a new code";
  }
}

}  // namespace

v1::CodeKey NewCodeKey(const std::string& key_id, int64_t created_at_ms) {
  v1::CodeKey key;
  key.set_key_id(key_id);
  std::string secret(crypto_aead_xchacha20poly1305_ietf_KEYBYTES, '\0');
  crypto_aead_xchacha20poly1305_ietf_keygen(reinterpret_cast<unsigned char*>(secret.data()));
  key.set_secret(secret);
  key.set_created_at_ms(created_at_ms);
  return key;
}

std::string SealCode(const v1::CodeBody& body, const v1::CodeKey& key) {
  const std::optional<std::string> packed = PackCodeBody(body);
  if (!packed.has_value() || key.secret().size() != crypto_kdf_KEYBYTES) return "";
  const std::string key_id = absl::AsciiStrToUpper(key.key_id());
  const auto [mac_key, enc_key] = Subkeys(key.secret());
  const std::string header = Gc2Header(key.key_id());
  const std::string tag = SivTag(mac_key, header, *packed);
  return absl::StrCat(kCodeVersionTag, ".", key_id, ".", Base32(tag + StreamXor(enc_key, tag, *packed)));
}

std::string SealLegacyCode(const v1::CodeBody& body, const v1::CodeKey& key) {
  const std::string header = Header(key.key_id());
  const std::string plain = body.SerializeAsString();
  std::string sealed(kNonceBytes + plain.size() + kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  randombytes_buf(out, kNonceBytes);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out + kNonceBytes, &len, reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
      reinterpret_cast<const unsigned char*>(header.data()), header.size(), nullptr, out,
      reinterpret_cast<const unsigned char*>(key.secret().data()));
  sealed.resize(kNonceBytes + len);
  return absl::StrCat(header, ".", Base64Url(sealed));
}

bool LooksLikeGradcapCode(const std::string& payload) {
  std::vector<std::string> parts = absl::StrSplit(payload, absl::MaxSplits('.', 2));
  if (parts.size() != 3) return false;
  return (parts[0] == kLegacyCodeVersionTag && ValidKeyId(parts[1])) ||
         (parts[0] == kCodeVersionTag && ValidGc2KeyId(parts[1]));
}

CodeCheck CheckCode(const std::string& payload, const CodeKeyLookup& keys, int64_t now_ms) {
  CodeCheck check;
  if (payload.size() > kMaxCodePayloadBytes || !LooksLikeGradcapCode(payload)) {
    check.reason = v1::REASON_UNKNOWN_CODE;
    check.detail = payload.size() > kMaxCodePayloadBytes
                       ? absl::StrCat("payload of ", payload.size(), " bytes is too long to be a collection code")
                       : "not a gradcap collection code (no GC2 or GC1 tag)";
    return check;
  }
  std::vector<std::string> parts = absl::StrSplit(payload, absl::MaxSplits('.', 2));
  const bool gc2 = parts[0] == kCodeVersionTag;
  check.key_id = gc2 ? absl::AsciiStrToLower(parts[1]) : parts[1];
  std::optional<v1::CodeKey> key = keys(check.key_id);
  if (!key.has_value()) {
    check.reason = v1::REASON_FORGED_CODE;
    check.detail = absl::StrCat("sealed with key \"", check.key_id, "\", which this coordinator never issued");
    return check;
  }
  if (gc2) {
    if (key->secret().size() != crypto_kdf_KEYBYTES) {
      check.reason = v1::REASON_FORGED_CODE;
      check.detail = absl::StrCat("key \"", check.key_id, "\" is damaged");
      return check;
    }
    check = OpenGc2(check.key_id, parts[2], *key);
    if (check.body.has_value()) Expiry(*key, &check, now_ms);
    return check;
  }
  std::optional<std::string> sealed = FromBase64Url(parts[2]);
  if (!sealed.has_value() || sealed->size() < kNonceBytes + kTagBytes) {
    check.reason = v1::REASON_FORGED_CODE;
    check.detail = "sealed part is damaged or truncated";
    return check;
  }
  const std::string header = Header(check.key_id);
  std::string plain(sealed->size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(sealed->data());
  if (key->secret().size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES ||
      crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr, in + kNonceBytes,
          sealed->size() - kNonceBytes, reinterpret_cast<const unsigned char*>(header.data()), header.size(),
          in, reinterpret_cast<const unsigned char*>(key->secret().data())) != 0) {
    check.reason = v1::REASON_FORGED_CODE;
    check.detail = absl::StrCat("does not open under key \"", check.key_id, "\": altered or forged");
    return check;
  }
  plain.resize(len);
  v1::CodeBody body;
  if (!body.ParseFromString(plain) || body.student_no().empty()) {
    check.reason = v1::REASON_FORGED_CODE;
    check.detail = "sealed body is not a collection code body";
    return check;
  }
  check.body = body;
  Expiry(*key, &check, now_ms);
  return check;
}

std::string NotACollectionCodeReason(const std::string& payload) {
  auto starts = [&payload](const char* p) { return payload.rfind(p, 0) == 0; };
  if (starts("wxp://") || starts("https://wx.tenpay.com") || starts("https://qr.alipay.com") ||
      starts("HTTPS://QR.ALIPAY.COM") || starts("alipays://")) {
    return "a payment code (WeChat/Alipay), not a collection code";
  }
  if (payload.find("://") != std::string::npos && payload.find("://") < 12) {
    return "a web link, not a collection code";
  }
  if (payload.size() == 18 && payload[0] == '1' && payload.find_first_not_of("0123456789") == std::string::npos) {
    return "a payment barcode number, not a collection code";
  }
  return "";
}

}  // namespace gradcap
