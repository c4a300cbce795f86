#include "coordinator/live_publisher.h"

#include "absl/strings/str_cat.h"
#include "common/envelope.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/status_macros.h"

namespace gradcap {
namespace {

constexpr char kComponent[] = "coordinator";
constexpr char kLiveZapDomain[] = "admin";  // supervisors connect with admin keys

}  // namespace

LivePublisher::LivePublisher(LiveOptions options, const Clock* clock) : options_(std::move(options)), clock_(clock) {
  // A run id tells a subscriber the coordinator restarted: its numbers
  // start again and what it held is gone.
  run_ = absl::StrCat(clock_->NowMs(), "-", ToHex(RandomBytes(8)));
}

LivePublisher::~LivePublisher() = default;

absl::Status LivePublisher::Bind() {
  SocketOptions socket_options;
  socket_options.send_hwm = options_.send_queue;
  socket_options.max_message_bytes = 1 << 20;  // subscriptions are tiny
  if (options_.curve_keys.has_value()) {
    socket_options.curve_server = true;
    socket_options.curve_keys = *options_.curve_keys;
    socket_options.zap_domain = kLiveZapDomain;
  }
  GRADCAP_ASSIGN_OR_RETURN(socket_, MessageSocket::Create(SocketKind::kRouter, socket_options));
  return socket_->Bind(options_.endpoint);
}

std::string LivePublisher::endpoint() const { return socket_ ? socket_->LastEndpoint() : ""; }

void LivePublisher::ServeWaiting(const std::function<v1::LiveSnapshot()>& snapshot) {
  while (true) {
    std::string user, address;
    absl::StatusOr<std::optional<Frames>> frames = socket_->Receive(0, -1, &user, &address);
    if (!frames.ok() || !frames->has_value()) return;
    if ((*frames)->size() != 2) continue;  // not a subscription: nothing to answer
    if (Revoked(user)) {
      LogWarning(kComponent, "live subscription from revoked key \"", user, "\" at ", address, " peer:",
                 ToHex((**frames)[0]), " refused");
      continue;
    }
    Serve((**frames)[0], user, (**frames)[1], snapshot);
  }
}

bool LivePublisher::Revoked(const std::string& user) const {
  return options_.authenticator != nullptr && options_.authenticator->IsRevoked(kLiveZapDomain, user);
}

void LivePublisher::DropRevoked() {
  if (options_.authenticator == nullptr) return;
  for (auto it = subscribers_.begin(); it != subscribers_.end();) {
    if (Revoked(it->second.user)) {
      LogWarning(kComponent, "live subscriber \"", it->second.user, "\" peer:", ToHex(it->first),
                 " dropped: its key was revoked");
      subscribers_.erase(it++);
    } else {
      ++it;
    }
  }
}

void LivePublisher::Serve(const std::string& routing_id, const std::string& user, const std::string& raw,
                          const std::function<v1::LiveSnapshot()>& snapshot) {
  ParsedEnvelope parsed = ParseEnvelope(raw, 1 << 20);
  if (parsed.error.has_value() || !parsed.envelope->has_live_subscribe()) {
    LogWarning(kComponent, "live socket: not a subscription from peer:", ToHex(routing_id), " — ignored");
    return;
  }
  const v1::LiveSubscribe& sub = parsed.envelope->live_subscribe();
  const bool known = subscribers_.contains(routing_id);
  subscribers_[routing_id] = Subscriber{clock_->MonotonicMs(), user};
  // A keep-alive from a subscriber that is up to date needs no answer.
  if (known && sub.run() == run_ && sub.after_seq() == seq_) return;
  const uint64_t oldest = kept_.empty() ? seq_ + 1 : kept_.front().seq;
  if (sub.run() == run_ && sub.after_seq() + 1 >= oldest && sub.after_seq() <= seq_) {
    // It missed only what is still kept: send just that.
    ++stats_.resumed;
    for (const Kept& k : kept_) {
      if (k.seq <= sub.after_seq()) continue;
      if (!SendBytesTo(routing_id, k.envelope)) return;
    }
    return;
  }
  ++stats_.snapshots;
  v1::Envelope e;
  *e.mutable_live_snapshot() = snapshot();
  e.mutable_live_snapshot()->set_run(run_);
  e.mutable_live_snapshot()->set_seq(seq_);
  SendTo(routing_id, e);
}

void LivePublisher::Publish(v1::LiveUpdate update) {
  update.set_run(run_);
  update.set_seq(++seq_);
  update.set_now_ms((options_.state_clock != nullptr ? options_.state_clock : clock_)->NowMs());
  v1::Envelope e;
  *e.mutable_live_update() = std::move(update);
  std::string bytes = SerializeEnvelope(e);
  ++stats_.published;
  DropRevoked();  // a key revoked this turn gets nothing more
  std::vector<std::string> gone;
  for (const auto& [routing_id, sub] : subscribers_) {
    if (!socket_->Send({routing_id, bytes}).ok()) gone.push_back(routing_id);
  }
  for (const std::string& g : gone) {
    subscribers_.erase(g);
    ++stats_.dropped;
    LogInfo(kComponent, "live subscriber peer:", ToHex(g), " cannot keep up (or went away): dropped; it resubscribes");
  }
  kept_bytes_ += bytes.size();
  kept_.push_back(Kept{seq_, std::move(bytes)});
  while (!kept_.empty() && (kept_.size() > options_.keep_updates || kept_bytes_ > options_.keep_bytes)) {
    kept_bytes_ -= kept_.front().envelope.size();
    kept_.pop_front();
  }
}

void LivePublisher::Tick() {
  const int64_t now = clock_->MonotonicMs();
  std::vector<std::string> silent;
  DropRevoked();
  for (const auto& [routing_id, sub] : subscribers_) {
    if (now - sub.heard_ms > options_.subscriber_timeout_ms) silent.push_back(routing_id);
  }
  for (const std::string& s : silent) subscribers_.erase(s);
  if (now - last_heartbeat_ms_ < options_.heartbeat_ms) return;
  last_heartbeat_ms_ = now;
  if (subscribers_.empty()) return;
  v1::Envelope e;
  v1::LiveUpdate* beat = e.mutable_live_update();
  beat->set_run(run_);
  beat->set_seq(seq_);  // a heartbeat carries the last number; it is not one itself
  beat->set_heartbeat(true);
  beat->set_now_ms((options_.state_clock != nullptr ? options_.state_clock : clock_)->NowMs());
  const std::string bytes = SerializeEnvelope(e);
  std::vector<std::string> gone;
  for (const auto& [routing_id, sub] : subscribers_) {
    if (!socket_->Send({routing_id, bytes}).ok()) gone.push_back(routing_id);
  }
  for (const std::string& g : gone) subscribers_.erase(g), ++stats_.dropped;
}

bool LivePublisher::SendTo(const std::string& routing_id, v1::Envelope& envelope) {
  return SendBytesTo(routing_id, SerializeEnvelope(envelope));
}

bool LivePublisher::SendBytesTo(const std::string& routing_id, const std::string& envelope_bytes) {
  if (socket_->Send({routing_id, envelope_bytes}).ok()) return true;
  subscribers_.erase(routing_id);
  ++stats_.dropped;
  return false;
}

}  // namespace gradcap
