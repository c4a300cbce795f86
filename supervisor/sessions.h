// Logged-in sessions: a random token (the cookie) and a CSRF token (sent
// back in a header with every POST), ending after a fixed lifetime or when
// unused for too long, or at logout. Times from an injected clock.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"

namespace gradcap {

struct Session {
  std::string token;  // the session cookie's value
  std::string csrf;   // must come back in X-CSRF-Token on every POST
  std::string user;
  int64_t created_ms = 0;
  int64_t last_used_ms = 0;
  int64_t expires_ms = 0;  // min(created + lifetime, last used + idle)
};

class SessionStore {
 public:
  SessionStore(const Clock* clock, int64_t lifetime_ms, int64_t idle_ms, size_t max_sessions = 10000)
      : clock_(clock), lifetime_ms_(lifetime_ms), idle_ms_(idle_ms), max_sessions_(max_sessions) {}

  Session Create(const std::string& user);
  // The live session for `token` (its idle time restarted); nullopt when
  // there is none or it expired (then it is gone).
  std::optional<Session> Use(const std::string& token);
  // Whether `token` is a live session, without counting this as use.
  bool Alive(const std::string& token) const;
  void Remove(const std::string& token);
  // Ends every session of `user` (removed, or password changed).
  void RemoveUser(const std::string& user);
  size_t size() const;

 private:
  void Expire(int64_t now);  // holds mu_
  const Clock* clock_;
  int64_t lifetime_ms_, idle_ms_;
  size_t max_sessions_;
  mutable std::mutex mu_;
  std::map<std::string, Session> sessions_;
};

}  // namespace gradcap
