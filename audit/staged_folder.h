// A folder written whole or not at all (export, reports): files go into a
// temporary folder beside the target, and Commit() renames it to the target
// in one step — refused, never merged, if the target exists by then. Without
// Commit() the temporary folder is removed. Nothing is ever overwritten.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace gradcap {

class StagedFolder {
 public:
  // FailedPrecondition when `target` exists already (saying whether it holds
  // files); NotFound when its parent folder does not.
  static absl::StatusOr<std::unique_ptr<StagedFolder>> Create(const std::string& target);
  ~StagedFolder();
  StagedFolder(const StagedFolder&) = delete;
  StagedFolder& operator=(const StagedFolder&) = delete;

  // Writes `bytes` to `relative` (subfolders made as needed).
  absl::Status Write(const std::string& relative, const std::string& bytes);
  absl::Status Commit();
  const std::string& target() const { return target_; }

 private:
  StagedFolder(std::string target, std::string staging)
      : target_(std::move(target)), staging_(std::move(staging)) {}
  std::string target_, staging_;
  bool committed_ = false;
};

// A name safe as one path component: '/', control characters and a leading
// '.' become '_'.
std::string SafeFileName(const std::string& name);

}  // namespace gradcap
