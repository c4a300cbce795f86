#include "registry/import_util.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"

namespace gradcap::import_internal {

absl::Status RowError(const CsvTable& t, const CsvRow& row, int column, const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat(t.name, " line ", row.line, ", column ", t.header[column], " (", column + 1, "): ", why));
}

absl::Status CommitWithRecord(EventLog& log, const std::string& action, const std::string& path, uint64_t rows,
                              const std::string& detail) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  v1::AdminRecord record;
  record.set_action(action);
  record.set_source(std::filesystem::path(path).filename().string());
  record.set_source_sha256(DigestBytes(Sha256(bytes.str())));
  record.set_rows(rows);
  record.set_detail(detail);
  log.StageAdmin(record);
  return log.Commit();
}

}  // namespace gradcap::import_internal
