#include "coordinator/booth_protocol.h"

#include "absl/strings/str_cat.h"
#include "common/codes.h"
#include "common/logging.h"
#include "common/seq_rules.h"
#include "common/sha256.h"

namespace gradcap {
namespace {

constexpr char kComponent[] = "coordinator";

std::string PeerName(const std::string& routing_id) { return absl::StrCat("peer:", ToHex(routing_id)); }

// The photo bytes must be what the booth hashed; the coordinator's own digest
// is what the log and the photo store key on.
std::optional<v1::Outcome> CheckPhotoDigest(v1::BoothEvent& event) {
  v1::Photo* photo = event.has_photo() ? event.mutable_photo()
                                       : event.has_retake() ? event.mutable_retake() : nullptr;
  if (photo == nullptr) return std::nullopt;
  const std::string digest = DigestBytes(Sha256(photo->jpeg()));
  const bool mismatch = !photo->sha256().empty() && photo->sha256() != digest;
  const std::string claimed = photo->sha256();
  photo->set_sha256(digest);
  if (!mismatch) return std::nullopt;
  v1::Outcome outcome;
  outcome.set_accepted(false);
  outcome.set_reason(v1::REASON_PHOTO_DIGEST_MISMATCH);
  outcome.set_detail(absl::StrCat("photo bytes hash to ", ToHex(digest), " but the booth sent ",
                                  ToHex(claimed), "; the photo was damaged on the way: retake it"));
  return outcome;
}

}  // namespace

BoothProtocol::BoothProtocol(EventLog* log, EventApplier* applier, const Clock* clock, size_t max_message_bytes,
                             BoothGuards guards, RefusalRecorder* refusals, IngestStats* stats)
    : log_(log),
      applier_(applier),
      clock_(clock),
      max_message_bytes_(max_message_bytes),
      authenticated_(guards.authenticated),
      authenticator_(guards.authenticator),
      rate_(clock, guards.rate),
      refusals_(refusals),
      stats_(stats) {}

std::string BoothProtocol::RoutingOf(const std::string& booth) const {
  auto it = routing_of_.find(booth);
  return it == routing_of_.end() ? std::string() : it->second;
}

int64_t BoothProtocol::LastHeardMs(const std::string& booth) const {
  auto it = last_heard_ms_.find(booth);
  return it == last_heard_ms_.end() ? -1 : it->second;
}

int64_t BoothProtocol::LastHeardWallMs(const std::string& booth) const {
  auto it = last_heard_wall_ms_.find(booth);
  return it == last_heard_wall_ms_.end() ? 0 : it->second;
}

uint64_t BoothProtocol::OutboxDepth(const std::string& booth) const {
  auto it = outbox_depth_.find(booth);
  return it == outbox_depth_.end() ? 0 : it->second;
}

void BoothProtocol::Heard(const std::string& booth, const std::string& routing_id) {
  last_heard_ms_[booth] = clock_->MonotonicMs();
  last_heard_wall_ms_[booth] = clock_->NowMs();
  routing_of_[booth] = routing_id;
}

void BoothProtocol::Handle(Frames&& frames, const std::string& sender, const std::string& peer_address,
                           std::vector<Reply>* replies) {
  if (frames.empty()) return;
  sender_ = sender;
  peer_address_ = peer_address;
  replies_ = replies;
  const std::string routing_id = frames[0];
  // The cheap refusals first: nothing of these messages is read.
  if (authenticated_ && authenticator_ != nullptr && authenticator_->IsRevoked(kBoothZapDomain, sender)) {
    ++stats_->revoked;
    RefuseUnread(
        routing_id, v1::ERROR_KEY_REVOKED,
        [&] { return absl::StrCat("the key of \"", sender, "\" was revoked: this connection is refused"); },
        frames.back());
    return;
  }
  if (!rate_.Allow(authenticated_ ? sender : routing_id)) {
    ++stats_->rate_limited;
    RefuseUnread(routing_id, v1::ERROR_RATE_LIMITED,
                 [&] {
                   return absl::StrCat("more than ", rate_.limit().per_second, " messages a second (", rate_.limit().burst,
                                       " at once) from this peer: not read; send again later");
                 },
                 frames.back());
    return;
  }
  if (frames.size() != 2) {
    std::string raw;
    for (size_t i = 1; i < frames.size(); ++i) raw += frames[i];
    Refuse(routing_id,
           WireError{v1::ERROR_MALFORMED,
                     absl::StrCat("expected exactly one frame per message, got ", frames.size() - 1)},
           raw, nullptr);
    return;
  }
  const std::string& raw = frames[1];
  ParsedEnvelope parsed = ParseEnvelope(raw, max_message_bytes_);
  if (parsed.error.has_value()) {
    Refuse(routing_id, *parsed.error, raw, nullptr);
    return;
  }
  v1::Envelope& envelope = *parsed.envelope;
  switch (envelope.msg_case()) {
    case v1::Envelope::kEvent:
      HandleEvent(routing_id, std::move(*envelope.mutable_event()), raw);
      return;
    case v1::Envelope::kHeartbeat:
      HandleHeartbeat(routing_id, envelope.heartbeat(), raw);
      return;
    default:
      Refuse(routing_id,
             WireError{v1::ERROR_UNKNOWN_MESSAGE,
                       absl::StrCat("the coordinator's booth socket does not take message type ",
                                    envelope.GetDescriptor()
                                        ->FindFieldByNumber(static_cast<int>(envelope.msg_case()))
                                        ->name())},
             raw, nullptr);
  }
}

void BoothProtocol::HandleEvent(const std::string& routing_id, v1::BoothEvent&& event, const std::string& raw) {
  if (std::optional<WireError> bad = CheckBoothEvent(event)) {
    Refuse(routing_id, *bad, raw, event.has_id() ? &event.id() : nullptr);
    return;
  }
  const v1::EventId& id = event.id();
  if (!SenderIs(id.booth(), routing_id, raw, &id)) return;
  Heard(id.booth(), routing_id);
  const SeqDecision decision = DecideSeq(log_->Progress(id.booth()), id.epoch(), id.seq());
  switch (decision.action) {
    case SeqAction::kApply: {
      const int64_t now_ms = clock_->NowMs();
      std::optional<v1::Outcome> outcome = CheckPhotoDigest(event);
      v1::Binding binding;
      if (!outcome.has_value()) {
        outcome.emplace();
        applier_->Decide(event, now_ms, &*outcome, &binding);
      }
      Reply reply{routing_id, {}, false, std::nullopt};
      v1::Ack* ack = reply.envelope.mutable_ack();
      *ack->mutable_id() = id;
      *ack->mutable_outcome() = *outcome;
      v1::LogRecord staged;
      ack->set_log_seq(log_->StageApplied(std::move(event), std::move(*outcome), std::move(binding), now_ms, &staged));
      applier_->Apply(staged);
      reply.photo = PendingPhotoOf(staged.applied(), staged.log_seq());
      replies_->push_back(std::move(reply));
      ++stats_->applied;
      return;
    }
    case SeqAction::kDuplicate: {
      Reply reply{routing_id, {}, true, std::nullopt};
      *reply.envelope.mutable_ack()->mutable_id() = id;
      replies_->push_back(std::move(reply));
      ++stats_->duplicates;
      return;
    }
    case SeqAction::kGap: {
      Reply reply{routing_id, {}, false, std::nullopt};
      v1::ResendFrom* resend = reply.envelope.mutable_resend_from();
      resend->set_booth(id.booth());
      resend->set_epoch(id.epoch());
      resend->set_next_seq(decision.expected_seq);
      replies_->push_back(std::move(reply));
      ++stats_->gaps;
      return;
    }
    case SeqAction::kStaleEpoch: {
      const SeqProgress known = log_->Progress(id.booth());
      Refuse(routing_id,
             WireError{v1::ERROR_STALE_EPOCH,
                       absl::StrCat(DescribeEventId(id), ": booth ", id.booth(), " is already at epoch ",
                                    known.epoch, "; this outbox was replaced and must not send")},
             raw, &id);
      return;
    }
  }
}

bool BoothProtocol::SenderIs(const std::string& booth, const std::string& routing_id, const std::string& raw,
                             const v1::EventId* id) {
  if (!authenticated_ || sender_ == booth) return true;
  Refuse(routing_id,
         WireError{v1::ERROR_BOOTH_MISMATCH,
                   absl::StrCat("this connection is enrolled as booth \"", sender_,
                                "\" and may not speak for booth \"", booth, "\"")},
         raw, id);
  return false;
}

void BoothProtocol::HandleHeartbeat(const std::string& routing_id, const v1::Heartbeat& heartbeat,
                                    const std::string& raw) {
  if (!heartbeat.booth().empty() && !SenderIs(heartbeat.booth(), routing_id, raw, nullptr)) return;
  ++stats_->heartbeats;
  Reply reply{routing_id, {}, false, std::nullopt};
  v1::Heartbeat* pong = reply.envelope.mutable_heartbeat();
  pong->set_booth(heartbeat.booth());
  pong->set_sent_at_ms(clock_->NowMs());
  if (!heartbeat.booth().empty()) {
    Heard(heartbeat.booth(), routing_id);
    outbox_depth_[heartbeat.booth()] = heartbeat.outbox_depth();
    // Report committed progress only: the booth may drop what this covers.
    const SeqProgress known = log_->CommittedProgress(heartbeat.booth());
    pong->set_epoch(known.epoch);
    if (known.epoch == heartbeat.epoch()) pong->set_last_seq(known.last_seq);
    applier_->DescribeBooth(heartbeat.booth(), pong->mutable_state());
  }
  replies_->push_back(std::move(reply));
}

void BoothProtocol::Refuse(const std::string& routing_id, const WireError& error, const std::string& raw,
                           const v1::EventId* id) {
  ++stats_->rejected;
  const RefusedPeer who{"booth",
                        !sender_.empty()                          ? sender_
                        : id != nullptr && !id->booth().empty() ? id->booth()
                                                                : PeerName(routing_id),
                        peer_address_};
  if (refusals_->Refuse(who, CountKey(routing_id), error.code, [&] { return error.detail; }, raw, id) == 0) return;
  Reply reply{routing_id, {}, false, std::nullopt};
  v1::ErrorReply* reply_error = reply.envelope.mutable_error();
  reply_error->set_code(error.code);
  reply_error->set_detail(error.detail);
  if (id != nullptr) *reply_error->mutable_id() = *id;
  replies_->push_back(std::move(reply));
}

std::string BoothProtocol::CountKey(const std::string& routing_id) const {
  // Under CURVE the key; otherwise the machine, so a flood over many
  // connections from one address is one count.
  if (authenticated_) return sender_;
  return peer_address_.empty() ? PeerName(routing_id) : absl::StrCat("address:", peer_address_);
}

void BoothProtocol::RefuseUnread(const std::string& routing_id, v1::ErrorCode code,
                                 const std::function<std::string()>& detail, const std::string& raw) {
  ++stats_->rejected;
  const RefusedPeer who{"booth", !sender_.empty() ? sender_ : PeerName(routing_id), peer_address_};
  std::string said;
  const auto remember = [&] { return said = detail(); };
  if (refusals_->Refuse(who, CountKey(routing_id), code, remember, raw, nullptr) == 0) return;
  Reply reply{routing_id, {}, false, std::nullopt};
  reply.envelope.mutable_error()->set_code(code);
  reply.envelope.mutable_error()->set_detail(said);
  replies_->push_back(std::move(reply));
}

}  // namespace gradcap
