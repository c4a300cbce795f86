#include "common/masking.h"

namespace gradcap {

std::vector<std::string> Utf8Chars(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
    if (i + len > s.size()) len = s.size() - i;
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

std::string MaskName(const std::string& name) {
  std::vector<std::string> chars = Utf8Chars(name);
  if (chars.empty()) return "";
  if (chars.size() == 1) return "*";
  if (chars.size() == 2) return chars.front() + "*";
  return chars.front() + "**" + chars.back();
}

std::string MaskIdNo(const std::string& id_no) {
  std::vector<std::string> chars = Utf8Chars(id_no);
  std::string tail;
  for (size_t i = chars.size() > 4 ? chars.size() - 4 : 0; i < chars.size(); ++i) tail += chars[i];
  return "****" + tail;
}

}  // namespace gradcap
