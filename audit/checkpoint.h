// Signed checkpoints of the event log. A checkpoint says "record log_seq was
// the head of the log, and its body hashes to head_hash", signed with the
// database's Ed25519 checkpoint key (`gradcap keys init`). The coordinator
// records one in the chained log at every college close and when the
// registrar ends the day (coordinator/admin_service.h); `gradcap audit
// checkpoint export` writes one as a small text file for the college, and
// `gradcap audit verify --checkpoint FILE --public_key FILE` proves the log
// unchanged up to it. Since every record's body holds the previous record's
// hash, a matching head hash covers every record before it.
//
// The signed text (the statement) is fixed, line by line:
//
//   gradcap checkpoint v1
//   log_seq: 1234
//   head_sha256: <64 hex digits>
//   signed_at_ms: 1726889525123
//   reason: college_close | day_end
//   college: 信息工程学院            (empty for day_end)
//   actor: wang
//   key_id: ed25519:<16 hex digits>
//
// A checkpoint file is '#' comment lines for people, the statement, and
// "signature: <128 hex digits>". A public key file is
// "gradcap checkpoint public key v1", "key_id: …", "public_key: <64 hex>".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/event_log.h"
#include "common/sha256.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

// The text a checkpoint's signature covers. Control characters in the college
// or actor become '?', so a statement is always these eight lines.
std::string CheckpointStatement(const v1::Checkpoint& checkpoint);

struct CheckpointSubject {
  v1::CheckpointReason reason = v1::CHECKPOINT_REASON_NONE;
  std::string college;  // COLLEGE_CLOSE
  std::string actor;
};

// A checkpoint of record `log_seq`, whose body hashes to `head_hash`, signed
// with `key` at `now_ms`.
v1::Checkpoint SignCheckpoint(const v1::CheckpointKey& key, uint64_t log_seq, const Digest& head_hash,
                              int64_t now_ms, const CheckpointSubject& subject);

// Signs the latest record staged in `log` (or committed, when nothing is
// staged) and stages the checkpoint after it. FailedPrecondition when the log
// is empty. `staged` receives the record as logged.
absl::StatusOr<v1::Checkpoint> StageCheckpointOfHead(EventLog& log, const v1::CheckpointKey& key,
                                                     int64_t now_ms, const CheckpointSubject& subject,
                                                     v1::LogRecord* staged);

// OK when `public_key` signed `checkpoint`. Unauthenticated, naming both key
// ids, when another key signed it or its text was changed.
absl::Status VerifyCheckpoint(const v1::Checkpoint& checkpoint, std::string_view public_key);

// The file handed to a college: `comment` (any number of lines, each
// printed after "# "), the statement, the signature.
std::string CheckpointFileText(const v1::Checkpoint& checkpoint, std::string_view comment);
// Reads a checkpoint file back. InvalidArgument naming the line that is wrong.
absl::StatusOr<v1::Checkpoint> ParseCheckpointFile(std::string_view text, std::string_view file_name);

struct CheckpointPublicKey {
  std::string key_id;
  std::string public_key;  // 32 raw bytes
};
std::string PublicKeyFileText(const v1::CheckpointKey& key);
// InvalidArgument naming what is wrong, including a key id that does not
// match the key.
absl::StatusOr<CheckpointPublicKey> ParsePublicKeyFile(std::string_view text, std::string_view file_name);

}  // namespace gradcap
