// Small whole-file helpers with every step checked.
#pragma once

#include <string>
#include <sys/types.h>

#include "absl/status/statusor.h"

namespace gradcap {

// Writes `bytes` to PATH.tmp (mode `mode`), then renames it over `path`:
// readers see the old file or the whole new one, never a part.
absl::Status WriteFileAtomically(const std::string& path, const std::string& bytes, mode_t mode = 0644);

// The whole file; NotFound when it cannot be opened.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace gradcap
