#include "validator/result_store.h"

#include "absl/strings/str_cat.h"

namespace gradcap::validator {

absl::StatusOr<std::unique_ptr<ResultStore>> ResultStore::Open(const std::string& dir) {
  auto store = KvStore::Open(dir, {ColumnSpec{"results"}}, OpenMode::kReadWrite);
  if (!store.ok()) return store.status();
  return std::unique_ptr<ResultStore>(new ResultStore(std::move(*store)));
}

std::string ResultStore::Key(const std::string& sha256, const std::string& rule_set) {
  return absl::StrCat(sha256, rule_set);  // 32 raw digest bytes, then the version
}

absl::StatusOr<std::optional<v1::ValidationResult>> ResultStore::Find(const std::string& sha256,
                                                                      const std::string& rule_set) const {
  auto value = store_->Get(0, Key(sha256, rule_set));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  v1::ValidationResult result;
  if (!result.ParseFromString(**value)) {
    return absl::DataLossError("a stored validation result does not parse");
  }
  return result;
}

absl::Status ResultStore::Put(const v1::ValidationResult& result) {
  KvBatch batch = store_->NewBatch();
  batch.Put(0, Key(result.photo_sha256(), result.rule_set()), result.SerializeAsString());
  // Not synced: losing the newest results in a power cut only costs a recomputation.
  return store_->Write(batch, /*sync=*/false);
}

}  // namespace gradcap::validator
