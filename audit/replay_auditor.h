// Internals of `audit replay` (replay.h): what it checks at each record,
// before the record is applied (the state is the one it was decided on) and
// after, and what it compares with the database at the end.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "audit/audit_db.h"
#include "audit/booth_order.h"
#include "audit/replay.h"

namespace gradcap {

class ReplayAuditor {
 public:
  ReplayAuditor(const AuditDb& db, const CaptureDay& day, const ReplayOptions& options,
                v1::ReplayReport* report);

  // The ReplayHooks of ReplayChecked.
  absl::Status Before(const v1::LogRecord& record, const Digest& hash);
  void After(const v1::LogRecord& record);
  // Once the replay is done: the stored state, and the final state into the report.
  absl::Status Finish();

 private:
  // replay_checks.cc: decisions, alerts, verdicts, head counts.
  void CheckScan(const v1::LogRecord& record, int64_t decided_at_ms);
  void CheckAtHead(const v1::LogRecord& record, int64_t decided_at_ms);
  void CheckVerdict(const v1::LogRecord& record);
  void CheckClose(const v1::LogRecord& record);
  void CheckCheckpoint(const v1::LogRecord& record);
  void CompareAlerts(uint64_t log_seq, const std::string& booth, const std::string& student,
                     const google::protobuf::RepeatedPtrField<v1::Alert>& recorded,
                     const google::protobuf::RepeatedPtrField<v1::Alert>& replayed, const std::string& check);

  // replay.cc: the database at the end, and the report.
  void CompareBoothProgress();
  absl::Status CompareEventIndex();
  absl::Status FillState();

  void Differ(uint64_t log_seq, const std::string& booth, const std::string& student,
              const std::string& check, const std::string& detail);

  // A close whose roster and paid counts differ from the replay's: a
  // difference unless the roster or payments were imported again after it.
  struct RosterCheck {
    uint64_t log_seq = 0;
    std::string college, detail;
    bool reference_changed = false;
  };

  const AuditDb& db_;
  const CaptureDay& day_;
  const ReplayOptions& options_;
  v1::ReplayReport* report_;
  BoothOrder order_;
  // (booth, epoch) → how many applied events, and a digest of their (seq, record) pairs.
  absl::flat_hash_map<std::pair<std::string, uint64_t>, std::pair<uint64_t, uint64_t>> index_;
  std::vector<RosterCheck> roster_checks_;
  int closes_after_reference_change_ = 0;
  Digest last_hash_{};
};

// The digest of one event-index entry (booth, epoch) seq → record.
uint64_t IndexEntryDigest(uint64_t seq, uint64_t log_seq);

}  // namespace gradcap
