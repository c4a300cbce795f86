// Collection codes (采集码): the opaque text inside the QR a student shows.
//
//   GC1.<key id>.<base64url(nonce ‖ ciphertext)>
//
// The body (CodeBody: student, college, cohort, issue and expiry time) is
// sealed with XChaCha20-Poly1305 (libsodium) under the named key; the
// version tag and key id are bound in as associated data, so changing any
// byte of the payload makes it fail to open. Whoever scans the code learns
// nothing but the key id. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

inline constexpr char kCodeVersionTag[] = "GC1";
inline constexpr size_t kMaxCodePayloadBytes = 512;

// A new random 32-byte sealing key with the given id.
v1::CodeKey NewCodeKey(const std::string& key_id, int64_t created_at_ms);

// The payload for `body` sealed under `key` (random nonce).
std::string SealCode(const v1::CodeBody& body, const v1::CodeKey& key);

// A code that does not verify is REASON_UNKNOWN_CODE (not a gradcap code at
// all), REASON_FORGED_CODE (ours in form, but fails the seal) or
// REASON_EXPIRED_CODE (past its expiry, or its key retired).
struct CodeCheck {
  v1::Reason reason = v1::REASON_NONE;  // NONE when the code is valid
  std::string detail;  // what is wrong, for operators and administrators
  std::string key_id;
  std::optional<v1::CodeBody> body;  // set once the seal opened (even if expired)
};

// Looks up a key by id; nullopt when there is no such key.
using CodeKeyLookup = std::function<std::optional<v1::CodeKey>(const std::string& key_id)>;

// Opens and checks `payload` at time `now_ms`. Never fails on bad input: a
// garbage, truncated or foreign payload is a reason, not an error.
CodeCheck CheckCode(const std::string& payload, const CodeKeyLookup& keys, int64_t now_ms);

// A QR that is obviously not a collection code (a web link, a WeChat or
// Alipay payment code, a payment barcode number): what it is, or empty when
// it may be one (booths do not send those).
std::string NotACollectionCodeReason(const std::string& payload);

// True when `payload` has the form of a gradcap code (tag and key id).
bool LooksLikeGradcapCode(const std::string& payload);

}  // namespace gradcap
