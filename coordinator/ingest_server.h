// The coordinator's booth-facing loop: a ROUTER socket taking Envelopes from
// booth DEALERs, applying the seq rules, group-committing to the EventLog and
// replying — acks only after the synced write (DESIGN.md, "Delivery").
//
// Messages are staged as they arrive; whenever no commit is running, the
// stage is sealed and written (one synced batch) by a committer thread while
// the loop goes on receiving and staging the next group. Replies (acks,
// resend-from, errors) leave in arrival order once their group is on disk.
// Bad input gets an ErrorReply and a logged Rejection; the loop keeps
// serving. Run() owns the socket and the log; only the write is elsewhere.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "common/clock.h"
#include "common/envelope.h"
#include "common/transport.h"
#include "coordinator/event_applier.h"
#include "common/event_log.h"
#include "coordinator/validator_broker.h"

namespace gradcap {

// An accepted photo (or retake) waiting for its verdict.
struct PendingPhoto {
  std::string sha256;  // raw digest
  uint64_t log_seq = 0;
  std::string booth;
  uint32_t shooting_no = 0;
  std::string student_no;
  std::string enrolment_photo;  // path, for face_match; filled when awaited
};
// The pending photo an applied record carries, if it is an accepted photo or retake.
std::optional<PendingPhoto> PendingPhotoOf(const v1::AppliedEvent& applied, uint64_t log_seq);

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
};

struct IngestStats {
  uint64_t applied = 0;
  uint64_t duplicates = 0;
  uint64_t gaps = 0;
  uint64_t rejected = 0;
  uint64_t heartbeats = 0;
  uint64_t verdicts = 0;
  uint64_t batches = 0;
  uint64_t batch_events = 0;  // events staged over all batches
  std::vector<uint32_t> batch_sizes;  // when IngestOptions::record_batch_sizes
  int64_t commit_us = 0;              // time spent in synced writes
};

class IngestServer {
 public:
  IngestServer(EventLog* log, EventApplier* applier, const Clock* clock, IngestOptions options);
  ~IngestServer();

  absl::Status Bind();
  // Sends committed photos to the validator pool and records its verdicts;
  // `unvalidated` are photos already in the log without one (after a restart),
  // `known` the results already recorded (by photo digest): the same bytes
  // sent again get the recorded result without another check.
  void AttachBroker(ValidatorBroker* broker, std::vector<PendingPhoto> unvalidated,
                    absl::flat_hash_map<std::string, v1::ValidationResult> known);
  // Wakes Run() (any thread): the broker has results.
  void Wake();
  std::string endpoint() const;  // the bound endpoint, port resolved

  // Serves until `stop` becomes true or a commit fails (then returns its error:
  // the process should exit and be restarted; the log is intact).
  absl::Status Run(const std::atomic<bool>& stop);
  const IngestStats& stats() const { return stats_; }

 private:
  struct Reply {
    std::string routing_id;
    v1::Envelope envelope;
    bool lookup_ack = false;  // a duplicate: fill in the stored ack after commit
    std::optional<PendingPhoto> photo;  // to validate once committed
  };

  void Handle(Frames&& frames);
  void HandleEvent(const std::string& routing_id, v1::BoothEvent&& event, const std::string& raw);
  void HandleHeartbeat(const std::string& routing_id, const v1::Heartbeat& heartbeat, const std::string& raw);
  // False (after refusing the message) when CURVE says the sender is not `booth`.
  bool SenderIs(const std::string& booth, const std::string& routing_id, const std::string& raw,
                const v1::EventId* id);
  void Refuse(const std::string& routing_id, const WireError& error, const std::string& raw,
              const v1::EventId* id);
  // Starts writing the stage if no write is running.
  void MaybeStartCommit();
  // Waits for the running write (if any), then sends its replies.
  absl::Status FinishCommit();
  void Send(const std::string& routing_id, v1::Envelope& envelope);
  void MaybeLogStats();
  void StageVerdicts();

  EventLog* log_;
  EventApplier* applier_;
  const Clock* clock_;
  IngestOptions options_;
  std::unique_ptr<MessageSocket> socket_;
  std::string sender_;                   // authenticated name of the current message's peer
  std::vector<Reply> replies_;           // for the stage
  std::vector<Reply> committing_replies_;  // for the batch being written
  class Committer;
  std::unique_ptr<Committer> committer_;
  size_t staged_wire_bytes_ = 0;
  IngestStats stats_;
  int64_t last_stats_ms_ = 0;
  std::chrono::steady_clock::time_point commit_started_;
  absl::flat_hash_map<std::string, int64_t> last_heard_ms_;
  absl::flat_hash_map<std::string, std::string> routing_of_;  // booth → its latest routing id
  ValidatorBroker* broker_ = nullptr;
  absl::flat_hash_map<std::string, std::vector<PendingPhoto>> awaiting_verdict_;  // by photo digest
  absl::flat_hash_map<std::string, v1::ValidationResult> known_results_;         // by photo digest
  void AwaitVerdict(PendingPhoto photo);
  void StageVerdict(const PendingPhoto& photo, const v1::ValidationResult& result);
};

}  // namespace gradcap
