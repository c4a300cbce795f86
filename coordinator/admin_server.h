// The coordinator's admin socket (`coordinator --admin ENDPOINT`): the
// registrar's imports, head counts, closing a college, queries about a
// student or a booth, and waits for drills — on the running coordinator,
// served on the ingest thread between groups, so they see exactly the state
// the booths see (answers come from admin_service.h). Every change is one
// AdminRecord in the chained log naming who made it — the enrolled admin
// key's name under CURVE, otherwise the name the client gave — and is
// answered only once it is on disk. A request that cannot be taken is
// answered with an AdminError and changes nothing; booths never notice.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/transport.h"
#include "coordinator/admin_service.h"

namespace gradcap {

struct AdminOptions {
  std::string endpoint;                    // e.g. tcp://127.0.0.1:5558
  std::optional<CurveKeyPair> curve_keys;  // CURVE server: only enrolled admin keys get in
  const CurveAuthenticator* authenticator = nullptr;  // when set: a revoked admin's requests are refused
};

class AdminServer {
 public:
  AdminServer(AdminOptions options, AdminService* service, const Clock* clock);
  ~AdminServer();

  absl::Status Bind();
  std::string endpoint() const;
  MessageSocket* socket() { return socket_.get(); }

  // Serves every request waiting on the socket. An error is a failed commit:
  // the coordinator must stop (the log on disk is intact).
  absl::Status ServeWaiting(const AdminContext& context);
  // Answers the waits that are met, or whose time is up.
  absl::Status AnswerWaits(const AdminContext& context);

 private:
  struct PendingWait {
    std::string routing_id;
    uint64_t request_id = 0;
    v1::WaitRequest wait;
    int64_t deadline_ms = 0;  // monotonic
  };

  absl::Status Serve(const std::string& routing_id, const std::string& sender, const std::string& raw,
                     const AdminContext& context);
  void Send(const std::string& routing_id, const v1::AdminReply& reply);

  AdminOptions options_;
  AdminService* service_;
  const Clock* clock_;
  std::unique_ptr<MessageSocket> socket_;
  std::vector<PendingWait> waits_;
};

}  // namespace gradcap
