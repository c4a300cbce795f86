// `gradcap users add|remove|passwd|list --users FILE`: who may log in to the
// supervisor view. Passwords are read from stdin (one line; not echoed on a
// terminal) and stored only as Argon2id hashes.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "admin/cli_commands.h"
#include "supervisor/secrets.h"
#include "supervisor/users.h"

namespace gradcap::cli {
namespace {

std::optional<std::string> ReadPassword(const std::string& name) {
  const bool tty = ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "password for %s: ", name.c_str());
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (!got || line.empty()) return std::nullopt;
  return line;
}

int Refuse(const std::string& verb, const absl::Status& status) {
  std::fprintf(stderr, "gradcap users %s: %s\n", verb.c_str(), std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int Users(const std::string& verb, const UsersArgs& args) {
  if (args.file.empty()) {
    std::fprintf(stderr, "gradcap users %s: --users FILE is required\n", verb.c_str());
    return 2;
  }
  absl::StatusOr<UsersFile> file = UsersFile::Load(args.file);
  if (!file.ok() && !(absl::IsNotFound(file.status()) && verb == "add")) return Refuse(verb, file.status());
  UsersFile users = file.ok() ? std::move(*file) : UsersFile();
  if (verb == "list") {
    for (const User& user : users.users()) {
      std::printf("%s\t%s\t%s\t%s\n", user.name.c_str(), RoleName(user.role),
                  absl::StrJoin(user.colleges, ",").c_str(), user.photos ? "photos" : "-");
    }
    return 0;
  }
  if (args.name.empty()) {
    std::fprintf(stderr, "gradcap users %s: --name NAME is required\n", verb.c_str());
    return 2;
  }
  absl::Status done;
  if (verb == "remove") {
    done = users.Remove(args.name);
  } else {
    User user;
    if (verb == "add") {
      std::optional<Role> role = ParseRole(args.role);
      if (!role) {
        std::fprintf(stderr, "gradcap users add: --role office|college\n");
        return 2;
      }
      user.name = args.name;
      user.role = *role;
      if (!args.college.empty()) user.colleges = absl::StrSplit(args.college, ',', absl::SkipEmpty());
      user.photos = *role == Role::kOffice || args.photos;  // the office always has the photos right
      if (users.Find(args.name) != nullptr) {
        return Refuse(verb,
                      absl::AlreadyExistsError("user " + args.name + " already exists (passwd changes it)"));
      }
      if (user.role == Role::kCollege && user.colleges.empty()) {
        return Refuse(verb, absl::InvalidArgumentError("a college lead needs --college NAME[,NAME]"));
      }
    } else if (users.Find(args.name) == nullptr) {
      return Refuse(verb, absl::NotFoundError("no user " + args.name));
    }
    std::optional<std::string> password = ReadPassword(args.name);
    if (!password) return Refuse(verb, absl::InvalidArgumentError("no password on stdin (one line)"));
    absl::StatusOr<std::string> hash = HashPassword(*password);
    if (!hash.ok()) return Refuse(verb, hash.status());
    if (verb == "add") {
      user.password_hash = *hash;
      done = users.Add(std::move(user));
    } else {
      done = users.SetPasswordHash(args.name, *hash);
    }
  }
  if (!done.ok()) return Refuse(verb, done);
  if (absl::Status saved = users.Save(args.file); !saved.ok()) return Refuse(verb, saved);
  std::printf("ok\n");
  return 0;
}

}  // namespace gradcap::cli
