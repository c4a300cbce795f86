// Transport keys on disk. A keys directory holds the coordinator's CURVE pair
// and one pair per enrolled booth, Z85 text, secrets readable by the owner
// only:
//   coordinator.public  coordinator.secret
//   booths/<booth>.public  booths/<booth>.secret
//   admins/<name>.public   admins/<name>.secret
// The coordinator needs coordinator.secret and every booths/*.public and
// admins/*.public; a booth laptop needs coordinator.public and its own
// booths/<booth>.secret; an administrator's tool coordinator.public and
// admins/<name>.secret. Names follow the booth-id rule (common/booth_id.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/transport.h"

namespace gradcap {

// Creates the coordinator pair; AlreadyExists if there is one.
absl::Status InitTransportKeys(const std::string& dir);
// Creates (or, with `replace`, replaces) the pair of `booth`.
absl::Status EnrollBooth(const std::string& dir, const std::string& booth, bool replace);

// Creates (or, with `replace`, replaces) the pair of administrator `name`,
// who may then use the coordinator's admin socket.
absl::Status EnrollAdmin(const std::string& dir, const std::string& name, bool replace);

// Offline revocation (the coordinator stopped): renames `folder`/`name`.public
// and .secret (folder "booths" or "admins") to *.revoked, so the coordinator
// no longer loads the key and `name` may be enrolled afresh. Returns the
// revoked public key; NotFound when none is enrolled.
absl::StatusOr<std::string> RevokeKeyFiles(const std::string& dir, const std::string& folder,
                                           const std::string& name);

// The coordinator's own pair, from coordinator.secret.
absl::StatusOr<CurveKeyPair> LoadCoordinatorKeys(const std::string& dir);
// Every enrolled booth: (public key, booth id).
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> LoadEnrolledBooths(const std::string& dir);
// Every enrolled administrator: (public key, name); none when there is no
// admins/ folder.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> LoadEnrolledAdmins(const std::string& dir);
// A booth's (or an administrator's) own pair and the coordinator's public key.
struct BoothKeys {
  CurveKeyPair booth;
  std::string coordinator_public_key;
};
absl::StatusOr<BoothKeys> LoadBoothKeys(const std::string& dir, const std::string& booth);
absl::StatusOr<BoothKeys> LoadAdminKeys(const std::string& dir, const std::string& name);

}  // namespace gradcap
