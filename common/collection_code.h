// Collection codes (采集码): the opaque text inside the QR a student shows.
//
//   GC2.<KEY ID>.<base32(tag ‖ ciphertext)>          issued now (≈100 characters)
//   GC1.<key id>.<base64url(nonce ‖ ciphertext)>     issued before (≈127), still read
//
// The body (CodeBody: student, college, cohort, issue and expiry time) is
// sealed under the named key; the version tag and key id are bound in, so
// changing any byte of the payload makes it fail to open. Whoever scans the
// code learns nothing but the key id.
//
// GC2 fits a QR code's alphanumeric mode (upper case, digits, '.', '-'): the
// body packed into ~40 bytes (common/code_packing.h), sealed SIV-style — a
// 128-bit tag, keyed BLAKE2b over the header and the packed body, is also the
// nonce of an XChaCha20 stream that encrypts it (two subkeys derived from the
// code key). No separate nonce, so a version-5 QR code instead of version 7–8
// at level M: modules a third larger on the same screen. Same strength as
// GC1: a forgery must guess a 128-bit tag (each guess a scan, logged);
// confidentiality holds while tags of different bodies do not collide
// (2^-64 after 2^32 codes under one key); equal bodies give equal codes,
// which a fresh issue time makes never happen. Times are whole seconds.
// Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

inline constexpr char kCodeVersionTag[] = "GC2";
inline constexpr char kLegacyCodeVersionTag[] = "GC1";
inline constexpr size_t kMaxCodePayloadBytes = 512;

// A new random 32-byte sealing key with the given id.
v1::CodeKey NewCodeKey(const std::string& key_id, int64_t created_at_ms);

// The GC2 payload for `body` sealed under `key`. Empty when a field of the
// body is longer than 127 bytes or it expires before it is issued.
std::string SealCode(const v1::CodeBody& body, const v1::CodeKey& key);
// The GC1 payload (random nonce), as codes were issued before GC2: for tests
// and tools that must make one.
std::string SealLegacyCode(const v1::CodeBody& body, const v1::CodeKey& key);

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

// Opens and checks a GC2 or GC1 `payload` at time `now_ms`. Never fails on bad input: a
// garbage, truncated or foreign payload is a reason, not an error.
CodeCheck CheckCode(const std::string& payload, const CodeKeyLookup& keys, int64_t now_ms);

// A QR that is obviously not a collection code (a web link, a WeChat or
// Alipay payment code, a payment barcode number): what it is, or empty when
// it may be one (booths do not send those).
std::string NotACollectionCodeReason(const std::string& payload);

// True when `payload` has the form of a gradcap code (GC2 or GC1 tag and key id).
bool LooksLikeGradcapCode(const std::string& payload);

}  // namespace gradcap
