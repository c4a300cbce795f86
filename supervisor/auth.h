// Who is asking: logins against the users file (re-read when it changes, so
// `gradcap users passwd|remove` take effect at once), sessions, the CSRF
// check of state-changing requests, and slowing down wrong passwords.
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "supervisor/http_server.h"
#include "supervisor/login_throttle.h"
#include "supervisor/sessions.h"
#include "supervisor/users.h"

namespace gradcap {

inline constexpr char kSessionCookie[] = "gradcap_session";
inline constexpr char kCsrfHeader[] = "x-csrf-token";

struct AuthOptions {
  std::string users_path;
  int64_t session_lifetime_ms = 12 * 3600 * 1000;
  int64_t session_idle_ms = 2 * 3600 * 1000;
  bool secure_cookies = false;  // add Secure (behind HTTPS)
  ThrottlePolicy throttle;
};

struct Caller {
  Session session;
  User user;
  Scope scope;
};

class Auth {
 public:
  static absl::StatusOr<std::unique_ptr<Auth>> Create(AuthOptions options, const Clock* clock);

  struct LoginOutcome {
    enum class Result { kOk, kWrong, kThrottled } result = Result::kWrong;
    Session session;
    User user;
    int64_t retry_after_ms = 0;
  };
  // Checks the password (slow: Argon2id; call it off the server's thread).
  LoginOutcome Login(const std::string& user, const std::string& password, const std::string& address);
  // The caller behind the request's session cookie; nullopt without a live
  // session (or when its user was removed).
  std::optional<Caller> Identify(const HttpRequest& request);
  // A state-changing request carries the session's CSRF token and, when the
  // browser names an Origin, comes from this very host.
  bool CsrfOk(const Caller& caller, const HttpRequest& request) const;
  void Logout(const Caller& caller);
  // Whether the session is still live (open streams end with it).
  bool SessionAlive(const std::string& token);

  std::string SessionCookie(const Session& session) const;
  std::string ClearedCookie() const;

 private:
  Auth(AuthOptions options, const Clock* clock);
  absl::Status ReloadIfChanged();  // holds mu_

  AuthOptions options_;
  const Clock* clock_;
  SessionStore sessions_;
  LoginThrottle throttle_;
  std::mutex mu_;
  UsersFile users_;
  int64_t users_mtime_ns_ = -1;
};

// The value of cookie `name` in a Cookie header.
std::string CookieValue(const std::string& header, const std::string& name);

}  // namespace gradcap
