#include "common/key_files.h"

#include "common/booth_id.h"
#include "common/file_util.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadKey(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read key file ", path.string()));
  std::string key;
  std::getline(in, key);
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
  if (key.size() != 40) {
    return absl::InvalidArgumentError(
        absl::StrCat("key file ", path.string(), " does not hold a 40-character Z85 key"));
  }
  return key;
}

absl::Status WriteKey(const fs::path& path, const std::string& key, bool secret) {
  return WriteFileAtomically(path.string(), key + "\n", secret ? 0600 : 0644);
}

absl::Status WritePair(const fs::path& base, const CurveKeyPair& pair) {
  GRADCAP_RETURN_IF_ERROR(WriteKey(base.string() + ".secret", pair.secret_key, true));
  return WriteKey(base.string() + ".public", pair.public_key, false);
}

}  // namespace

absl::Status InitTransportKeys(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "booths", ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  if (fs::exists(fs::path(dir) / "coordinator.secret")) {
    return absl::AlreadyExistsError(
        absl::StrCat(dir, " already holds coordinator keys; enrolled booths depend on them"));
  }
  GRADCAP_ASSIGN_OR_RETURN(CurveKeyPair pair, NewCurveKeyPair());
  return WritePair(fs::path(dir) / "coordinator", pair);
}

namespace {

absl::Status Enroll(const std::string& dir, const char* folder, const char* what, const std::string& name,
                    bool replace) {
  GRADCAP_RETURN_IF_ERROR(CheckBoothId(name));
  const fs::path base = fs::path(dir) / folder / name;
  if (!fs::exists(fs::path(dir) / "coordinator.public")) {
    return absl::FailedPreconditionError(absl::StrCat(dir, " has no coordinator keys yet: run init first"));
  }
  if (!replace && fs::exists(base.string() + ".public")) {
    return absl::AlreadyExistsError(absl::StrCat(what, " ", name, " is already enrolled in ", dir));
  }
  std::error_code ec;
  fs::create_directories(fs::path(dir) / folder, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", dir, "/", folder, ": ", ec.message()));
  GRADCAP_ASSIGN_OR_RETURN(CurveKeyPair pair, NewCurveKeyPair());
  return WritePair(base, pair);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> LoadEnrolled(const std::string& dir,
                                                                              const char* folder) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / folder, ec)) {
    if (entry.path().extension() != ".public") continue;
    GRADCAP_ASSIGN_OR_RETURN(std::string key, ReadKey(entry.path()));
    out.emplace_back(std::move(key), entry.path().stem().string());
  }
  if (ec) return absl::NotFoundError(absl::StrCat("cannot list ", dir, "/", folder, ": ", ec.message()));
  return out;
}

absl::StatusOr<BoothKeys> LoadOwnKeys(const std::string& dir, const char* folder, const std::string& name) {
  GRADCAP_RETURN_IF_ERROR(CheckBoothId(name));
  BoothKeys keys;
  GRADCAP_ASSIGN_OR_RETURN(keys.coordinator_public_key, ReadKey(fs::path(dir) / "coordinator.public"));
  GRADCAP_ASSIGN_OR_RETURN(keys.booth.secret_key, ReadKey(fs::path(dir) / folder / (name + ".secret")));
  GRADCAP_ASSIGN_OR_RETURN(keys.booth.public_key, CurvePublicKey(keys.booth.secret_key));
  return keys;
}

}  // namespace

absl::Status EnrollBooth(const std::string& dir, const std::string& booth, bool replace) {
  return Enroll(dir, "booths", "booth", booth, replace);
}

absl::Status EnrollAdmin(const std::string& dir, const std::string& name, bool replace) {
  return Enroll(dir, "admins", "administrator", name, replace);
}

absl::StatusOr<std::string> RevokeKeyFiles(const std::string& dir, const std::string& folder,
                                           const std::string& name) {
  GRADCAP_RETURN_IF_ERROR(CheckBoothId(name));
  if (folder != "booths" && folder != "admins") {
    return absl::InvalidArgumentError(absl::StrCat("keys live under booths/ or admins/, not ", folder, "/"));
  }
  const fs::path base = fs::path(dir) / folder / name;
  const fs::path public_file = base.string() + ".public";
  if (!fs::exists(public_file)) {
    return absl::NotFoundError(absl::StrCat("no key for ", name, " in ", dir, "/", folder));
  }
  GRADCAP_ASSIGN_OR_RETURN(std::string key, ReadKey(public_file));
  for (const char* ext : {".secret", ".public"}) {
    const fs::path from = base.string() + ext;
    if (!fs::exists(from)) continue;
    std::error_code ec;
    fs::rename(from, base.string() + ext + ".revoked", ec);
    if (ec) return absl::UnavailableError(absl::StrCat("cannot rename ", from.string(), ": ", ec.message()));
  }
  return key;
}

absl::StatusOr<CurveKeyPair> LoadCoordinatorKeys(const std::string& dir) {
  GRADCAP_ASSIGN_OR_RETURN(std::string secret, ReadKey(fs::path(dir) / "coordinator.secret"));
  GRADCAP_ASSIGN_OR_RETURN(std::string pub, CurvePublicKey(secret));
  return CurveKeyPair{pub, secret};
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> LoadEnrolledBooths(const std::string& dir) {
  return LoadEnrolled(dir, "booths");
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> LoadEnrolledAdmins(const std::string& dir) {
  if (!fs::exists(fs::path(dir) / "admins")) return std::vector<std::pair<std::string, std::string>>();
  return LoadEnrolled(dir, "admins");
}

absl::StatusOr<BoothKeys> LoadBoothKeys(const std::string& dir, const std::string& booth) {
  return LoadOwnKeys(dir, "booths", booth);
}

absl::StatusOr<BoothKeys> LoadAdminKeys(const std::string& dir, const std::string& name) {
  return LoadOwnKeys(dir, "admins", name);
}

}  // namespace gradcap
