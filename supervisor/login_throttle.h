// Slows down password guessing: after a few wrong passwords for a user name,
// or from one address, further attempts are refused until a delay has
// passed, doubling with each failure (1 s, 2 s, 4 s … up to a minute). A
// right password clears the user's count. Entries are forgotten after 15
// quiet minutes; at most `max_entries` are kept. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "common/clock.h"

namespace gradcap {

struct ThrottlePolicy {
  int free_failures_per_user = 3;
  int free_failures_per_address = 10;
  int64_t first_delay_ms = 1000;
  int64_t max_delay_ms = 60000;
  int64_t forget_after_ms = 15 * 60 * 1000;
  size_t max_entries = 20000;
};

class LoginThrottle {
 public:
  LoginThrottle(const Clock* clock, ThrottlePolicy policy = {}) : clock_(clock), policy_(policy) {}

  // 0 when an attempt may be made now, else how long to wait.
  int64_t RetryAfterMs(const std::string& user, const std::string& address);
  void RecordFailure(const std::string& user, const std::string& address);
  void RecordSuccess(const std::string& user);

 private:
  struct Entry {
    int failures = 0;
    int64_t last_failure_ms = 0;
    int64_t locked_until_ms = 0;
  };
  int64_t Wait(std::map<std::string, Entry>& entries, const std::string& key, int64_t now);
  void Fail(std::map<std::string, Entry>& entries, const std::string& key, int free_failures, int64_t now);

  const Clock* clock_;
  ThrottlePolicy policy_;
  std::mutex mu_;
  std::map<std::string, Entry> users_, addresses_;
};

}  // namespace gradcap
