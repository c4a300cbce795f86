// `gradcap audit verify`: proves (or disproves) that a coordinator database
// is the untouched log it wrote. Reads only; safe on a copy or a live log.
//
// Checks, in record order: every record's stored hash matches its body; each
// prev_hash links to the record before; keys run 1, 2, 3 ... without holes;
// each booth's applied events run seq 1, 2, 3 ... inside an epoch and epochs
// only grow; every photo in the log is in the photo store with that digest;
// every signed checkpoint in the log names the record before it with that
// record's hash and verifies under the checkpoint key; the chain head and the
// booth progress match the end of the walk. Stops at the first problem and
// names the record.
//
// Checkpoint files handed out at closes (audit/checkpoint.h) are then held
// against the walked log: a file whose record now hashes differently proves
// the log was rewritten at or before that record, even when whoever did it
// re-hashed the rest of the chain (and re-signed the in-log checkpoints with
// the database's own key) — as long as the public key comes from outside the
// database (--public_key).
#pragma once

#include <string>
#include <vector>

#include "proto/gradcap.pb.h"

namespace gradcap {

struct VerifyOptions {
  std::vector<std::string> checkpoint_files;  // checkpoints handed out, to hold the log against
  // The checkpoint key's public half (`gradcap keys public`). Empty: the
  // database's own key, which proves nothing against whoever could edit it.
  std::string public_key_file;
};

v1::AuditReport VerifyLog(const std::string& db_dir, const VerifyOptions& options = {});

// A few lines for people: "… ok" or "FAILED at record N: why", then each
// checkpoint file's result.
std::string FormatAuditReport(const v1::AuditReport& report);

}  // namespace gradcap
