// The subscriber side of a coordinator's live feed (`coordinator --live`),
// used by the supervisor and by `gradcap watch`: a DEALER that sends
// LiveSubscribe, keeps a LiveState from the snapshot and the numbered updates
// that follow, subscribes again on a gap, another run (a restarted
// coordinator) or silence, and re-sends the subscription as keep-alive.
// It runs on its own thread and tells a listener what changed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/transport.h"
#include "live/live_state.h"

namespace gradcap {

struct LiveFeedOptions {
  std::string endpoint;              // the coordinator's --live endpoint
  std::optional<CurveKeyPair> keys;  // CURVE: an enrolled admin's pair
  std::string server_public_key;     // CURVE: the coordinator's public key
  int keepalive_ms = 3000;           // re-send LiveSubscribe this often
  int retry_ms = 1000;               // ... this often until a snapshot came
  int silence_ms = 5000;     // nothing heard (not even a heartbeat): the link is lost, subscribe again
  int reconnect_ms = 10000;  // still nothing: a fresh socket
  const Clock* clock = SystemClock::Get();
};

// Whether the coordinator is heard (a snapshot came and it spoke within
// silence_ms).
enum class LinkState { kConnecting, kLive, kLost };

class LiveFeed {
 public:
  // Called on the feed's thread after a message that changed something or
  // moved the log position, or when the link state changed; `state` is the state after it. The listener
  // must not block for long: the feed reads nothing meanwhile.
  using Listener =
      std::function<void(const LiveState& state, const std::vector<LiveChange>& changes, LinkState link)>;

  static absl::StatusOr<std::unique_ptr<LiveFeed>> Start(LiveFeedOptions options, Listener listener);
  ~LiveFeed();  // stops the thread
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // Counters for tests and logs.
  uint64_t subscribes_sent() const { return subscribes_sent_.load(); }
  uint64_t snapshots() const { return snapshots_.load(); }
  uint64_t resubscribes() const { return resubscribes_.load(); }

 private:
  LiveFeed(LiveFeedOptions options, Listener listener);
  void Run();
  absl::Status MakeSocket();
  void Handle(const std::string& frame);
  void SetLink(LinkState link, std::vector<LiveChange> changes, bool moved = false);

  LiveFeedOptions options_;
  Listener listener_;
  std::unique_ptr<MessageSocket> socket_;
  LiveState state_;
  LinkState link_ = LinkState::kConnecting;
  bool want_subscribe_ = true;
  int64_t last_heard_ms_ = 0;
  int64_t socket_made_ms_ = 0;
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> subscribes_sent_{0}, snapshots_{0}, resubscribes_{0};
  std::thread thread_;
};

const char* LinkStateName(LinkState link);

}  // namespace gradcap
