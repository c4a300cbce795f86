#include "audit/staged_folder.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace gradcap {

namespace fs = std::filesystem;

absl::StatusOr<std::unique_ptr<StagedFolder>> StagedFolder::Create(const std::string& target) {
  if (target.empty()) return absl::InvalidArgumentError("--out DIR is required");
  const fs::path path = fs::absolute(fs::path(target)).lexically_normal();
  std::error_code ec;
  if (fs::exists(path, ec)) {
    const bool empty = fs::is_directory(path, ec) && fs::is_empty(path, ec);
    return absl::FailedPreconditionError(
        absl::StrCat(target, " already exists", empty ? "" : " and holds files",
                     ": nothing is ever written over an earlier export or report; give a new folder"));
  }
  const fs::path parent = path.parent_path();
  if (!fs::is_directory(parent, ec)) {
    return absl::NotFoundError(
        absl::StrCat("the folder ", parent.string(), " (where ", target, " would go) does not exist"));
  }
  std::string pattern = (parent / absl::StrCat(".", path.filename().string(), ".partial-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot make a folder in ", parent.string(), ": ", std::strerror(errno)));
  }
  return std::unique_ptr<StagedFolder>(new StagedFolder(path.string(), pattern));
}

StagedFolder::~StagedFolder() {
  if (committed_) return;
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

absl::Status StagedFolder::Write(const std::string& relative, const std::string& bytes) {
  const fs::path path = fs::path(staging_) / relative;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec)
    return absl::UnavailableError(
        absl::StrCat("cannot make ", path.parent_path().string(), ": ", ec.message()));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", path.string(), " (disk full?)"));
  return absl::OkStatus();
}

absl::Status StagedFolder::Commit() {
  if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) != 0) {
    const int err = errno;
    return err == EEXIST ? absl::FailedPreconditionError(absl::StrCat(
                               target_, " appeared while it was being written; nothing was written over it"))
                         : absl::UnavailableError(absl::StrCat("cannot rename ", staging_, " to ", target_,
                                                               ": ", std::strerror(err)));
  }
  committed_ = true;
  return absl::OkStatus();
}

std::string SafeFileName(const std::string& name) {
  std::string out = name.empty() ? std::string("_") : name;
  for (char& c : out) {
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  if (out[0] == '.') out[0] = '_';
  return out;
}

}  // namespace gradcap
