// ZeroMQ adapter: the only file that includes cppzmq. A MessageSocket sends
// and receives whole multipart messages as strings. Not thread-safe: one
// socket belongs to one thread, as in ZeroMQ itself.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gradcap {

using Frames = std::vector<std::string>;

enum class SocketKind { kRouter, kDealer };

struct SocketOptions {
  // ZeroMQ drops (and disconnects) a peer sending a bigger message; set it
  // well above the application's own limit so that one gets a clear reply.
  int64_t max_message_bytes = 64 << 20;
  int linger_ms = 0;
  int send_hwm = 10000;
  int receive_hwm = 10000;
  // Router: fail sends to unknown peers instead of dropping them silently,
  // and let a reconnecting peer with the same routing id take over.
  bool router_mandatory = true;
  bool router_handover = true;
  // Dealer: queue messages only to completed connections.
  bool immediate = true;
  std::string routing_id;  // empty: let ZeroMQ choose
  // ZMTP heartbeats detect dead TCP peers.
  int heartbeat_interval_ms = 1000;
  int heartbeat_timeout_ms = 4000;
};

class MessageSocket {
 public:
  static absl::StatusOr<std::unique_ptr<MessageSocket>> Create(SocketKind kind,
                                                               const SocketOptions& options);
  ~MessageSocket();
  MessageSocket(const MessageSocket&) = delete;
  MessageSocket& operator=(const MessageSocket&) = delete;

  absl::Status Bind(const std::string& endpoint);
  absl::Status Connect(const std::string& endpoint);
  // The endpoint actually bound (resolves "tcp://127.0.0.1:*").
  std::string LastEndpoint() const;

  // Waits up to `timeout_ms` (0: do not wait) for one whole message. When
  // `wake_fd` ≥ 0 the wait also ends as soon as that file descriptor is
  // readable (another thread's signal); the caller drains it.
  absl::StatusOr<std::optional<Frames>> Receive(int timeout_ms, int wake_fd = -1);
  // Sends without blocking. Unavailable when the message cannot be queued
  // now (high-water mark, or a router peer that is gone).
  absl::Status Send(const Frames& frames);

 private:
  struct Impl;
  explicit MessageSocket(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gradcap
