#include "common/code_packing.h"

#include <cstdint>

namespace gradcap {
namespace {

constexpr int64_t kEpochS = 1704067200;  // 2024-01-01T00:00:00Z
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

std::optional<uint64_t> GetVarint(const std::string& in, size_t* pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && *pos < in.size(); shift += 7) {
    const uint8_t b = static_cast<uint8_t>(in[(*pos)++]);
    if (shift == 63 && b > 1) return std::nullopt;
    v |= uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) return v;
  }
  return std::nullopt;
}

bool PutString(const std::string& s, std::string* out) {
  const bool digits = !s.empty() && s.size() <= 19 && s.find_first_not_of("0123456789") == std::string::npos;
  if (digits) {
    out->push_back(static_cast<char>(0x80 | s.size()));
    PutVarint(std::stoull(s), out);
    return true;
  }
  if (s.size() >= 0x80) return false;
  out->push_back(static_cast<char>(s.size()));
  out->append(s);
  return true;
}

std::optional<std::string> GetString(const std::string& in, size_t* pos) {
  if (*pos >= in.size()) return std::nullopt;
  const uint8_t l = static_cast<uint8_t>(in[(*pos)++]);
  if (l & 0x80) {
    const size_t n = l & 0x7f;
    const std::optional<uint64_t> v = GetVarint(in, pos);
    if (n == 0 || n > 19 || !v) return std::nullopt;
    std::string s = std::to_string(*v);
    if (s.size() > n) return std::nullopt;
    return std::string(n - s.size(), '0') + s;
  }
  if (in.size() - *pos < l) return std::nullopt;
  std::string s = in.substr(*pos, l);
  *pos += l;
  return s;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::optional<std::string> PackCodeBody(const v1::CodeBody& body) {
  std::string out;
  const bool expires = body.expires_at_ms() != 0;
  out.push_back(expires ? 1 : 0);
  if (!PutString(body.student_no(), &out) || !PutString(body.college(), &out) || !PutString(body.cohort(), &out)) {
    return std::nullopt;
  }
  const int64_t issued_s = FloorDiv(body.issued_at_ms(), 1000);
  const int64_t rel = issued_s - kEpochS;
  PutVarint((static_cast<uint64_t>(rel) << 1) ^ static_cast<uint64_t>(rel >> 63), &out);  // zigzag
  if (expires) {
    const int64_t expires_s = FloorDiv(body.expires_at_ms(), 1000);
    if (expires_s < issued_s) return std::nullopt;  // expired before it was issued: not a code to print
    PutVarint(static_cast<uint64_t>(expires_s - issued_s), &out);
  }
  return out;
}

std::optional<v1::CodeBody> UnpackCodeBody(const std::string& packed) {
  size_t pos = 0;
  if (packed.empty() || (static_cast<uint8_t>(packed[0]) & ~1u) != 0) return std::nullopt;
  const bool expires = packed[pos++] & 1;
  v1::CodeBody body;
  for (std::string* field : {body.mutable_student_no(), body.mutable_college(), body.mutable_cohort()}) {
    std::optional<std::string> s = GetString(packed, &pos);
    if (!s) return std::nullopt;
    *field = *s;
  }
  const std::optional<uint64_t> z = GetVarint(packed, &pos);
  if (!z) return std::nullopt;
  const int64_t rel = static_cast<int64_t>(*z >> 1) ^ -static_cast<int64_t>(*z & 1);
  const int64_t issued_s = rel + kEpochS;
  body.set_issued_at_ms(issued_s * 1000);
  if (expires) {
    const std::optional<uint64_t> d = GetVarint(packed, &pos);
    if (!d || *d > (uint64_t{1} << 40)) return std::nullopt;
    body.set_expires_at_ms((issued_s + static_cast<int64_t>(*d)) * 1000);
  }
  if (pos != packed.size()) return std::nullopt;
  return body;
}

std::string Base32(const std::string& bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::optional<std::string> FromBase32(const std::string& text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= '2' && c <= '7') v = c - '2' + 26;
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  // What is left must be padding: fewer than 5 bits, all zero.
  if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace gradcap
