// The booth side of the coordinator (DESIGN.md, "Delivery"): each message
// from a booth DEALER is checked, put through the seq rules and — when it is
// the next event — decided by the applier and staged in the event log, with
// the reply it will get once the stage is committed. Bad input gets an
// ErrorReply and a logged Rejection; heartbeats are answered with the
// committed progress and the booth's queue. Ingest thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/clock.h"
#include "common/envelope.h"
#include "common/event_log.h"
#include "common/transport.h"
#include "coordinator/event_applier.h"
#include "coordinator/rate_limiter.h"
#include "coordinator/refusal_recorder.h"
#include "coordinator/reply.h"

namespace gradcap {

struct IngestStats {
  uint64_t applied = 0;
  uint64_t duplicates = 0;
  uint64_t gaps = 0;
  uint64_t rejected = 0;      // refused messages, logged one by one or counted
  uint64_t rate_limited = 0;  // of those: over the peer's rate (not read)
  uint64_t revoked = 0;       // of those: from a revoked key's open connection
  uint64_t heartbeats = 0;
  uint64_t verdicts = 0;
  uint64_t batches = 0;
  uint64_t batch_events = 0;  // events staged over all batches
  std::vector<uint32_t> batch_sizes;  // when IngestOptions::record_batch_sizes
  int64_t commit_us = 0;              // time spent in synced writes
};

// What guards the booth socket besides parsing.
struct BoothGuards {
  // CURVE is on: each connection carries the name it was enrolled under and
  // may only speak for that booth.
  bool authenticated = false;
  // When set, a name revoked there is refused unread.
  const CurveAuthenticator* authenticator = nullptr;
  RateLimit rate;  // per enrolled name under CURVE, else per connection
};

class BoothProtocol {
 public:
  // `refusals` logs or counts every refused message (shared with the verdict path).
  BoothProtocol(EventLog* log, EventApplier* applier, const Clock* clock, size_t max_message_bytes,
                BoothGuards guards, RefusalRecorder* refusals, IngestStats* stats);

  // One message from the booth socket: [routing id, envelope]; `sender` is
  // the authenticated name (empty without CURVE), `peer_address` its
  // connection's IP address. Replies go to `replies`.
  void Handle(Frames&& frames, const std::string& sender, const std::string& peer_address,
              std::vector<Reply>* replies);

  // The booth's latest connection, empty when it never spoke.
  std::string RoutingOf(const std::string& booth) const;
  // Monotonic ms when the booth was last heard; -1 never.
  int64_t LastHeardMs(const std::string& booth) const;
  // The booth's clock-time of that (for people), and its outbox backlog as
  // its last heartbeat said.
  int64_t LastHeardWallMs(const std::string& booth) const;
  uint64_t OutboxDepth(const std::string& booth) const;

 private:
  void HandleEvent(const std::string& routing_id, v1::BoothEvent&& event, const std::string& raw);
  void HandleHeartbeat(const std::string& routing_id, const v1::Heartbeat& heartbeat, const std::string& raw);
  // False (after refusing the message) when CURVE says the sender is not `booth`.
  bool SenderIs(const std::string& booth, const std::string& routing_id, const std::string& raw,
                const v1::EventId* id);
  void Refuse(const std::string& routing_id, const WireError& error, const std::string& raw, const v1::EventId* id);
  // Whom refusals are counted for (RefusalRecorder).
  std::string CountKey(const std::string& routing_id) const;
  // Refused before reading: the detail is made only when the refusal is logged.
  void RefuseUnread(const std::string& routing_id, v1::ErrorCode code, const std::function<std::string()>& detail,
                    const std::string& raw);

  EventLog* log_;
  EventApplier* applier_;
  const Clock* clock_;
  size_t max_message_bytes_;
  bool authenticated_;
  const CurveAuthenticator* authenticator_;
  RateLimiter rate_;
  RefusalRecorder* refusals_;
  IngestStats* stats_;
  std::string sender_;               // of the message being handled
  std::string peer_address_;         // of the message being handled
  std::vector<Reply>* replies_ = nullptr;  // of the message being handled
  void Heard(const std::string& booth, const std::string& routing_id);
  absl::flat_hash_map<std::string, int64_t> last_heard_ms_;
  absl::flat_hash_map<std::string, int64_t> last_heard_wall_ms_;
  absl::flat_hash_map<std::string, uint64_t> outbox_depth_;
  absl::flat_hash_map<std::string, std::string> routing_of_;  // booth → its latest routing id
};

}  // namespace gradcap
