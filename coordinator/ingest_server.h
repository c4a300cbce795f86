// The coordinator's loop: one thread owning the booth socket, the event log
// and the state. Booth messages (booth_protocol.h) are staged as they arrive;
// whenever no write is running the stage is sealed and written in one synced
// batch by the group committer (group_committer.h) while the loop goes on
// receiving and staging the next group; replies (acks, resend-from, errors)
// leave in arrival order once their group is on disk. Between groups the
// loop takes validator results (verdict_path.h) and admin requests
// (admin_server.h). Bad input gets an ErrorReply and a logged Rejection; the
// loop keeps serving.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/envelope.h"
#include "common/event_log.h"
#include "common/transport.h"
#include "coordinator/booth_protocol.h"
#include "coordinator/event_applier.h"
#include "coordinator/group_committer.h"
#include "coordinator/reply.h"
#include "coordinator/validator_broker.h"
#include "coordinator/verdict_path.h"

namespace gradcap {

class AdminServer;
class LivePublisher;
class LiveView;

struct IngestOptions {
  std::string endpoint = "tcp://127.0.0.1:5555";
  int max_batch_events = 4096;
  size_t max_batch_bytes = 64u << 20;
  size_t max_message_bytes = kMaxEnvelopeBytes;
  int stats_interval_ms = 10000;  // 0: no periodic stats line
  bool record_batch_sizes = false;  // for benchmarks: keep every commit's record count
  // CURVE: when set, only enrolled booths connect (a CurveAuthenticator must
  // be running), and each may only send events in its own name.
  std::optional<CurveKeyPair> curve_keys;
  // That authenticator, when revocations must reach open connections (the
  // admin socket's `revoke_key`); not owned.
  CurveAuthenticator* authenticator = nullptr;
  // Each booth's share (0: unlimited), and how refusals are logged.
  RateLimit booth_rate;
  RefusalPolicy refusals;
};

class IngestServer {
 public:
  IngestServer(EventLog* log, EventApplier* applier, const Clock* clock, IngestOptions options);
  ~IngestServer();

  absl::Status Bind();
  // Sends committed photos to the validator pool and records its verdicts;
  // photos the state still holds without a verdict (after a restart) go
  // first. Call before Run().
  void AttachBroker(ValidatorBroker* broker);
  // Serves the admin socket between groups. Call before Run().
  void AttachAdmin(AdminServer* admin);
  // Serves live subscribers and publishes what changed after each group.
  // Call before Run().
  void AttachLive(LivePublisher* publisher, LiveView* view);
  const BoothProtocol& booths() const { return booths_; }
  const RefusalRecorder& refusals() const { return refusals_; }
  // Wakes Run() (any thread): the broker has results.
  void Wake();
  std::string endpoint() const;  // the bound endpoint, port resolved

  // Serves until `stop` becomes true or a commit fails (then returns its error:
  // the process should exit and be restarted; the log is intact).
  absl::Status Run(const std::atomic<bool>& stop);
  const IngestStats& stats() const { return stats_; }

 private:
  // Starts writing the stage if no write is running.
  absl::Status MaybeStartCommit();
  // Waits for the running write (if any), then sends its replies.
  absl::Status FinishCommit();
  // Everything staged is on disk and answered when this returns OK.
  absl::Status CommitNow();
  absl::Status ReceiveBooths();
  void Send(const std::string& routing_id, v1::Envelope& envelope);
  void MaybeLogStats();

  EventLog* log_;
  const Clock* clock_;
  IngestOptions options_;
  IngestStats stats_;
  std::unique_ptr<MessageSocket> socket_;
  GroupCommitter committer_;
  RefusalRecorder refusals_;
  BoothProtocol booths_;
  VerdictPath verdicts_;
  AdminServer* admin_ = nullptr;
  LivePublisher* live_ = nullptr;
  LiveView* view_ = nullptr;
  std::vector<Reply> replies_;             // for the stage
  std::vector<Reply> committing_replies_;  // for the batch being written
  size_t staged_wire_bytes_ = 0;
  int64_t last_stats_ms_ = 0;
  std::chrono::steady_clock::time_point commit_started_;
};

}  // namespace gradcap
