// How `gradcap` (and drills) carry out an admin request: through a running
// coordinator's admin socket, or — when no coordinator holds the database —
// on the database itself with the very code the coordinator runs
// (coordinator/admin_service.h). Either way the answer is an AdminReply;
// Call() turns its AdminError into an absl::Status with the same code.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/transport.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

class AdminTarget {
 public:
  virtual ~AdminTarget() = default;
  // Answers `request`; an AdminError in the reply becomes the status.
  absl::StatusOr<v1::AdminReply> Call(v1::AdminRequest request);
  // Where requests go, for messages ("coordinator at tcp://…" or "database DIR").
  virtual std::string where() const = 0;

 protected:
  virtual absl::StatusOr<v1::AdminReply> Exchange(const v1::AdminRequest& request) = 0;
};

struct RemoteOptions {
  std::string endpoint;
  std::string actor;                 // who asks (ignored by a CURVE coordinator: the key names the admin)
  std::optional<CurveKeyPair> keys;  // CURVE client: the admin's own pair
  std::string server_public_key;
  int timeout_ms = 15000;            // per request, plus a wait's own timeout
};

// A running coordinator's admin socket.
absl::StatusOr<std::unique_ptr<AdminTarget>> ConnectAdmin(const RemoteOptions& options);

// The database in `db` itself, opened read-write (FailedPrecondition naming
// the holder when a coordinator runs on it). Only `create` makes a new,
// empty database where there is none (the first import); otherwise a
// missing database is NotFound.
absl::StatusOr<std::unique_ptr<AdminTarget>> OpenLocalAdmin(const std::string& db, const std::string& actor,
                                                            bool create = false);

// The admin endpoint a coordinator holding `db` advertises there, if any.
std::optional<std::string> AdvertisedAdminEndpoint(const std::string& db);

}  // namespace gradcap
