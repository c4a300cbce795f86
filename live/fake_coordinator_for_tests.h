// Test double of a coordinator's live and admin sockets, speaking exactly the
// live-feed contract of proto/gradcap.proto: LiveSubscribe → LiveSnapshot (or
// the missed updates), numbered LiveUpdates, a heartbeat update every
// heartbeat_ms; and on its admin socket AckAlert, Close, HeadCount and Photo
// requests. The test scripts it: put a booth, an alert or a college (one
// update each), skip an update (a gap), restart (a new run), fall silent.
// Serves on its own thread; every method is thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/transport.h"
#include "proto/gradcap.pb.h"

namespace gradcap::testing {

namespace v1 = ::gradcap::v1;

class FakeLiveCoordinator {
 public:
  // Binds both sockets on 127.0.0.1 (ports chosen by the system).
  explicit FakeLiveCoordinator(std::string run = "run-1", int heartbeat_ms = 1000);
  ~FakeLiveCoordinator();

  std::string live_endpoint() const { return live_endpoint_; }
  std::string admin_endpoint() const { return admin_endpoint_; }

  // Each publishes one update (and changes the state snapshots show).
  void PutBooth(const v1::BoothState& booth);
  void PutAlert(const v1::LiveAlert& alert);
  void PutCollege(const v1::Reconciliation& college);
  // The next update is numbered and kept but not sent: subscribers see a gap.
  void SkipNextUpdate();
  // A new process: another run, numbering from 0, subscribers forgotten. The
  // state is kept unless `clear`.
  void Restart(const std::string& run, bool clear = false);
  // Silent: no answers, no heartbeats, no updates sent (they are still kept).
  void SetSilent(bool silent);
  // The original bytes answered to a PhotoRequest for `sha256`.
  void PutPhoto(const std::string& sha256, const std::string& jpeg);

  uint64_t seq() const;
  size_t subscribers() const;
  uint64_t snapshots_sent() const;
  std::vector<v1::AdminRequest> admin_requests() const;
  // Waits until `done()` holds (checked after every served message), up to
  // `timeout_ms`; false on timeout.
  bool WaitFor(const std::function<bool()>& done, int timeout_ms);

 private:
  void Serve();
  void Publish(v1::LiveUpdate update);  // holds mu_
  void SendTo(const std::string& peer, v1::Envelope& envelope);
  void Answer(const std::string& peer, const v1::LiveSubscribe& subscribe);
  v1::AdminReply HandleAdmin(const v1::AdminRequest& request);

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::unique_ptr<MessageSocket> live_, admin_;
  std::string live_endpoint_, admin_endpoint_;
  std::string run_;
  int heartbeat_ms_;
  uint64_t seq_ = 0;
  bool skip_next_ = false, silent_ = false, stop_ = false;
  std::deque<v1::LiveUpdate> history_;
  std::map<std::string, int64_t> subscribers_;               // routing id → last heard (ms)
  std::deque<std::pair<std::string, v1::Envelope>> outbox_;  // sent by the serving thread
  std::map<std::string, v1::BoothState> booths_;
  std::map<std::string, v1::LiveAlert> alerts_;
  std::map<std::string, v1::Reconciliation> colleges_;
  std::map<std::string, std::string> photos_;
  std::vector<v1::AdminRequest> admin_requests_;
  uint64_t snapshots_sent_ = 0;
  std::thread thread_;
};

}  // namespace gradcap::testing
