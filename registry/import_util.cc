#include "registry/import_util.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "registry/registry.h"

namespace gradcap::import_internal {

absl::Status RowError(const CsvTable& t, const CsvRow& row, int column, const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat(t.name, " line ", row.line, ", column ", t.header[column], " (", column + 1, "): ", why));
}

void DescribeImport(RegistryChange* change, const std::string& action, const ImportSource& source) {
  v1::AdminRecord& record = change->record;
  record.set_action(action);
  record.set_source(std::filesystem::path(source.name).filename().string());
  record.set_source_sha256(DigestBytes(Sha256(source.bytes)));
  record.set_rows(change->summary.rows);
  record.set_detail(change->summary.detail);
}

absl::StatusOr<ShardRows> ShardRows::Of(const KvStore& store) {
  ShardRows rows;
  GRADCAP_ASSIGN_OR_RETURN(rows.assignment_, LoadShardAssignment(store));
  return rows;
}

absl::StatusOr<bool> ShardRows::Skip(const CsvTable& t, const CsvRow& row, int column, const std::string& college) {
  if (!assignment_.has_value()) return false;
  auto it = assignment_->college_shard().find(college);
  if (it == assignment_->college_shard().end()) {
    return RowError(t, row, column,
                    absl::StrCat("college \"", college, "\" is in no shard of the shard map ", assignment_->map(),
                                 " (add it to the map, or fix the name)"));
  }
  if (it->second == assignment_->shard()) return false;
  auto& [shard, n] = by_college_[college];
  shard = it->second;
  ++n;
  ++skipped_;
  return true;
}

bool ShardRows::SkipUnknownStudent(const std::string& student_no) {
  if (!assignment_.has_value()) return false;
  if (unknown_students_.size() < 3) unknown_students_.push_back(student_no);
  ++skipped_;
  return true;
}

std::string ShardRows::Summary() const {
  if (skipped_ == 0) return "";
  std::vector<std::string> parts;
  for (const auto& [college, shard_rows] : by_college_) {
    parts.push_back(absl::StrCat(college, " → shard ", shard_rows.first, ": ", shard_rows.second));
  }
  if (!unknown_students_.empty()) {
    parts.push_back(absl::StrCat("students not in this shard's roster, e.g. ", absl::StrJoin(unknown_students_, ", ")));
  }
  return absl::StrCat("; ", skipped_, " rows left to other shards (shard ", assignment_->shard(), " of map ",
                      assignment_->map(), ": ", absl::StrJoin(parts, "; "), ")");
}

}  // namespace gradcap::import_internal
