// The booth's durable outbox (DESIGN.md, "Delivery"): every event is written
// here, synced, before it is sent, and removed only once the coordinator has
// acked it. A booth restarted after a crash resumes from what is here.
//
// Layout (RocksDB): column `pending` (be64 seq → serialized BoothEvent with
// its id) and column `meta` (booth, epoch, next_seq, acked_through,
// generated). The epoch is fixed when the outbox is created (booth clock in
// ms, so a reset outbox always has a larger one). Single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/kv_store.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

class Outbox {
 public:
  // Opens or creates the outbox in `dir` for `booth`. FailedPrecondition when
  // the directory holds another booth's outbox.
  static absl::StatusOr<std::unique_ptr<Outbox>> Open(const std::string& dir, const std::string& booth,
                                                      const Clock* clock);

  const std::string& booth() const { return booth_; }
  uint64_t epoch() const { return epoch_; }
  uint64_t last_seq() const { return next_seq_ - 1; }  // last assigned
  uint64_t acked_through() const { return acked_through_; }
  uint64_t depth() const { return last_seq() - acked_through_; }
  // A counter the caller may advance atomically with Append (drills and
  // synthetic load use it to generate each event exactly once across crashes).
  uint64_t generated() const { return generated_; }

  // Assigns ids and booth times to `events` (bodies only) and stores them in
  // one synced write, advancing generated() by `generated_delta` and
  // recording `markers` (e.g. hot-folder file names already picked up).
  absl::Status Append(std::vector<v1::BoothEvent>& events, uint64_t generated_delta = 0,
                      const std::vector<std::string>& markers = {});
  // True when Append recorded `marker`.
  bool HasMarker(const std::string& marker) const;

  // Up to `max` pending events with seq ≥ `from`, in order.
  absl::StatusOr<std::vector<v1::BoothEvent>> Read(uint64_t from, size_t max) const;

  // The coordinator holds everything through `seq`: drop it. Not synced —
  // losing this in a crash only causes a resend, answered as a duplicate.
  absl::Status MarkAcked(uint64_t seq);

 private:
  Outbox(std::unique_ptr<KvStore> store, const Clock* clock);
  absl::Status Load(const std::string& booth);
  void PutMeta(KvBatch& batch) const;

  std::unique_ptr<KvStore> store_;
  const Clock* clock_;
  std::string booth_;
  uint64_t epoch_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t acked_through_ = 0;
  uint64_t deleted_through_ = 0;  // pending entries deleted (behind acked_through_ after a full disk)
  uint64_t generated_ = 0;
};

}  // namespace gradcap
