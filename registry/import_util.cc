#include "registry/import_util.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"

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

}  // namespace gradcap::import_internal
