// `gradcap audit verify`: proves (or disproves) that a coordinator database
// is the untouched log it wrote. Reads only; safe on a copy or a live log.
//
// Checks, in record order: every record's stored hash matches its body; each
// prev_hash links to the record before; keys run 1, 2, 3 ... without holes;
// each booth's applied events run seq 1, 2, 3 ... inside an epoch and epochs
// only grow; every photo in the log is in the photo store with that digest;
// the chain head and the booth progress match the end of the walk. Stops at
// the first problem and names the record.
#pragma once

#include <string>

#include "proto/gradcap.pb.h"

namespace gradcap {

v1::AuditReport VerifyLog(const std::string& db_dir);

// One line for people: "ok: 1234 records ..." or "FAILED at record N: why".
std::string FormatAuditReport(const v1::AuditReport& report);

}  // namespace gradcap
