#include "common/booth_id.h"

#include "absl/strings/str_cat.h"
#include "common/csv.h"

namespace gradcap {

absl::Status CheckBoothId(std::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("a booth id cannot be empty");
  if (id.size() > kMaxBoothIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a booth id of ", id.size(), " bytes is longer than ",
                                                   kMaxBoothIdBytes));
  }
  for (unsigned char c : id) {
    if (c < 0x21 || c == 0x7f) {
      return absl::InvalidArgumentError("a booth id cannot hold spaces, tabs or control characters");
    }
  }
  if (!IsValidUtf8(std::string(id))) return absl::InvalidArgumentError("a booth id must be UTF-8 text");
  if (id.find('/') != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("booth id \"", std::string(id), "\" contains '/'"));
  }
  if (id.front() == '.') {
    return absl::InvalidArgumentError(absl::StrCat("booth id \"", std::string(id), "\" starts with '.'"));
  }
  return absl::OkStatus();
}

}  // namespace gradcap
