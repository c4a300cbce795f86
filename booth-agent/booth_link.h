// The booth's connection to its coordinator: a DEALER socket that delivers
// the outbox in order, exactly once (with the coordinator's help), through
// reconnects, coordinator restarts and lost messages. Heartbeats every
// second tell both sides who is online. Single-threaded; drive it with Poll.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "booth-agent/delivery_window.h"
#include "booth-agent/outbox.h"
#include "common/clock.h"
#include "common/transport.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

struct LinkOptions {
  std::string endpoint = "tcp://127.0.0.1:5555";
  int heartbeat_interval_ms = 1000;
  int offline_after_ms = 3000;  // no word from the coordinator for this long
  WindowConfig window;
  size_t read_chunk = 128;  // outbox events read per send turn
  // CURVE: this booth's pair and the coordinator's public key; unset: plain TCP.
  std::optional<CurveKeyPair> curve_keys;
  std::string coordinator_public_key;
};

class BoothLink {
 public:
  BoothLink(Outbox* outbox, const Clock* clock, LinkOptions options);
  ~BoothLink();

  absl::Status Start();
  // Drops the connection (a cable pulled: drills and tests) and makes it again.
  // Events keep going to the outbox while disconnected.
  void Disconnect();
  absl::Status Reconnect();
  bool disconnected() const { return socket_ == nullptr; }
  // Sends what the window allows, waits up to `wait_ms` for replies and
  // handles them. FailedPrecondition when the coordinator refuses this booth
  // for good (stale epoch, other protocol version): stop and tell the operator.
  absl::Status Poll(int wait_ms);

  bool online() const;
  uint64_t acked_through() const { return window_.acked_through(); }
  uint64_t retransmit_rounds() const { return window_.rewinds(); }

  // Called once per event for its ack (not again for repeated acks), and for
  // every error reply.
  std::function<void(const v1::Ack&)> on_ack;
  std::function<void(const v1::ErrorReply&)> on_error;
  // Called for every heartbeat from the coordinator (it carries the queue).
  std::function<void(const v1::Heartbeat&)> on_heartbeat;
  std::function<void(const v1::PhotoVerdict&)> on_verdict;

 private:
  absl::Status SendPending();
  absl::Status Handle(const v1::Envelope& envelope);
  absl::Status Acked(uint64_t seq);
  void SendHeartbeat();

  Outbox* outbox_;
  const Clock* clock_;
  LinkOptions options_;
  DeliveryWindow window_;
  std::unique_ptr<MessageSocket> socket_;
  int64_t last_heard_ms_ = -1;
  int64_t last_heartbeat_ms_ = -1;
  bool was_online_ = false;
};

}  // namespace gradcap
