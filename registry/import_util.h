// Helpers shared by the registrar's imports (registry_import.h).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/csv.h"
#include "registry/registry_import.h"

namespace gradcap::import_internal {

// "<file> line N, column <header> (K): <why>".
absl::Status RowError(const CsvTable& t, const CsvRow& row, int column, const std::string& why);

// Fills the change's AdminRecord for an import of `source`: the action, the
// file's name and SHA-256, and the summary's rows and detail.
void DescribeImport(RegistryChange* change, const std::string& action, const ImportSource& source);

}  // namespace gradcap::import_internal
