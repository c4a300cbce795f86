// The registrar's imports into the coordinator database. Each reads a whole
// CSV (UTF-8 or GB18030, English or Chinese headers), checks every row, and
// either writes everything — in ONE synced batch, together with an
// AdminRecord in the hash-chained log — or nothing, with an error naming the
// file, line, column and reason. Run them while the coordinator is stopped
// (it holds the database lock while running).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/event_log.h"

namespace gradcap {

struct ImportSummary {
  std::string encoding;
  uint64_t rows = 0;
  std::string detail;  // one line for the registrar
};

// Adds or updates students by student number (学号).
absl::StatusOr<ImportSummary> ImportRoster(EventLog& log, const std::string& path);

// Adds payments by transaction id (the same transaction twice counts once)
// and recomputes each student's total. `amount_due_fen`, when set, becomes
// the amount a student must have paid.
absl::StatusOr<ImportSummary> ImportPayments(EventLog& log, const std::string& path,
                                             std::optional<int64_t> amount_due_fen);

// Replaces the schedule. Times are ISO 8601 local times in `timezone` (an
// explicit offset such as +08:00 in the file wins).
absl::StatusOr<ImportSummary> ImportSchedule(EventLog& log, const std::string& path, const std::string& timezone);

// Maps externally issued (学信网) codes to students.
absl::StatusOr<ImportSummary> ImportExternalCodes(EventLog& log, const std::string& path);

// Code-sealing keys: the first key; a new current key (older ones keep
// verifying); retiring a key (its codes stop verifying). Return the key id.
absl::StatusOr<std::string> InitCodeKeys(EventLog& log, int64_t now_ms);
absl::StatusOr<std::string> RotateCodeKey(EventLog& log, int64_t now_ms);
absl::Status RetireCodeKey(EventLog& log, const std::string& key_id);

// Parses an amount of money ("15", "15.5", "15.00", "15元") into fen.
std::optional<int64_t> ParseFen(const std::string& text);
// True for an 18-character resident ID whose check character is right;
// false for an 18-character one whose check character is wrong. Other
// formats (passports) are not judged: nullopt.
std::optional<bool> ResidentIdCheckDigitOk(const std::string& id_no);

}  // namespace gradcap
