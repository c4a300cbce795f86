// What supervisors see of this coordinator, and when: turns the capture-day
// state's changes (booths, colleges, alerts), the booths' liveness (online,
// last heartbeat, outbox backlog) and the live view's own alerts (a booth
// offline, a queue stuck) into LiveUpdates, and makes snapshots. Flushed by
// the ingest loop at most every 200 ms, so its cost is bounded whatever the
// commit rate. Ingest thread only.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "common/clock.h"
#include "common/event_log.h"
#include "coordinator/booth_protocol.h"
#include "coordinator/capture_day.h"
#include "coordinator/live_publisher.h"
#include "registry/registry.h"

namespace gradcap {

// A booth silent this long is offline (heartbeats come every second).
inline constexpr int64_t kBoothOnlineMs = 5'000;
inline constexpr int64_t kBoothOfflineAlertMs = 10'000;
// The head of a queue waiting this long raises ALERT_QUEUE_STUCK.
inline constexpr int64_t kQueueStuckMs = 10 * 60'000;

// What the live view reads besides the capture-day state: how each booth was
// last heard and how far the log is. A running coordinator answers from its
// booth protocol and event log (CoordinatorSources); the time-lapse of
// `gradcap audit replay --live` plays them back from the log.
class LiveSources {
 public:
  virtual ~LiveSources() = default;
  // Monotonic ms (of the view's clock) when the booth was last heard; -1 never.
  virtual int64_t LastHeardMs(const std::string& booth) const = 0;
  virtual int64_t LastHeardWallMs(const std::string& booth) const = 0;
  virtual uint64_t OutboxDepth(const std::string& booth) const = 0;
  virtual uint64_t LogSeq() const = 0;
  virtual SeqProgress Progress(const std::string& booth) const = 0;
};

class CoordinatorSources final : public LiveSources {
 public:
  CoordinatorSources(const BoothProtocol* booths, const EventLog* log) : booths_(booths), log_(log) {}
  int64_t LastHeardMs(const std::string& booth) const override { return booths_->LastHeardMs(booth); }
  int64_t LastHeardWallMs(const std::string& booth) const override { return booths_->LastHeardWallMs(booth); }
  uint64_t OutboxDepth(const std::string& booth) const override { return booths_->OutboxDepth(booth); }
  uint64_t LogSeq() const override { return log_->last_log_seq(); }
  SeqProgress Progress(const std::string& booth) const override { return log_->CommittedProgress(booth); }

 private:
  const BoothProtocol* booths_;
  const EventLog* log_;
};

class LiveView {
 public:
  LiveView(CaptureDay* day, const Registry* registry, const LiveSources* sources, LivePublisher* publisher,
           const Clock* clock, std::string admin_endpoint);

  // Publishes what changed since the last flush: booths and alerts at most
  // every 200 ms (at once with `now`), head counts at most every second and
  // within their share of the thread (at once with `all`: a snapshot carries
  // fresh head counts anyway, so a subscription need not force them).
  void Flush(bool now = false, bool all = false);
  v1::LiveSnapshot Snapshot() const;

 private:
  v1::BoothState Booth(const std::string& booth) const;
  // Online/offline transitions, backlog changes and the live alerts; adds
  // the booths whose liveness changed to `changed`.
  void CheckLiveness(std::set<std::string>* changed);

  CaptureDay* day_;
  const Registry* registry_;
  const LiveSources* sources_;
  LivePublisher* publisher_;
  const Clock* clock_;
  std::string admin_endpoint_;
  int64_t last_flush_ms_ = 0;
  int64_t next_colleges_ms_ = 0;  // no recount before this (view clock)
  std::set<std::string> colleges_pending_;  // head counts changed, not yet sent
  uint64_t published_seq_ = 0;      // the publisher's number after the last flush
  uint64_t published_log_seq_ = 0;  // the log position viewers were last told
  struct Seen {
    bool online = false;
    uint64_t outbox_depth = 0;
    int offline_episodes = 0;
  };
  absl::flat_hash_map<std::string, Seen> seen_;  // per booth
};

}  // namespace gradcap
