#include "coordinator/group_committer.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>

#include "common/logging.h"

namespace gradcap {

GroupCommitter::GroupCommitter(EventLog* log) : log_(log), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  thread_ = std::thread([this] { Loop(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_one();
  thread_.join();
  ::close(wake_fd_);
}

void GroupCommitter::Signal() {
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void GroupCommitter::Drain() {
  uint64_t drained;
  while (::read(wake_fd_, &drained, sizeof drained) > 0) {
  }
}

void GroupCommitter::Start(std::unique_ptr<SealedBatch> batch) {
  batch_ = std::move(batch);
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = batch_.get();
    done_ = false;
  }
  cv_.notify_one();
}

bool GroupCommitter::done() {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

absl::Status GroupCommitter::Wait(std::unique_ptr<SealedBatch>* batch) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return done_; });
  Drain();
  *batch = std::move(batch_);
  done_ = false;
  return result_;
}

void GroupCommitter::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return quit_ || job_ != nullptr; });
    if (job_ == nullptr) return;
    SealedBatch* job = job_;
    job_ = nullptr;
    lock.unlock();
    absl::Status result = WriteRetryingWhileFull(*job);
    lock.lock();
    result_ = std::move(result);
    done_ = true;
    cv_.notify_all();
    Signal();
  }
}

absl::Status GroupCommitter::WriteRetryingWhileFull(SealedBatch& job) {
  absl::Status result = log_->Write(job);
  if (!absl::IsResourceExhausted(result)) return result;
  const auto since = std::chrono::steady_clock::now();
  LogError("coordinator", "disk full: the event log ", log_->store().dir(), " cannot commit ", job.records,
           " records (", result.message(),
           "); nothing more is acked until space returns — retrying every second");
  int tries = 1;
  while (absl::IsResourceExhausted(result)) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return quit_; });
      if (quit_ || (stop_ != nullptr && stop_->load())) {
        LogError("coordinator", "disk full: stopping with ", job.records,
                 " records unwritten and unacked (the booths still hold them)");
        return result;
      }
    }
    result = log_->Write(job);
    ++tries;
  }
  const double waited_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  if (result.ok()) {
    LogInfo("coordinator", "disk space back: the event log ", log_->store().dir(), " commits again after ",
            waited_s, " s (", tries, " tries)");
  }
  return result;
}

}  // namespace gradcap
