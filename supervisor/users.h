// Who may use the supervisor view: a users file (JSON, written by `gradcap
// users add|remove|passwd`, readable by the owner only) of named users with
// a role, their colleges and the right to see photos and unmasked names, and
// an Argon2id hash of their password. Not thread-safe.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gradcap {

enum class Role { kOffice, kCollege };  // 教务处 sees every college; a college lead only their own

struct User {
  std::string name;
  Role role = Role::kCollege;
  std::vector<std::string> colleges;  // kCollege: the colleges they lead
  bool photos = false;                // may see photo thumbnails and unmasked names
  std::string password_hash;          // crypto_pwhash_str
};

// What a user may see.
struct Scope {
  bool all_colleges = false;
  std::set<std::string> colleges;
  bool photos = false;
  bool Sees(const std::string& college) const { return all_colleges || colleges.count(college) > 0; }
  // Users with equal keys see exactly the same.
  std::string key() const;
};

Scope ScopeOf(const User& user);
const char* RoleName(Role role);
std::optional<Role> ParseRole(const std::string& name);

class UsersFile {
 public:
  // Reads `path`; NotFound when it does not exist, InvalidArgument naming
  // what is wrong when it is not a users file.
  static absl::StatusOr<UsersFile> Load(const std::string& path);
  // Writes atomically, mode 0600.
  absl::Status Save(const std::string& path) const;

  // AlreadyExists / NotFound / InvalidArgument (a name that is no name, a
  // college user without a college) as the case is.
  absl::Status Add(User user);
  absl::Status Remove(const std::string& name);
  absl::Status SetPasswordHash(const std::string& name, const std::string& hash);

  const User* Find(const std::string& name) const;
  const std::vector<User>& users() const { return users_; }

 private:
  std::vector<User> users_;
};

}  // namespace gradcap
