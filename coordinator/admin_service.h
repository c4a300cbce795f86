// How the coordinator answers admin requests (see admin_server.h): the same
// code serves the running coordinator's admin socket and, when no
// coordinator holds the database, the `gradcap` tool on the database itself,
// so both give the same answers and write the same records.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/event_log.h"
#include "common/transport.h"
#include "coordinator/capture_day.h"
#include "registry/registry.h"
#include "registry/registry_import.h"

namespace gradcap {

inline constexpr uint32_t kMaxAdminWaitMs = 60'000;

// What the service needs from whoever holds the log.
struct AdminContext {
  // Makes everything staged durable now (a failure stops the coordinator).
  std::function<absl::Status()> commit;
  // Monotonic ms since the booth was last heard; -1 when never (or offline).
  std::function<int64_t(const std::string& booth)> last_heard_ago_ms;
  // The running coordinator's CURVE authenticator (revoke_key); null
  // without --keys and in offline tools.
  CurveAuthenticator* authenticator = nullptr;
};

class AdminService {
 public:
  // `day` must hold the replayed state of `log`; changes are applied to it.
  AdminService(EventLog* log, CaptureDay* day, Registry* registry, const Clock* clock);

  // Answers `request` made by `actor`: fills the reply's body, or its error
  // when the request is refused (nothing changed then). A wait is answered
  // at once with how things stand (the server holds waits that are not met).
  // An error status means a commit failed: stop (the log on disk is intact).
  absl::Status Handle(const v1::AdminRequest& request, const std::string& actor, const AdminContext& context,
                      v1::AdminReply* reply);

  // Checks a wait request; InvalidArgument says what is wrong with it.
  absl::Status CheckWait(const v1::WaitRequest& wait) const;
  bool WaitMet(const v1::WaitRequest& wait) const;
  void FillWait(const v1::WaitRequest& wait, bool reached, v1::AdminReply* reply) const;

 private:
  absl::Status Import(const v1::ImportRequest& request, const std::string& actor, const AdminContext& context,
                      v1::AdminReply* reply);
  absl::Status Keys(const v1::KeysRequest& request, const std::string& actor, const AdminContext& context,
                    v1::AdminReply* reply);
  // Stages `change` with its record naming `actor`, applies it, commits it
  // and reloads the registry. Returns the record's log position.
  absl::StatusOr<uint64_t> ApplyChange(RegistryChange& change, const std::string& actor, const AdminContext& context);
  absl::Status AckAlert(const v1::AckAlertRequest& request, const std::string& actor, const AdminContext& context,
                        v1::AdminReply* reply);
  // Closes a college: its AdminRecord with the head count, then a signed
  // checkpoint of it (when the database has a checkpoint key), one commit.
  absl::Status Close(const v1::CloseRequest& request, const std::string& actor, const AdminContext& context,
                     v1::AdminReply* reply);
  // The end of the day: a signed checkpoint of the log head.
  absl::Status Checkpoint(const std::string& actor, const AdminContext& context, v1::AdminReply* reply);
  // Logs that `actor` sees a student's plain name and ID number.
  absl::Status Unmask(const v1::UnmaskRequest& request, const std::string& actor, const AdminContext& context,
                      v1::AdminReply* reply);
  // Takes an enrolled CURVE key out at once (admin_revoke.cc).
  absl::Status RevokeKey(const v1::RevokeKeyRequest& request, const std::string& actor, const AdminContext& context,
                         v1::AdminReply* reply);
  void DescribeStudent(const std::string& student_no, v1::AdminReply* reply) const;
  void DescribeBooth(const std::string& booth, const AdminContext& context, v1::AdminReply* reply) const;
  void DescribeCoordinator(v1::AdminReply* reply) const;

  EventLog* log_;
  CaptureDay* day_;
  Registry* registry_;
  const Clock* clock_;
};

// Sets `reply`'s error from `status` (code name and message), clearing its body.
void SetAdminError(const absl::Status& status, v1::AdminReply* reply);

// What `gradcap student` and `gradcap booth` answer about the state `day`
// holds — shared with `gradcap audit replay`, which must answer the same.
v1::StudentReport StudentReportOf(const CaptureDay& day, const Registry& registry,
                                  const v1::Student& student);
// `progress`: the booth's committed epoch and seq; `last_heard_ago_ms` -1
// when not heard since the coordinator started (or offline tools).
v1::BoothReport BoothReportOf(const CaptureDay& day, const std::string& booth, const SeqProgress& progress,
                              int64_t last_heard_ago_ms);
// "not_seen", "waiting", "photographed", "absent".
const char* StudentStatusName(CaptureDay::Status status);

}  // namespace gradcap
