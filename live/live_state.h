// One coordinator's live state as a subscriber holds it (zguide's Clone
// pattern): a LiveSnapshot replaces it, LiveUpdates numbered within the
// coordinator's run change it one at a time. Apply*() say what changed, item
// by item, so a view can pass the changes on; and whether the subscriber must
// subscribe again (a gap, another run). Pure: no sockets, no clock, no
// threads; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "proto/gradcap.pb.h"

namespace gradcap {

namespace v1 = ::gradcap::v1;

// One item of the live state that changed: its whole new value, or that it
// is gone (a coordinator restarted without it).
struct LiveChange {
  enum class Kind { kBooth, kAlert, kCollege };
  Kind kind = Kind::kBooth;
  std::string key;  // booth id, alert id, college name
  bool removed = false;
  v1::BoothState booth;        // kBooth
  v1::LiveAlert alert;         // kAlert
  v1::Reconciliation college;  // kCollege
};

class LiveState {
 public:
  struct Applied {
    std::vector<LiveChange> changes;
    bool resubscribe = false;  // a gap or another run: send Subscribe() now
  };

  // Replaces the whole state; the changes are what differs from before
  // (after a coordinator restart: only what really changed).
  Applied ApplySnapshot(const v1::LiveSnapshot& snapshot);
  // Applies the next update of this run; an old one is ignored, a later one
  // (a gap) or one of another run asks to subscribe again.
  Applied ApplyUpdate(const v1::LiveUpdate& update);

  // What to send the coordinator: the run and last update seen.
  v1::LiveSubscribe Subscribe() const;

  bool synced() const { return synced_; }
  const std::string& run() const { return run_; }
  uint64_t seq() const { return seq_; }
  int64_t now_ms() const { return now_ms_; }
  uint64_t log_seq() const { return log_seq_; }
  const std::string& admin_endpoint() const { return admin_endpoint_; }
  const std::map<std::string, v1::BoothState>& booths() const { return booths_; }
  const std::map<std::string, v1::LiveAlert>& alerts() const { return alerts_; }
  const std::map<std::string, v1::Reconciliation>& colleges() const { return colleges_; }

 private:
  bool synced_ = false;
  std::string run_;
  uint64_t seq_ = 0;
  int64_t now_ms_ = 0;
  uint64_t log_seq_ = 0;
  std::string admin_endpoint_;
  std::map<std::string, v1::BoothState> booths_;
  std::map<std::string, v1::LiveAlert> alerts_;
  std::map<std::string, v1::Reconciliation> colleges_;
};

}  // namespace gradcap
