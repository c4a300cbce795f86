#include "booth-agent/booth_link.h"

#include "common/codes.h"

#include "absl/strings/str_cat.h"
#include "common/envelope.h"
#include "common/logging.h"
#include "common/status_macros.h"

namespace gradcap {
namespace {
constexpr char kComponent[] = "booth-link";
}  // namespace

BoothLink::BoothLink(Outbox* outbox, const Clock* clock, LinkOptions options)
    : outbox_(outbox), clock_(clock), options_(std::move(options)), window_(options_.window) {}

BoothLink::~BoothLink() = default;

absl::Status BoothLink::Start() {
  SocketOptions socket_options;
  if (options_.curve_keys.has_value()) {
    socket_options.curve_keys = *options_.curve_keys;
    socket_options.curve_server_public_key = options_.coordinator_public_key;
  }
  GRADCAP_ASSIGN_OR_RETURN(socket_, MessageSocket::Create(SocketKind::kDealer, socket_options));
  GRADCAP_RETURN_IF_ERROR(socket_->Connect(options_.endpoint));
  window_.Reset(outbox_->acked_through(), clock_->MonotonicMs());
  return absl::OkStatus();
}

void BoothLink::Disconnect() {
  socket_.reset();
  last_heard_ms_ = -1;
}

absl::Status BoothLink::Reconnect() {
  if (socket_ != nullptr) return absl::OkStatus();
  return Start();
}

bool BoothLink::online() const {
  return last_heard_ms_ >= 0 && clock_->MonotonicMs() - last_heard_ms_ < options_.offline_after_ms;
}

absl::Status BoothLink::Poll(int wait_ms) {
  if (socket_ == nullptr) return absl::OkStatus();  // disconnected on purpose
  const int64_t now = clock_->MonotonicMs();
  if (last_heartbeat_ms_ < 0 || now - last_heartbeat_ms_ >= options_.heartbeat_interval_ms) {
    SendHeartbeat();
  }
  window_.CheckTimeout(now);
  GRADCAP_RETURN_IF_ERROR(SendPending());
  GRADCAP_ASSIGN_OR_RETURN(std::optional<Frames> frames, socket_->Receive(wait_ms));
  while (frames.has_value()) {
    if (frames->size() == 1) {
      ParsedEnvelope parsed = ParseEnvelope((*frames)[0]);
      if (parsed.error.has_value()) {
        LogWarning(kComponent, "ignoring a reply from the coordinator: ", CodeName(parsed.error->code), ": ",
                   parsed.error->detail);
      } else {
        GRADCAP_RETURN_IF_ERROR(Handle(*parsed.envelope));
      }
    }
    GRADCAP_ASSIGN_OR_RETURN(frames, socket_->Receive(0));
  }
  const bool is_online = online();
  if (is_online != was_online_) {
    LogInfo(kComponent, "booth ", outbox_->booth(), is_online ? " online" : " offline", " — ",
            outbox_->depth(), " waiting");
    was_online_ = is_online;
  }
  return absl::OkStatus();
}

absl::Status BoothLink::SendPending() {
  uint64_t next = window_.NextToSend(outbox_->last_seq());
  while (next != 0) {
    GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::BoothEvent> events, outbox_->Read(next, options_.read_chunk));
    if (events.empty()) return absl::OkStatus();
    for (v1::BoothEvent& event : events) {
      if (event.id().seq() != next) break;  // acked meanwhile, or window full
      v1::Envelope envelope;
      *envelope.mutable_event() = std::move(event);
      absl::Status sent = socket_->Send({SerializeEnvelope(envelope)});
      if (absl::IsUnavailable(sent)) return absl::OkStatus();  // not connected: retry later
      GRADCAP_RETURN_IF_ERROR(sent);
      window_.OnSent(next, clock_->MonotonicMs());
      next = window_.NextToSend(outbox_->last_seq());
      if (next == 0) return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::Status BoothLink::Acked(uint64_t seq) {
  if (seq > outbox_->last_seq()) {
    LogError(kComponent, "coordinator acked seq ", seq, " but this outbox assigned only ",
             outbox_->last_seq(), "; ignoring");
    return absl::OkStatus();
  }
  if (window_.OnAcked(seq, clock_->MonotonicMs())) return outbox_->MarkAcked(seq);
  return absl::OkStatus();
}

absl::Status BoothLink::Handle(const v1::Envelope& envelope) {
  const int64_t now = clock_->MonotonicMs();
  const bool was_online = online();
  last_heard_ms_ = now;
  switch (envelope.msg_case()) {
    case v1::Envelope::kAck: {
      const v1::EventId& id = envelope.ack().id();
      if (id.booth() != outbox_->booth() || id.epoch() != outbox_->epoch()) return absl::OkStatus();
      const bool fresh = id.seq() > window_.acked_through();
      GRADCAP_RETURN_IF_ERROR(Acked(id.seq()));
      if (on_ack && fresh) on_ack(envelope.ack());
      return absl::OkStatus();
    }
    case v1::Envelope::kResendFrom: {
      const v1::ResendFrom& r = envelope.resend_from();
      if (r.booth() != outbox_->booth() || r.epoch() != outbox_->epoch()) return absl::OkStatus();
      if (r.next_seq() > 1) GRADCAP_RETURN_IF_ERROR(Acked(r.next_seq() - 1));
      window_.OnResendFrom(r.next_seq(), now);
      return absl::OkStatus();
    }
    case v1::Envelope::kHeartbeat: {
      const v1::Heartbeat& h = envelope.heartbeat();
      if (h.epoch() == outbox_->epoch() && h.last_seq() > 0) GRADCAP_RETURN_IF_ERROR(Acked(h.last_seq()));
      // Back from offline: whatever was in flight died with the old link.
      if (!was_online) window_.Reset(outbox_->acked_through(), now);
      if (on_heartbeat) on_heartbeat(h);
      return absl::OkStatus();
    }
    case v1::Envelope::kError: {
      const v1::ErrorReply& e = envelope.error();
      if (on_error) on_error(e);
      LogWarning(kComponent, "coordinator refused: ", CodeName(e.code()), ": ", e.detail());
      if (e.code() == v1::ERROR_STALE_EPOCH || e.code() == v1::ERROR_WRONG_VERSION) {
        return absl::FailedPreconditionError(absl::StrCat("coordinator refuses this booth: ", CodeName(e.code()),
                                                          ": ", e.detail()));
      }
      return absl::OkStatus();
    }
    case v1::Envelope::kVerdict:
      if (envelope.verdict().booth() == outbox_->booth() && on_verdict) on_verdict(envelope.verdict());
      return absl::OkStatus();
    default:
      return absl::OkStatus();
  }
}

void BoothLink::SendHeartbeat() {
  last_heartbeat_ms_ = clock_->MonotonicMs();
  v1::Envelope envelope;
  v1::Heartbeat* h = envelope.mutable_heartbeat();
  h->set_booth(outbox_->booth());
  h->set_epoch(outbox_->epoch());
  h->set_outbox_depth(outbox_->depth());
  h->set_sent_at_ms(clock_->NowMs());
  (void)socket_->Send({SerializeEnvelope(envelope)});  // offline: the next one will do
}

}  // namespace gradcap
