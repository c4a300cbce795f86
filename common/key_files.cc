#include "common/key_files.h"

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
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", tmp.string()));
    out << key << "\n";
    if (!out.flush()) return absl::UnavailableError(absl::StrCat("cannot write ", tmp.string()));
  }
  if (secret) ::chmod(tmp.c_str(), 0600);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot write ", path.string(), ": ", ec.message()));
  return absl::OkStatus();
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

absl::Status EnrollBooth(const std::string& dir, const std::string& booth, bool replace) {
  if (booth.empty() || booth.find('/') != std::string::npos || booth.find('.') == 0) {
    return absl::InvalidArgumentError(absl::StrCat("\"", booth, "\" is not a usable booth id"));
  }
  const fs::path base = fs::path(dir) / "booths" / booth;
  if (!fs::exists(fs::path(dir) / "coordinator.public")) {
    return absl::FailedPreconditionError(absl::StrCat(dir, " has no coordinator keys yet: run init first"));
  }
  if (!replace && fs::exists(base.string() + ".public")) {
    return absl::AlreadyExistsError(absl::StrCat("booth ", booth, " is already enrolled in ", dir));
  }
  GRADCAP_ASSIGN_OR_RETURN(CurveKeyPair pair, NewCurveKeyPair());
  return WritePair(base, pair);
}

absl::StatusOr<CurveKeyPair> LoadCoordinatorKeys(const std::string& dir) {
  GRADCAP_ASSIGN_OR_RETURN(std::string secret, ReadKey(fs::path(dir) / "coordinator.secret"));
  GRADCAP_ASSIGN_OR_RETURN(std::string pub, CurvePublicKey(secret));
  return CurveKeyPair{pub, secret};
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> LoadEnrolledBooths(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "booths", ec)) {
    if (entry.path().extension() != ".public") continue;
    GRADCAP_ASSIGN_OR_RETURN(std::string key, ReadKey(entry.path()));
    out.emplace_back(std::move(key), entry.path().stem().string());
  }
  if (ec) return absl::NotFoundError(absl::StrCat("cannot list ", dir, "/booths: ", ec.message()));
  return out;
}

absl::StatusOr<BoothKeys> LoadBoothKeys(const std::string& dir, const std::string& booth) {
  BoothKeys keys;
  GRADCAP_ASSIGN_OR_RETURN(keys.coordinator_public_key, ReadKey(fs::path(dir) / "coordinator.public"));
  GRADCAP_ASSIGN_OR_RETURN(keys.booth.secret_key, ReadKey(fs::path(dir) / "booths" / (booth + ".secret")));
  GRADCAP_ASSIGN_OR_RETURN(keys.booth.public_key, CurvePublicKey(keys.booth.secret_key));
  return keys;
}

}  // namespace gradcap
