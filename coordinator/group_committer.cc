#include "coordinator/group_committer.h"

#include <sys/eventfd.h>
#include <unistd.h>

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
    absl::Status result = log_->Write(*job);
    lock.lock();
    result_ = std::move(result);
    done_ = true;
    cv_.notify_all();
    Signal();
  }
}

}  // namespace gradcap
