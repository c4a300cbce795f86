#include "validator/pool_link.h"

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/envelope.h"
#include "common/logging.h"

namespace gradcap::validator {
namespace {

constexpr char kComponent[] = "validator";
constexpr int kTriesBeforeReconnect = 5;

}  // namespace

absl::StatusOr<std::unique_ptr<PoolLink>> PoolLink::Open(std::string endpoint, SocketOptions options) {
  std::unique_ptr<PoolLink> link(new PoolLink(std::move(endpoint), options));
  absl::Status connected = link->Reconnect();
  if (!connected.ok()) return connected;
  return link;
}

absl::Status PoolLink::Reconnect() {
  absl::StatusOr<std::unique_ptr<MessageSocket>> socket =
      MessageSocket::Create(SocketKind::kDealer, options_);
  if (!socket.ok()) return socket.status();
  absl::Status connected = (*socket)->Connect(endpoint_);
  if (!connected.ok()) return connected;
  socket_ = std::move(*socket);
  return absl::OkStatus();
}

void PoolLink::SendStatus(v1::Envelope& envelope) {
  const absl::Status sent = socket_->Send({SerializeEnvelope(envelope)});
  if (!sent.ok() && !status_failing_) {
    LogWarning(kComponent, "ready message not sent (", sent.ToString(), "): is the coordinator at ",
               endpoint_, " down? Trying on every heartbeat");
  } else if (sent.ok() && status_failing_) {
    LogInfo(kComponent, "ready messages go out again");
  }
  status_failing_ = !sent.ok();
}

bool PoolLink::SendResult(v1::Envelope& envelope, int retry_ms, int patience_ms,
                          const std::atomic<bool>& stop) {
  const std::string bytes = SerializeEnvelope(envelope);
  const uint64_t log_seq = envelope.validation_result().log_seq();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(patience_ms);
  for (int tries = 1;; ++tries) {
    const absl::Status sent = socket_->Send({bytes});
    if (sent.ok()) {
      if (tries > 1) LogInfo(kComponent, "result for log record ", log_seq, " sent at try ", tries);
      return true;
    }
    if (tries == 1) {
      LogWarning(kComponent, "result for log record ", log_seq, " not sent (", sent.ToString(),
                 "): retrying every ", retry_ms, " ms");
    }
    if (stop.load() || std::chrono::steady_clock::now() >= give_up) break;
    // A queue that stays full, or a socket that failed: start afresh.
    if (!absl::IsUnavailable(sent) || tries % kTriesBeforeReconnect == 0) {
      if (absl::Status again = Reconnect(); !again.ok()) {
        LogWarning(kComponent, "cannot reconnect to ", endpoint_, ": ", again.ToString());
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(retry_ms));  // backoff, not ordering
  }
  LogError(kComponent, "result for log record ", log_seq, " dropped after ", patience_ms,
           " ms unsent: the coordinator re-issues the job and this worker's store answers it");
  return false;
}

}  // namespace gradcap::validator
