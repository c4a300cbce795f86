// A worker's own results, in RocksDB, keyed by photo SHA-256 and rule-set
// version: a job re-issued to this worker (its first reply was lost, or the
// coordinator restarted) is answered without recomputation.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/kv_store.h"
#include "proto/gradcap.pb.h"

namespace gradcap::validator {

class ResultStore {
 public:
  static absl::StatusOr<std::unique_ptr<ResultStore>> Open(const std::string& dir);
  absl::StatusOr<std::optional<v1::ValidationResult>> Find(const std::string& sha256,
                                                           const std::string& rule_set) const;
  absl::Status Put(const v1::ValidationResult& result);

 private:
  explicit ResultStore(std::unique_ptr<KvStore> store) : store_(std::move(store)) {}
  static std::string Key(const std::string& sha256, const std::string& rule_set);
  std::unique_ptr<KvStore> store_;
};

}  // namespace gradcap::validator
