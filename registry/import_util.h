// Helpers shared by the registrar's imports (registry_import.h).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/csv.h"
#include "common/event_log.h"

namespace gradcap::import_internal {

// "<file> line N, column <header> (K): <why>".
absl::Status RowError(const CsvTable& t, const CsvRow& row, int column, const std::string& why);

// Stages an AdminRecord describing the import of `path` and commits it with
// everything already in the log's staged batch: all or nothing.
absl::Status CommitWithRecord(EventLog& log, const std::string& action, const std::string& path, uint64_t rows,
                              const std::string& detail);

}  // namespace gradcap::import_internal
