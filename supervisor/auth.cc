#include "supervisor/auth.h"

#include <sys/stat.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "supervisor/secrets.h"

namespace gradcap {
namespace {

// A hash to verify against for unknown users, so a wrong name costs as much
// time as a wrong password and names cannot be told by timing.
const std::string& DecoyHash() {
  static const std::string hash = HashPassword("decoy password for unknown users").value_or("");
  return hash;
}

int64_t MtimeNs(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

}  // namespace

std::string CookieValue(const std::string& header, const std::string& name) {
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) return std::string(part);
  }
  return "";
}

Auth::Auth(AuthOptions options, const Clock* clock)
    : options_(std::move(options)),
      clock_(clock),
      sessions_(clock, options_.session_lifetime_ms, options_.session_idle_ms),
      throttle_(clock, options_.throttle) {}

absl::StatusOr<std::unique_ptr<Auth>> Auth::Create(AuthOptions options, const Clock* clock) {
  std::unique_ptr<Auth> auth(new Auth(std::move(options), clock));
  std::lock_guard<std::mutex> lock(auth->mu_);
  GRADCAP_RETURN_IF_ERROR(auth->ReloadIfChanged());
  DecoyHash();
  return auth;
}

absl::Status Auth::ReloadIfChanged() {
  const int64_t mtime = MtimeNs(options_.users_path);
  if (mtime == users_mtime_ns_) return absl::OkStatus();
  absl::StatusOr<UsersFile> loaded = UsersFile::Load(options_.users_path);
  if (!loaded.ok()) {
    const bool first = users_mtime_ns_ == -1 && users_.users().empty();
    users_mtime_ns_ = mtime;
    if (first) return loaded.status();
    // Keep serving with the users known before; say why once per change.
    LogError("auth",
             "cannot read the users file (keeping the users read before): ", loaded.status().message());
    return absl::OkStatus();
  }
  // A user removed or whose password changed loses their sessions.
  for (const User& old_user : users_.users()) {
    const User* now = loaded->Find(old_user.name);
    if (now == nullptr || now->password_hash != old_user.password_hash) sessions_.RemoveUser(old_user.name);
  }
  users_ = std::move(*loaded);
  users_mtime_ns_ = mtime;
  LogInfo("auth", "users file read: ", users_.users().size(), " users");
  return absl::OkStatus();
}

Auth::LoginOutcome Auth::Login(const std::string& name, const std::string& password,
                               const std::string& address) {
  LoginOutcome outcome;
  if (const int64_t wait = throttle_.RetryAfterMs(name, address); wait > 0) {
    outcome.result = LoginOutcome::Result::kThrottled;
    outcome.retry_after_ms = wait;
    return outcome;
  }
  std::optional<User> user;
  {
    std::lock_guard<std::mutex> lock(mu_);
    (void)ReloadIfChanged();
    if (const User* found = users_.Find(name)) user = *found;
  }
  const bool right = VerifyPassword(user ? user->password_hash : DecoyHash(), password) && user.has_value();
  if (!right) {
    throttle_.RecordFailure(name, address);
    LogWarning("auth", "wrong password for \"", name, "\" from ", address);
    return outcome;
  }
  throttle_.RecordSuccess(name);
  outcome.result = LoginOutcome::Result::kOk;
  outcome.session = sessions_.Create(name);
  outcome.user = *user;
  LogInfo("auth", name, " logged in from ", address);
  return outcome;
}

std::optional<Caller> Auth::Identify(const HttpRequest& request) {
  const std::string token = CookieValue(request.Header("cookie"), kSessionCookie);
  if (token.empty()) return std::nullopt;
  std::optional<Session> session = sessions_.Use(token);
  if (!session) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  (void)ReloadIfChanged();
  const User* user = users_.Find(session->user);
  if (user == nullptr) {
    sessions_.Remove(token);
    return std::nullopt;
  }
  return Caller{*session, *user, ScopeOf(*user)};
}

bool Auth::CsrfOk(const Caller& caller, const HttpRequest& request) const {
  if (!SecretsEqual(request.Header(kCsrfHeader), caller.session.csrf)) return false;
  const std::string origin = request.Header("origin");
  if (origin.empty() || origin == "null") return origin.empty();
  absl::string_view host = origin;
  if (!absl::ConsumePrefix(&host, "http://")) absl::ConsumePrefix(&host, "https://");
  return host == request.Header("host");
}

void Auth::Logout(const Caller& caller) { sessions_.Remove(caller.session.token); }

bool Auth::SessionAlive(const std::string& token) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    (void)ReloadIfChanged();  // a removed user's sessions end here
  }
  return sessions_.Alive(token);
}

std::string Auth::SessionCookie(const Session& session) const {
  return absl::StrCat(kSessionCookie, "=", session.token,
                      "; Path=/; HttpOnly; SameSite=Strict; Max-Age=", options_.session_lifetime_ms / 1000,
                      options_.secure_cookies ? "; Secure" : "");
}

std::string Auth::ClearedCookie() const {
  return absl::StrCat(kSessionCookie, "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
                      options_.secure_cookies ? "; Secure" : "");
}

}  // namespace gradcap
