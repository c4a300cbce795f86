// Registrar spreadsheets saved as CSV: UTF-8 (with or without BOM) or
// GB18030/GBK (Excel's default on Chinese Windows), comma- or tab-separated,
// RFC 4180 quoting (quotes doubled inside quoted fields, line breaks allowed
// inside them). Errors name the file, line and what is wrong.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gradcap {

struct CsvRow {
  int line = 0;  // 1-based line where the row starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::string name;      // for messages (usually the file name)
  std::string encoding;  // "UTF-8", "UTF-8 (BOM)" or "GB18030"
  char delimiter = ',';
  std::vector<std::string> header;  // trimmed
  std::vector<CsvRow> rows;         // blank lines skipped; fields trimmed
};

// Parses `bytes` (a whole file). InvalidArgument for an empty file, an
// encoding that is neither UTF-8 nor GB18030, an unterminated quote, or a row
// whose field count differs from the header's.
absl::StatusOr<CsvTable> ParseCsv(const std::string& bytes, const std::string& name);
absl::StatusOr<CsvTable> ReadCsvFile(const std::string& path);

// Finds columns by any of their accepted names (English, case-insensitive,
// or Chinese). `columns` maps a canonical name to its accepted names; those
// in `optional` may be missing. Returns canonical name → column index.
absl::StatusOr<std::map<std::string, int>> MapColumns(
    const CsvTable& table, const std::vector<std::pair<std::string, std::vector<std::string>>>& columns,
    const std::vector<std::string>& optional = {});

bool IsValidUtf8(const std::string& s);

// One CSV line (RFC 4180: a field with a comma, quote or line break is
// quoted, quotes doubled), ending in CRLF as Excel writes it.
std::string CsvLine(const std::vector<std::string>& fields);
// Starts a UTF-8 CSV file Excel on Chinese Windows opens right (with a BOM).
inline constexpr char kCsvUtf8Bom[] = "\xEF\xBB\xBF";

}  // namespace gradcap
