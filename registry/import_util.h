// Helpers shared by the registrar's imports (registry_import.h).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/csv.h"
#include "common/kv_store.h"
#include "registry/registry_import.h"

namespace gradcap::import_internal {

// "<file> line N, column <header> (K): <why>".
absl::Status RowError(const CsvTable& t, const CsvRow& row, int column, const std::string& why);

// Fills the change's AdminRecord for an import of `source`: the action, the
// file's name and SHA-256, and the summary's rows and detail.
void DescribeImport(RegistryChange* change, const std::string& action, const ImportSource& source);

// On a sharded database (common/shard_map.h) the registrar may import the
// whole university's file on every shard: rows of colleges another shard
// owns are left to it and counted; a college in no shard is an error.
class ShardRows {
 public:
  static absl::StatusOr<ShardRows> Of(const KvStore& store);
  // True when the row's `college` is another shard's (counted); an error
  // naming the row when the college is in no shard of the map.
  absl::StatusOr<bool> Skip(const CsvTable& t, const CsvRow& row, int column, const std::string& college);
  // Counts a row whose student is not in this shard's roster (payments:
  // the file names no college); true when the database is sharded.
  bool SkipUnknownStudent(const std::string& student_no);
  uint64_t skipped() const { return skipped_; }
  // "; 12 rows of other shards' colleges left to them (机械工程学院 → shard 1)", or "".
  std::string Summary() const;

 private:
  std::optional<v1::ShardAssignment> assignment_;
  std::map<std::string, std::pair<uint32_t, uint64_t>> by_college_;  // college → (shard, rows)
  std::vector<std::string> unknown_students_;
  uint64_t skipped_ = 0;
};

}  // namespace gradcap::import_internal
