// Group commit on a thread of its own (DESIGN.md, "Delivery"): the ingest
// loop seals what it staged into one batch, Start()s its synced write here
// and goes on staging the next group; when the write ends the committer
// signals an eventfd, which wakes the loop's poll, and the loop sends the
// batch's replies. One write at a time. Everything but the write itself runs
// on the ingest thread.
//
// On a full disk the write is retried every second until space returns (so
// nothing more is acked meanwhile, and the ingest loop stalls once its next
// stage fills), or until `stop` is set: then the write ends with the
// disk-full error.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "common/event_log.h"

namespace gradcap {

class GroupCommitter {
 public:
  explicit GroupCommitter(EventLog* log);
  // Gives up retrying a disk-full write once `*stop` is true (a signal).
  void set_stop(const std::atomic<bool>* stop) { stop_ = stop; }
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Readable when a write ended or Signal() was called.
  int wake_fd() const { return wake_fd_; }
  // Wakes the ingest loop for another reason (validator results); any thread.
  void Signal();
  // Clears wake-ups while no write runs (a running write's Wait drains them).
  void Drain();
  bool busy() const { return batch_ != nullptr; }
  // Starts writing `batch`; only when !busy().
  void Start(std::unique_ptr<SealedBatch> batch);
  // The running write has ended (Wait will not block).
  bool done();
  // Blocks until the running write ends; returns its status and the batch.
  absl::Status Wait(std::unique_ptr<SealedBatch>* batch);

 private:
  void Loop();
  // Writes `job`, retrying while the disk is full. Called with mu_ unlocked.
  absl::Status WriteRetryingWhileFull(SealedBatch& job);

  EventLog* log_;
  int wake_fd_;
  std::unique_ptr<SealedBatch> batch_;  // owned by the ingest thread
  std::mutex mu_;
  std::condition_variable cv_;
  SealedBatch* job_ = nullptr;
  bool done_ = false;
  bool quit_ = false;
  absl::Status result_;
  const std::atomic<bool>* stop_ = nullptr;
  std::thread thread_;
};

}  // namespace gradcap
