// The coordinator's live feed (`coordinator --live ENDPOINT`; the protocol
// is in proto/gradcap.proto at LiveSubscribe): zguide's Clone pattern on one
// ROUTER socket. Each update is numbered within this process's run and kept
// in a bounded ring, so a subscriber that reconnects gets what it missed, or
// a fresh snapshot when it missed too much or the coordinator restarted.
//
// A subscriber is never waited for: sends never block, and one whose queue is
// full (or that has been silent for 15 s) is dropped and must subscribe
// again. Owned by the ingest thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "common/clock.h"
#include "common/transport.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

struct LiveOptions {
  std::string endpoint;                    // e.g. tcp://127.0.0.1:5559
  std::optional<CurveKeyPair> curve_keys;  // CURVE server in the admin keys' domain
  // Updates held for subscribers that come back (older: they get a snapshot),
  // at most this many and this many bytes: a booth's update carries its
  // queue and recent verdicts, and 20,000 parsed updates held ~100 MB
  // (bench/load_bench, 100 booths).
  size_t keep_updates = 20000;
  size_t keep_bytes = 16u << 20;
  int heartbeat_ms = 1000;
  int subscriber_timeout_ms = 15000;
  int send_queue = 2000;                   // messages queued per subscriber before it is dropped
  // The time updates and heartbeats tell viewers (now_ms); the publisher's own
  // clock when null. A time-lapse shows the day's time.
  const Clock* state_clock = nullptr;
  // When set, a revoked admin key's subscriptions end at once (checked every Tick).
  const CurveAuthenticator* authenticator = nullptr;
};

struct LiveStats {
  uint64_t published = 0, snapshots = 0, resumed = 0, dropped = 0;
};

class LivePublisher {
 public:
  LivePublisher(LiveOptions options, const Clock* clock);
  ~LivePublisher();

  absl::Status Bind();
  std::string endpoint() const;
  MessageSocket* socket() { return socket_.get(); }
  const std::string& run() const { return run_; }
  uint64_t seq() const { return seq_; }
  size_t subscribers() const { return subscribers_.size(); }
  const LiveStats& stats() const { return stats_; }

  // Serves every subscription waiting on the socket; `snapshot` makes a fresh
  // snapshot (this publisher fills in run and seq).
  void ServeWaiting(const std::function<v1::LiveSnapshot()>& snapshot);
  // Numbers `update` and sends it to every subscriber.
  void Publish(v1::LiveUpdate update);
  // Sends the heartbeat when due and drops silent subscribers.
  void Tick();

 private:
  void Serve(const std::string& routing_id, const std::string& user, const std::string& raw,
             const std::function<v1::LiveSnapshot()>& snapshot);
  bool Revoked(const std::string& user) const;
  void DropRevoked();
  // False (and the subscriber dropped) when it cannot take the message now.
  bool SendTo(const std::string& routing_id, v1::Envelope& envelope);
  bool SendBytesTo(const std::string& routing_id, const std::string& envelope_bytes);

  LiveOptions options_;
  const Clock* clock_;
  std::unique_ptr<MessageSocket> socket_;
  std::string run_;
  uint64_t seq_ = 0;
  // The last updates, seq order, as the envelopes sent: kept serialized, so
  // they take their wire size (a parsed message takes several times that).
  struct Kept {
    uint64_t seq;
    std::string envelope;
  };
  std::deque<Kept> kept_;
  size_t kept_bytes_ = 0;
  struct Subscriber {
    int64_t heard_ms = 0;  // monotonic
    std::string user;      // the enrolled key's name (CURVE)
  };
  absl::flat_hash_map<std::string, Subscriber> subscribers_;  // by routing id
  int64_t last_heartbeat_ms_ = 0;
  LiveStats stats_;
};

}  // namespace gradcap
