// The compact forms inside a GC2 collection code (common/collection_code.h):
// a CodeBody packed into a few bytes, and base32 text that a QR code holds in
// alphanumeric mode (5.5 bits a character instead of 8 in byte mode).
//
// Packed body, in order:
//   flags        1 byte: bit 0 = has an expiry; other bits zero
//   student_no   packed string
//   college      packed string
//   cohort       packed string
//   issued       zigzag varint: seconds since 2024-01-01T00:00:00Z
//   expiry       varint: seconds after issued (only with bit 0)
// A packed string is one byte L then the text: L < 0x80 is a UTF-8 string
// of L bytes; L = 0x80 | n is n decimal digits (1–19, leading zeros kept)
// stored as one varint.
// Times are whole seconds: PackCodeBody rounds issued_at_ms and
// expires_at_ms down (a code never becomes valid for longer).
// Stateless and thread-safe.
#pragma once

#include <optional>
#include <string>

#include "proto/gradcap.pb.h"

namespace gradcap {

// Nullopt when a string field is longer than 127 bytes (no roster has those).
std::optional<std::string> PackCodeBody(const v1::CodeBody& body);
// Nullopt for anything that is not exactly one packed body (trailing bytes,
// a string running past the end, a varint over 64 bits, unknown flags).
std::optional<v1::CodeBody> UnpackCodeBody(const std::string& packed);

// RFC 4648 base32 (A–Z, 2–7) without padding.
std::string Base32(const std::string& bytes);
// Nullopt for a character outside the alphabet, an impossible length or
// non-zero bits after the last byte (so each byte string has one text).
std::optional<std::string> FromBase32(const std::string& text);

}  // namespace gradcap
