#include "supervisor/login_throttle.h"

#include <algorithm>

namespace gradcap {

int64_t LoginThrottle::Wait(std::map<std::string, Entry>& entries, const std::string& key, int64_t now) {
  auto it = entries.find(key);
  if (it == entries.end()) return 0;
  if (now - it->second.last_failure_ms > policy_.forget_after_ms) {
    entries.erase(it);
    return 0;
  }
  return std::max<int64_t>(0, it->second.locked_until_ms - now);
}

void LoginThrottle::Fail(std::map<std::string, Entry>& entries, const std::string& key, int free_failures,
                         int64_t now) {
  if (entries.size() >= policy_.max_entries && !entries.count(key)) {
    for (auto it = entries.begin(); it != entries.end();) {
      it = now - it->second.last_failure_ms > policy_.forget_after_ms ? entries.erase(it) : std::next(it);
    }
    if (entries.size() >= policy_.max_entries) entries.erase(entries.begin());
  }
  Entry& entry = entries[key];
  ++entry.failures;
  entry.last_failure_ms = now;
  const int over = entry.failures - free_failures;
  if (over > 0) {
    const int64_t delay = std::min(policy_.max_delay_ms, policy_.first_delay_ms << std::min(over - 1, 20));
    entry.locked_until_ms = now + delay;
  }
}

int64_t LoginThrottle::RetryAfterMs(const std::string& user, const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_->NowMs();
  return std::max(Wait(users_, user, now), Wait(addresses_, address, now));
}

void LoginThrottle::RecordFailure(const std::string& user, const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_->NowMs();
  Fail(users_, user, policy_.free_failures_per_user, now);
  Fail(addresses_, address, policy_.free_failures_per_address, now);
}

void LoginThrottle::RecordSuccess(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  users_.erase(user);
}

}  // namespace gradcap
