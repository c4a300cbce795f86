#include "supervisor/sessions.h"

#include <algorithm>

#include "supervisor/secrets.h"

namespace gradcap {

void SessionStore::Expire(int64_t now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.expires_ms <= now ? sessions_.erase(it) : std::next(it);
  }
}

Session SessionStore::Create(const std::string& user) {
  const int64_t now = clock_->NowMs();
  Session session;
  session.token = RandomToken();
  session.csrf = RandomToken();
  session.user = user;
  session.created_ms = now;
  session.last_used_ms = now;
  session.expires_ms = std::min(now + lifetime_ms_, now + idle_ms_);
  std::lock_guard<std::mutex> lock(mu_);
  if (sessions_.size() >= max_sessions_) {
    Expire(now);
    // Still full: the session unused longest makes room.
    if (sessions_.size() >= max_sessions_) {
      auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
        return a.second.last_used_ms < b.second.last_used_ms;
      });
      sessions_.erase(oldest);
    }
  }
  sessions_[session.token] = session;
  return session;
}

std::optional<Session> SessionStore::Use(const std::string& token) {
  const int64_t now = clock_->NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires_ms <= now) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used_ms = now;
  it->second.expires_ms = std::min(it->second.created_ms + lifetime_ms_, now + idle_ms_);
  return it->second;
}

bool SessionStore::Alive(const std::string& token) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(token);
  return it != sessions_.end() && it->second.expires_ms > clock_->NowMs();
}

void SessionStore::Remove(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(token);
}

void SessionStore::RemoveUser(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.user == user ? sessions_.erase(it) : std::next(it);
  }
}

size_t SessionStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

}  // namespace gradcap
