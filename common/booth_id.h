// The one rule for a booth id (and for the other enrolled names that share
// its uses — file names in the keys folder, outbox and hot-folder names, the
// schedule, every event): 1–64 bytes of UTF-8 with no whitespace or control
// characters, no '/', and not starting with '.'.
#pragma once

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace gradcap {

inline constexpr size_t kMaxBoothIdBytes = 64;

// OK, or InvalidArgument saying what is wrong with `id` (not quoting it
// when it holds control bytes).
absl::Status CheckBoothId(std::string_view id);

}  // namespace gradcap
