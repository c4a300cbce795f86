// The registrar's changes to the coordinator database: imports of a whole
// CSV (UTF-8 or GB18030, English or Chinese headers) and code-key changes.
//
// Each is PLANNED against the store first — every row checked, nothing
// written — into a RegistryChange: the writes plus the AdminRecord that
// logs them. Whoever holds the database then applies the change in ONE
// synced batch with that record: the running coordinator (admin socket) or,
// when no coordinator runs, the offline tool (CommitChange). A bad file is
// refused whole with an error naming the file, line, column and reason.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/event_log.h"
#include "common/kv_store.h"

namespace gradcap {

struct ImportSummary {
  std::string encoding;
  uint64_t rows = 0;
  std::string detail;  // one line for the registrar
};

// A file handed to an import: the name it is known by (in messages), its
// bytes, and the folder its relative paths (enrolment photos) start from.
struct ImportSource {
  std::string name;
  std::string bytes;
  std::string base_dir;
};
absl::StatusOr<ImportSource> ReadImportSource(const std::string& path);

// What a planned change writes, and the AdminRecord that logs it.
class RegistryChange {
 public:
  void Put(int column, std::string key, std::string value);
  void Delete(int column, std::string key);
  // Adds every write to `batch` (which must commit with `record`).
  void AddTo(KvBatch& batch) const;
  size_t size() const { return writes_.size(); }

  v1::AdminRecord record;
  ImportSummary summary;
  std::string made_checkpoint_key;  // keys init: the id of the checkpoint key it makes

 private:
  struct Write {
    int column;
    std::string key;
    std::optional<std::string> value;  // nullopt: delete
  };
  std::vector<Write> writes_;
};

absl::StatusOr<RegistryChange> PlanRosterImport(const KvStore& store, const ImportSource& source);
absl::StatusOr<RegistryChange> PlanPaymentsImport(const KvStore& store, const ImportSource& source,
                                                  std::optional<int64_t> amount_due_fen);
absl::StatusOr<RegistryChange> PlanScheduleImport(const KvStore& store, const ImportSource& source,
                                                  const std::string& timezone);
absl::StatusOr<RegistryChange> PlanExternalCodesImport(const KvStore& store, const ImportSource& source);
absl::StatusOr<RegistryChange> PlanKeysInit(const KvStore& store, int64_t now_ms);
absl::StatusOr<RegistryChange> PlanKeysRotate(const KvStore& store, int64_t now_ms);
absl::StatusOr<RegistryChange> PlanKeysRetire(const KvStore& store, const std::string& key_id);
// A coordinator starting as a shard (common/shard_map.h): records which
// colleges it owns. Nothing to do (nullopt) when the database already holds
// this assignment; refused when the database is another shard's, or the
// colleges moved after booths were heard (`booths_heard` > 0): a college's
// day stays in one log.
absl::StatusOr<std::optional<RegistryChange>> PlanShardAssignment(const KvStore& store,
                                                                  const v1::ShardAssignment& assignment,
                                                                  const std::string& map_source, size_t booths_heard);

// Offline: stages the change and its record (naming `actor`) and commits
// them in one synced batch. `staged` (optional) receives the record.
absl::Status CommitChange(EventLog& log, RegistryChange change, const std::string& actor,
                          v1::LogRecord* staged = nullptr);

// Offline conveniences (read the file, plan, commit), as the tests and the
// drill set-up use them. The key id is returned by the key changes.

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

// Code-sealing keys: the first key (with the Ed25519 pair that signs
// checkpoints of the log; on a database that has code keys but no checkpoint
// key, only that pair); a new current key (older ones keep verifying);
// retiring a key (its codes stop verifying). Return the code key id.
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
