// The coordinator's durable, hash-chained event log with group commit.
//
// Callers stage any number of records (applied events and rejections), then
// commit them in ONE synced RocksDB WriteBatch together with the booth
// progress, the event index and the chain head. Nothing staged is visible to
// FindAck until committed. Open() on an existing directory resumes exactly
// where the last commit left off (the state after `kill -9`).
//
// Commit() does it all on the calling thread. A pipelined caller instead
// Seal()s the stage, hands the SealedBatch to another thread for Write(), goes
// on staging on top of it, and calls Committed() once the write succeeded.
// A write refused for a full disk (ResourceExhausted) wrote nothing and may be
// retried with the same batch once space returns; after any other failed
// write the log refuses further work (reopen it: the disk holds exactly the
// committed prefix). Everything but Write() belongs to one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/kv_store.h"
#include "common/sha256.h"
#include "common/seq_rules.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

// A group of staged records on its way to disk.
struct SealedBatch {
  explicit SealedBatch(KvBatch b) : batch(std::move(b)) {}
  KvBatch batch;
  int records = 0;
  uint64_t head_seq = 0;
  Digest head_hash{};
  std::vector<std::pair<std::string, v1::BoothProgress>> progress;
};

class EventLog {
 public:
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(const std::string& dir, const Clock* clock);
  // For reports and audits beside a running coordinator (or on a copy): reads
  // the committed log; every Commit/Write fails with FailedPrecondition.
  static absl::StatusOr<std::unique_ptr<EventLog>> OpenReadOnly(const std::string& dir);

  // Progress for `booth`, including staged and sealed records.
  SeqProgress Progress(const std::string& booth) const;
  // Progress on disk only (what a booth may safely forget).
  SeqProgress CommittedProgress(const std::string& booth) const;

  // Stages an event that DecideSeq said to apply, decided at `decided_at_ms`
  // (also the record's time). Photo and retake bytes go to the photos
  // column; the record keeps their digest. Returns its log_seq; `staged`
  // (optional) receives the record as logged.
  uint64_t StageApplied(v1::BoothEvent event, v1::Outcome outcome, v1::Binding binding = {},
                        int64_t decided_at_ms = 0, v1::LogRecord* staged = nullptr);
  // Stages a refused message. Returns its log_seq.
  uint64_t StageRejection(const v1::Rejection& rejection, v1::LogRecord* staged = nullptr);
  // Stages refusals counted over an interval instead of logged one by one.
  uint64_t StageRefusalCount(const v1::RefusalCount& count, v1::LogRecord* staged = nullptr);
  // Stages a photo's verdict from the validator pool. Returns its log_seq.
  uint64_t StageValidation(const v1::ValidationRecord& record, v1::LogRecord* staged = nullptr);
  // Stages an administrator's change; its data goes into staged_batch().
  uint64_t StageAdmin(const v1::AdminRecord& record, v1::LogRecord* staged = nullptr);
  // Stages a signed checkpoint (audit/checkpoint.h) of the record before it:
  // `checkpoint` must name latest_head_seq() and latest_head_hash().
  uint64_t StageCheckpoint(const v1::Checkpoint& checkpoint, v1::LogRecord* staged = nullptr);
  // Extra writes that must commit atomically with the staged records.
  KvBatch& staged_batch() { return batch_; }
  int staged_records() const { return staged_records_; }
  size_t staged_bytes() const { return batch_.ByteSize(); }

  // Writes everything staged in one synced batch.
  absl::Status Commit();

  // Pipelined commit: Seal (nullptr when nothing is staged), Write (any
  // thread, one batch at a time, in Seal order), then Committed.
  std::unique_ptr<SealedBatch> Seal();
  absl::Status Write(SealedBatch& sealed);
  void Committed(SealedBatch& sealed);

  // The ack for an already committed event, exactly as first sent; nullopt
  // when no such event is in the log.
  absl::StatusOr<std::optional<v1::Ack>> FindAck(const v1::EventId& id) const;

  // Calls `visit` for every committed record in log order (hash-checked).
  absl::Status ForEachRecord(const std::function<void(const v1::LogRecord&)>& visit) const;
  // The same, with each record's stored body hash; stops at the first
  // non-OK status `visit` returns, and returns it. A record lives only
  // while `visit` runs.
  absl::Status ForEachSealedRecord(
      const std::function<absl::Status(const v1::LogRecord&, const Digest& hash)>& visit) const;

  // Reads the committed record at `log_seq` (hash-checked).
  absl::StatusOr<v1::LogRecord> ReadRecord(uint64_t log_seq) const;

  uint64_t last_log_seq() const { return head_seq_; }  // committed
  uint64_t next_log_seq() const { return staged_head_seq_ + 1; }  // the next record staged
  // The last record staged (or committed, when nothing is staged) and its hash.
  uint64_t latest_head_seq() const { return staged_head_seq_; }
  const Digest& latest_head_hash() const { return staged_head_hash_; }
  const Digest& head_hash() const { return head_hash_; }
  size_t booth_count() const { return progress_.size(); }
  // Every booth's progress on disk, by booth id.
  std::vector<std::pair<std::string, SeqProgress>> CommittedBooths() const;
  KvStore& store() { return *store_; }
  const KvStore& store() const { return *store_; }

 private:
  EventLog(std::unique_ptr<KvStore> store, const Clock* clock);
  absl::Status Load();
  uint64_t Stage(v1::LogRecord& record, int64_t at_ms = 0);

  std::unique_ptr<KvStore> store_;
  const Clock* clock_;
  KvBatch batch_;
  int staged_records_ = 0;

  // Committed state.
  uint64_t head_seq_ = 0;
  Digest head_hash_{};
  absl::flat_hash_map<std::string, v1::BoothProgress> progress_;

  // Latest state: committed + sealed + staged.
  uint64_t staged_head_seq_ = 0;
  Digest staged_head_hash_{};
  absl::flat_hash_map<std::string, v1::BoothProgress> latest_progress_;
  absl::flat_hash_map<std::string, v1::BoothProgress> staged_progress_;  // since the last Seal
  std::atomic<bool> broken_{false};
  bool read_only_ = false;
};

}  // namespace gradcap
