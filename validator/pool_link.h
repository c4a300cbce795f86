// A validator worker's link to the coordinator's pool: one DEALER socket,
// re-created when it fails. Ready and busy messages repeat every heartbeat,
// so one that cannot be queued (the coordinator is away and the queue is
// full) is dropped, and said once per outage. A result is retried until it
// is queued, re-creating the socket when the queue stays full: a fresh socket
// drops the ready messages queued for an absent coordinator, so the result
// is next in line when it is back. Not thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/transport.h"
#include "proto/gradcap.pb.h"

namespace gradcap::validator {

class PoolLink {
 public:
  static absl::StatusOr<std::unique_ptr<PoolLink>> Open(std::string endpoint, SocketOptions options);

  absl::StatusOr<std::optional<Frames>> Receive(int timeout_ms) { return socket_->Receive(timeout_ms); }
  // For MessageSocket::WaitReadable over several links (changes on Reconnect).
  MessageSocket* socket() const { return socket_.get(); }
  const std::string& endpoint() const { return endpoint_; }
  // A ready or busy message; best effort.
  void SendStatus(v1::Envelope& envelope);
  // Sends a result, retrying every `retry_ms` (and reconnecting every few
  // tries) until it is queued; false when `stop` was set or `patience_ms`
  // passed first (then the broker re-issues the job, and the worker's result
  // store answers it at once).
  bool SendResult(v1::Envelope& envelope, int retry_ms, int patience_ms, const std::atomic<bool>& stop);
  // A new socket to the same endpoint in place of the old one.
  absl::Status Reconnect();

 private:
  PoolLink(std::string endpoint, SocketOptions options) : endpoint_(std::move(endpoint)), options_(options) {}

  std::string endpoint_;
  SocketOptions options_;
  std::unique_ptr<MessageSocket> socket_;
  bool status_failing_ = false;  // the last ready/busy message was not sent
};

}  // namespace gradcap::validator
