// How refused messages reach the chained log without letting a flood fill
// the disk. In each interval the first `per_peer_logged` refusals of a peer
// and code — and at most `total_logged` over all peers — are logged one by
// one as Rejections (detail, digest and size of the raw frame); the rest are
// only counted, and once the interval is over every peer and code counted
// gets one RefusalCount record. Both kinds go through the applier like any
// record, so replay and the audit see every refusal. Ingest thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "common/clock.h"
#include "common/event_log.h"
#include "coordinator/event_applier.h"

namespace gradcap {

struct RefusalPolicy {
  int64_t interval_ms = 10'000;
  uint32_t per_peer_logged = 10;
  uint32_t total_logged = 100;
  // More distinct peers than this in one interval share one count, "(other peers)".
  size_t max_peers = 1024;
};

// Who sent a refused message, as the log names them.
struct RefusedPeer {
  std::string socket;  // "booth", "validator"
  std::string
      peer;  // Rejection.peer: the enrolled name, the booth the message claims, or "peer:<routing id hex>"
  std::string address;  // the connection's IP address (may be empty)
};

class RefusalRecorder {
 public:
  RefusalRecorder(EventLog* log, EventApplier* applier, const Clock* clock, RefusalPolicy policy = {});

  // Records one refusal, counted for `count_key` (the enrolled name, or the
  // peer's address: whom a flood comes from). When it is logged one by one, `detail` is asked for
  // and the Rejection staged; returns its log_seq then (the caller replies),
  // 0 when it was only counted (the caller stays silent: a flood gets no
  // answers). `id` may be null.
  uint64_t Refuse(const RefusedPeer& who, const std::string& count_key, v1::ErrorCode code,
                  const std::function<std::string()>& detail, std::string_view raw, const v1::EventId* id);
  // Stages the counts of an interval that is over. Call every loop turn.
  void Tick();
  // Stages every count now (at shutdown).
  void FlushAll();

  uint64_t logged() const { return logged_; }
  uint64_t counted() const { return counted_; }

 private:
  struct Tally {
    uint64_t logged = 0, counted = 0, bytes = 0;
    std::string socket;
  };
  void StageCounts();

  EventLog* log_;
  EventApplier* applier_;
  const Clock* clock_;
  RefusalPolicy policy_;
  int64_t interval_started_mono_ = -1;  // -1: no refusal in this interval yet
  int64_t interval_started_ms_ = 0;     // wall, for the records
  uint32_t logged_this_interval_ = 0;
  std::map<std::tuple<std::string, v1::ErrorCode>, Tally> tallies_;  // (count key, code)
  uint64_t logged_ = 0, counted_ = 0;
};

}  // namespace gradcap
