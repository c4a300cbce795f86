#include "supervisor/users.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/booth_id.h"
#include "common/file_util.h"
#include "common/status_macros.h"

namespace gradcap {

using Json = nlohmann::json;

std::string Scope::key() const {
  return absl::StrCat(all_colleges ? "*" : absl::StrJoin(colleges, "\x1f"), photos ? "|p" : "|-");
}

Scope ScopeOf(const User& user) {
  Scope scope;
  scope.all_colleges = user.role == Role::kOffice;
  if (!scope.all_colleges) scope.colleges.insert(user.colleges.begin(), user.colleges.end());
  scope.photos = user.photos;
  return scope;
}

const char* RoleName(Role role) { return role == Role::kOffice ? "office" : "college"; }

std::optional<Role> ParseRole(const std::string& name) {
  if (name == "office") return Role::kOffice;
  if (name == "college") return Role::kCollege;
  return std::nullopt;
}

absl::StatusOr<UsersFile> UsersFile::Load(const std::string& path) {
  if (!std::filesystem::exists(path)) return absl::NotFoundError(absl::StrCat("no users file at ", path));
  GRADCAP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || !json.contains("users") || !json["users"].is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a users file (JSON with a \"users\" list)"));
  }
  UsersFile file;
  for (const Json& entry : json["users"]) {
    User user;
    try {
      user.name = entry.at("name").get<std::string>();
      std::optional<Role> role = ParseRole(entry.at("role").get<std::string>());
      if (!role)
        return absl::InvalidArgumentError(absl::StrCat(path, ": user ", user.name, " has an unknown role"));
      user.role = *role;
      user.colleges = entry.value("colleges", std::vector<std::string>{});
      user.photos = entry.value("photos", false);
      user.password_hash = entry.value("password_hash", "");
    } catch (const Json::exception& e) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": a user entry is incomplete: ", e.what()));
    }
    GRADCAP_RETURN_IF_ERROR(file.Add(std::move(user)));
  }
  return file;
}

absl::Status UsersFile::Save(const std::string& path) const {
  Json list = Json::array();
  for (const User& user : users_) {
    list.push_back({{"name", user.name},
                    {"role", RoleName(user.role)},
                    {"colleges", user.colleges},
                    {"photos", user.photos},
                    {"password_hash", user.password_hash}});
  }
  return WriteFileAtomically(path, Json{{"users", list}}.dump(2) + "\n", 0600);
}

absl::Status UsersFile::Add(User user) {
  if (absl::Status name = CheckBoothId(user.name); !name.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("user name: ", name.message()));
  }
  if (Find(user.name) != nullptr)
    return absl::AlreadyExistsError(absl::StrCat("user ", user.name, " already exists"));
  if (user.role == Role::kCollege && user.colleges.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("user ", user.name, " leads a college: name it (--college)"));
  }
  if (user.role == Role::kOffice) user.colleges.clear();
  users_.push_back(std::move(user));
  return absl::OkStatus();
}

absl::Status UsersFile::Remove(const std::string& name) {
  auto it = std::find_if(users_.begin(), users_.end(), [&](const User& u) { return u.name == name; });
  if (it == users_.end()) return absl::NotFoundError(absl::StrCat("no user ", name));
  users_.erase(it);
  return absl::OkStatus();
}

absl::Status UsersFile::SetPasswordHash(const std::string& name, const std::string& hash) {
  for (User& user : users_) {
    if (user.name == name) {
      user.password_hash = hash;
      return absl::OkStatus();
    }
  }
  return absl::NotFoundError(absl::StrCat("no user ", name));
}

const User* UsersFile::Find(const std::string& name) const {
  for (const User& user : users_) {
    if (user.name == name) return &user;
  }
  return nullptr;
}

}  // namespace gradcap
