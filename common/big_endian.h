// Big-endian integer keys: byte order equals numeric order, so RocksDB
// iterates log records and outbox entries in sequence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gradcap {

inline void AppendBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

inline std::string BigEndian64(uint64_t v) {
  std::string s;
  s.reserve(8);
  AppendBigEndian64(&s, v);
  return s;
}

// Reads 8 bytes at `pos`; nullopt when `bytes` is too short.
inline std::optional<uint64_t> ReadBigEndian64(std::string_view bytes, size_t pos = 0) {
  if (bytes.size() < pos + 8) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[pos + i]);
  return v;
}

}  // namespace gradcap
