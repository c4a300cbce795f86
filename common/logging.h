// Minimal process logging to stderr (Abseil 20220623 has no absl/log).
// One line per call: "<ISO time> <LEVEL> <component>: <message>".
#pragma once

#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace gradcap {

enum class LogLevel { kInfo, kWarning, kError };

// Debian's Abseil has its own absl::string_view (not std::string_view), which
// StrCat cannot take directly; this bridges the two.
inline absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

namespace logging_internal {
template <typename T>
decltype(auto) Arg(const T& v) {
  if constexpr (std::is_convertible_v<const T&, std::string_view> &&
                !std::is_convertible_v<const T&, absl::string_view>) {
    return Sv(v);
  } else {
    return (v);
  }
}
}  // namespace logging_internal

void LogLine(LogLevel level, std::string_view component, std::string_view message);

template <typename... Args>
void LogInfo(std::string_view component, const Args&... args) {
  LogLine(LogLevel::kInfo, component, absl::StrCat(logging_internal::Arg(args)...));
}
template <typename... Args>
void LogWarning(std::string_view component, const Args&... args) {
  LogLine(LogLevel::kWarning, component, absl::StrCat(logging_internal::Arg(args)...));
}
template <typename... Args>
void LogError(std::string_view component, const Args&... args) {
  LogLine(LogLevel::kError, component, absl::StrCat(logging_internal::Arg(args)...));
}

}  // namespace gradcap
