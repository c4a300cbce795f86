// A coordinator database opened for the after-the-day tools (replay, a
// student's story, export, reports): read-only, so it works on a copy or
// beside a running coordinator, and refused with a message saying what is
// wrong when it is no gradcap database, one of another version, lacks a
// column family, or its log is cut or damaged.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/event_log.h"
#include "coordinator/capture_day.h"
#include "registry/registry.h"

namespace gradcap {

struct AuditDb {
  std::string dir;
  std::unique_ptr<EventLog> log;
  std::unique_ptr<Registry> registry;  // with the roster in memory
};

absl::StatusOr<AuditDb> OpenAuditDb(const std::string& dir);

// Replays the log (records 1 … `until`; 0: all of it) into `day` through the
// one replay, checking as it goes that records run 1, 2, 3 …, each links to
// the record before (prev_hash) and is of a kind this version knows; a
// removed, reordered or rewritten record stops it with DataLoss naming the
// record. `hooks` see each record as ReplayLog shows it. `day` does not keep
// the verdicts' full results (CaptureDay::set_keep_results).
absl::Status ReplayChecked(const AuditDb& db, CaptureDay* day, const ReplayHooks& hooks = {},
                           uint64_t until = 0);

}  // namespace gradcap
