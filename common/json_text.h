// A string as a JSON string literal (quotes, backslashes and control
// characters escaped; UTF-8 passes through), for the CLIs' hand-built JSON
// lines.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace gradcap {

inline std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace gradcap
