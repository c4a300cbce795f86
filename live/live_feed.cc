#include "live/live_feed.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/envelope.h"
#include "common/logging.h"
#include "common/status_macros.h"

namespace gradcap {

const char* LinkStateName(LinkState link) {
  switch (link) {
    case LinkState::kConnecting:
      return "connecting";
    case LinkState::kLive:
      return "live";
    case LinkState::kLost:
      return "lost";
  }
  return "unknown";
}

LiveFeed::LiveFeed(LiveFeedOptions options, Listener listener)
    : options_(std::move(options)), listener_(std::move(listener)) {}

absl::StatusOr<std::unique_ptr<LiveFeed>> LiveFeed::Start(LiveFeedOptions options, Listener listener) {
  if (options.endpoint.empty())
    return absl::InvalidArgumentError("the live feed needs a coordinator endpoint");
  std::unique_ptr<LiveFeed> feed(new LiveFeed(std::move(options), std::move(listener)));
  if (::pipe2(feed->wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return absl::InternalError("cannot make the live feed's wake pipe");
  }
  GRADCAP_RETURN_IF_ERROR(feed->MakeSocket());
  feed->thread_ = std::thread([f = feed.get()] { f->Run(); });
  return feed;
}

LiveFeed::~LiveFeed() {
  stop_ = true;
  if (wake_pipe_[1] >= 0) {
    const char byte = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_pipe_[1], &byte, 1);
  }
  if (thread_.joinable()) thread_.join();
  for (int fd : wake_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

absl::Status LiveFeed::MakeSocket() {
  SocketOptions socket_options;
  socket_options.immediate = true;  // a subscription sent to nobody is retried, not queued
  socket_options.send_hwm = 100;
  if (options_.keys.has_value()) {
    socket_options.curve_keys = *options_.keys;
    socket_options.curve_server_public_key = options_.server_public_key;
  }
  socket_.reset();
  GRADCAP_ASSIGN_OR_RETURN(socket_, MessageSocket::Create(SocketKind::kDealer, socket_options));
  GRADCAP_RETURN_IF_ERROR(socket_->Connect(options_.endpoint));
  socket_made_ms_ = options_.clock->MonotonicMs();
  return absl::OkStatus();
}

void LiveFeed::SetLink(LinkState link, std::vector<LiveChange> changes, bool moved) {
  const bool link_changed = link != link_;
  link_ = link;
  if (link_changed || moved || !changes.empty()) listener_(state_, changes, link_);
}

void LiveFeed::Handle(const std::string& frame) {
  ParsedEnvelope parsed = ParseEnvelope(frame);
  if (parsed.error.has_value()) {
    LogWarning("live", "unreadable message from ", options_.endpoint, ": ", parsed.error->detail);
    return;
  }
  const v1::Envelope& envelope = *parsed.envelope;
  last_heard_ms_ = options_.clock->MonotonicMs();
  LiveState::Applied applied;
  const uint64_t log_seq = state_.log_seq();
  if (envelope.has_live_snapshot()) {
    ++snapshots_;
    applied = state_.ApplySnapshot(envelope.live_snapshot());
  } else if (envelope.has_live_update()) {
    applied = state_.ApplyUpdate(envelope.live_update());
  } else if (envelope.has_error()) {
    LogWarning("live", options_.endpoint, " refused the subscription: ", envelope.error().detail());
    return;
  } else {
    return;
  }
  if (applied.resubscribe) {
    ++resubscribes_;
    want_subscribe_ = true;
  }
  SetLink(state_.synced() ? LinkState::kLive : link_, std::move(applied.changes), state_.log_seq() != log_seq);
}

void LiveFeed::Run() {
  const Clock& clock = *options_.clock;
  int64_t next_subscribe_ms = 0;
  while (!stop_) {
    const int64_t now = clock.MonotonicMs();
    if (want_subscribe_ || now >= next_subscribe_ms) {
      v1::Envelope envelope;
      *envelope.mutable_live_subscribe() = state_.Subscribe();
      const bool sent = socket_->Send({SerializeEnvelope(envelope)}).ok();
      if (sent) ++subscribes_sent_;
      want_subscribe_ = false;
      // A send refused (no connection yet) is tried again soon; an unanswered
      // first subscription after retry_ms; then keep-alive.
      next_subscribe_ms = now + (!sent                                          ? 100
                                 : state_.synced() && link_ == LinkState::kLive ? options_.keepalive_ms
                                                                                : options_.retry_ms);
    }
    const int64_t heard = last_heard_ms_ == 0 ? socket_made_ms_ : last_heard_ms_;
    if (link_ == LinkState::kLive && now - heard > options_.silence_ms) {
      LogWarning("live", "nothing from ", options_.endpoint, " for ", now - heard, " ms: subscribing again");
      want_subscribe_ = true;
      SetLink(LinkState::kLost, {});
    }
    if (now - heard > options_.reconnect_ms && now - socket_made_ms_ > options_.reconnect_ms) {
      if (absl::Status made = MakeSocket(); !made.ok()) {
        LogError("live", "cannot reconnect to ", options_.endpoint, ": ", made.message());
      }
      want_subscribe_ = true;
    }
    const int wait_ms = static_cast<int>(std::clamp<int64_t>(next_subscribe_ms - now, 0, 200));
    absl::StatusOr<std::optional<Frames>> frames = socket_->Receive(wait_ms, wake_pipe_[0]);
    if (stop_) break;
    if (!frames.ok()) {
      LogError("live", "receive from ", options_.endpoint, " failed: ", frames.status().message());
      continue;
    }
    if (!frames->has_value()) {
      char drain[16];
      while (::read(wake_pipe_[0], drain, sizeof drain) > 0) {
      }
      continue;
    }
    if (!(*frames)->empty()) Handle((*frames)->back());
  }
}

}  // namespace gradcap
