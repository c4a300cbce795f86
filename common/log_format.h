// On-disk layout of the coordinator's database (DESIGN.md, "The event log").
// Shared by the coordinator, which writes it, and `gradcap audit`, which
// checks it. Keys holding numbers are big-endian so iteration is in order.
//
// A record value is the 32-byte SHA-256 of the body followed by the body, a
// serialized LogRecord whose prev_hash is the previous record's body hash.
// The stored hash lets the audit name the very record whose bytes changed;
// the prev_hash links make any removal or reordering visible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/kv_store.h"
#include "common/sha256.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

// Column families, in the order given to KvStore::Open.
enum LogColumn : int {
  kEventsColumn = 0,  // be64 log_seq → record value
  kBoothsColumn,      // booth id → BoothProgress
  kEventIndexColumn,  // booth '\0' be64 epoch be64 seq → be64 log_seq
  kPhotosColumn,      // SHA-256 (32 raw bytes) → original JPEG bytes (blob files)
  kMetaColumn,        // "chain_head" → ChainHead; "log_format"; "amount_due_fen", "current_code_key",
                      // "checkpoint_key"
  // Reference data the registrar imports (see registry.h).
  kStudentsColumn,       // student_no → Student
  kPaymentsColumn,       // txn_id → Payment
  kPaidColumn,           // student_no → be64 total paid in fen
  kScheduleColumn,       // booth '\0' be64 start_ms → ScheduleSlot
  kExternalCodesColumn,  // code text (学信网 codes) → student_no
  kCodeKeysColumn,       // key id → CodeKey
};

const std::vector<ColumnSpec>& LogColumns();

// Whether `dir` holds a gradcap coordinator database of this version, said
// before opening it: FailedPrecondition naming the column families it lacks
// or has beyond ours, NotFound when it is no database at all.
absl::Status CheckLogColumns(const std::string& dir);

// FailedPrecondition unless `stored` (the meta "log_format" value, nullopt
// when absent) names kLogFormatVersion.
absl::Status CheckLogFormat(const std::string& dir, const std::optional<std::string>& stored);

inline constexpr char kChainHeadKey[] = "chain_head";
// Column meta, key "log_format": the version of this layout, written with the
// first commit of a new database. Databases made before the key existed hold
// version 1 and have no key.
inline constexpr char kLogFormatKey[] = "log_format";
inline constexpr int kLogFormatVersion = 1;
// Column meta, key "checkpoint_key": the CheckpointKey that signs checkpoints.
inline constexpr char kCheckpointKeyKey[] = "checkpoint_key";

std::string EventIndexKey(const v1::EventId& id);

// Body hash and stored value of a record.
struct SealedRecord {
  Digest hash;
  std::string value;
};
SealedRecord SealRecord(const v1::LogRecord& record);

struct OpenedRecord {
  v1::LogRecord record;
  Digest hash;
};
// Checks the stored hash against the body and parses it. DataLoss, naming
// `log_seq`, when the value is truncated, altered or does not parse.
absl::StatusOr<OpenedRecord> OpenRecord(uint64_t log_seq, std::string_view value);
// The same into `record` (which may live on an arena); returns the body hash.
absl::StatusOr<Digest> OpenRecordInto(uint64_t log_seq, std::string_view value, v1::LogRecord* record);

}  // namespace gradcap
