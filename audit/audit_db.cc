#include "audit/audit_db.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/log_format.h"
#include "common/status_macros.h"

namespace gradcap {

absl::StatusOr<AuditDb> OpenAuditDb(const std::string& dir) {
  if (dir.empty()) return absl::InvalidArgumentError("--db DIR is required");
  GRADCAP_RETURN_IF_ERROR(CheckLogColumns(dir));
  AuditDb db;
  db.dir = dir;
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::OpenReadOnly(dir);
  if (!log.ok()) {
    return absl::Status(log.status().code(), absl::StrCat("cannot read ", dir, ": ", log.status().message()));
  }
  db.log = *std::move(log);
  db.registry = std::make_unique<Registry>(&db.log->store());
  GRADCAP_RETURN_IF_ERROR(db.registry->Load());
  return db;
}

absl::Status ReplayChecked(const AuditDb& db, CaptureDay* day, const ReplayHooks& hooks, uint64_t until) {
  day->set_keep_results(false);  // only the live verdict path asks for them
  uint64_t expected = 1;
  Digest prev{};
  ReplayHooks checked;
  checked.after = hooks.after;
  checked.before = [&](const v1::LogRecord& record, const Digest& hash) -> absl::Status {
    const uint64_t at = record.log_seq();
    if (until != 0 && at > until) return absl::CancelledError("until");
    auto damaged = [&](const std::string& why) {
      return absl::DataLossError(
          absl::StrCat("the log is damaged at record ", at, ": ", why, "; `gradcap audit verify` says more"));
    };
    if (at != expected) return damaged(absl::StrCat("record ", expected, " is missing (removed?)"));
    if (record.prev_hash().size() != prev.size() ||
        std::memcmp(record.prev_hash().data(), prev.data(), prev.size()) != 0) {
      return damaged(absl::StrCat("it does not link to record ", at - 1,
                                  " (a record was replaced, removed or reordered)"));
    }
    if (record.kind_case() == v1::LogRecord::KIND_NOT_SET) {
      return damaged("it is of a kind this gradcap does not know (written by a newer version?)");
    }
    ++expected;
    prev = hash;
    return hooks.before ? hooks.before(record, hash) : absl::OkStatus();
  };
  absl::Status replayed = ReplayLog(*db.log, day, checked);
  if (absl::IsCancelled(replayed) && replayed.message() == "until") return absl::OkStatus();
  if (absl::IsDataLoss(replayed) &&
      replayed.message().find("the log is damaged") == absl::string_view::npos) {
    return absl::DataLossError(
        absl::StrCat("the log is damaged: ", replayed.message(), "; `gradcap audit verify` says more"));
  }
  return replayed;
}

}  // namespace gradcap
