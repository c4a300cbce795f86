// Test helper: UTF-8 text as GB18030 bytes, as Excel on Chinese Windows
// saves a CSV (through glibc's iconv).
#pragma once

#include <iconv.h>

#include <string>

namespace gradcap {

inline std::string ToGb18030(const std::string& utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  std::string out(utf8.size() * 2 + 8, '\0');
  char* src = const_cast<char*>(utf8.data());
  size_t src_left = utf8.size(), dst_left = out.size();
  char* dst = out.data();
  iconv(cd, &src, &src_left, &dst, &dst_left);
  iconv_close(cd);
  out.resize(out.size() - dst_left);
  return out;
}

}  // namespace gradcap
