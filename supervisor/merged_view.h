// The supervisor's merged live state: one LiveState per coordinator shard,
// merged into one view with its own numbering. Every change a shard's feed
// reports becomes one numbered MergedChange; the last `keep` of them are held
// so a page can resume after a dropped stream from its last number, and a
// page further behind gets a snapshot instead. The view has its own run (a
// restarted supervisor numbers anew, and pages notice). Thread-safe: feeds
// write from their threads, the HTTP side reads.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "live/live_feed.h"
#include "live/live_state.h"

namespace gradcap {

// A coordinator shard as the view knows it.
struct ShardInfo {
  int index = 0;
  std::string endpoint;  // its live endpoint
  LinkState link = LinkState::kConnecting;
  std::string run;
  std::string admin_endpoint;  // from its snapshot
  int64_t now_ms = 0;          // its clock, as last heard
};

struct MergedChange {
  enum class Kind { kItem, kShard };
  uint64_t seq = 0;
  Kind kind = Kind::kItem;
  int shard = 0;
  LiveChange item;     // kItem
  ShardInfo info;      // kShard: the shard's link or run changed
  int64_t now_ms = 0;  // the shard's clock when the change came
};

class MergedView {
 public:
  MergedView(std::vector<std::string> endpoints, std::string run, size_t keep = 4096);

  // A shard's feed listener (LiveFeed::Listener) calls this.
  void OnFeed(int shard, const LiveState& state, const std::vector<LiveChange>& changes, LinkState link);
  // Called (on the feed's thread, without the view's lock) after new changes.
  void SetNotifier(std::function<void()> notify);

  struct Snapshot {
    std::string run;
    uint64_t seq = 0;
    std::vector<ShardInfo> shards;
    std::map<std::pair<int, std::string>, v1::BoothState> booths;  // (shard, booth id)
    std::map<std::pair<int, std::string>, v1::LiveAlert> alerts;   // (shard, alert id)
    std::map<std::string, std::pair<int, v1::Reconciliation>> colleges;
  };
  Snapshot TakeSnapshot() const;

  // The changes numbered after `after`, at most `max`; nullopt when some of
  // them are no longer held or `after` is ahead of the view (another run).
  std::optional<std::vector<MergedChange>> ChangesAfter(uint64_t after, size_t max) const;

  const std::string& run() const { return run_; }
  uint64_t seq() const;
  size_t shard_count() const { return shards_.size(); }
  ShardInfo shard(int index) const;

  // Lookups for the API.
  std::vector<std::pair<int, v1::BoothState>> FindBooth(const std::string& booth) const;
  std::optional<std::pair<int, v1::LiveAlert>> FindAlert(int shard, const std::string& id) const;
  std::optional<std::pair<int, v1::Reconciliation>> FindCollege(const std::string& college) const;
  // The shard and college of a photo some booth lists among its recent ones.
  std::optional<std::pair<int, std::string>> FindPhoto(const std::string& sha256) const;

 private:
  void Append(MergedChange change);  // holds mu_

  const std::string run_;
  const size_t keep_;
  mutable std::mutex mu_;
  std::function<void()> notify_;
  uint64_t seq_ = 0;
  std::deque<MergedChange> changes_;
  std::vector<ShardInfo> shards_;
  std::map<std::pair<int, std::string>, v1::BoothState> booths_;
  std::map<std::pair<int, std::string>, v1::LiveAlert> alerts_;
  std::map<std::string, std::pair<int, v1::Reconciliation>> colleges_;
};

}  // namespace gradcap
