#include "supervisor/merged_view.h"

namespace gradcap {

MergedView::MergedView(std::vector<std::string> endpoints, std::string run, size_t keep)
    : run_(std::move(run)), keep_(keep) {
  for (size_t i = 0; i < endpoints.size(); ++i) {
    ShardInfo info;
    info.index = static_cast<int>(i);
    info.endpoint = endpoints[i];
    shards_.push_back(info);
  }
}

void MergedView::SetNotifier(std::function<void()> notify) {
  std::lock_guard<std::mutex> lock(mu_);
  notify_ = std::move(notify);
}

void MergedView::Append(MergedChange change) {
  change.seq = ++seq_;
  changes_.push_back(std::move(change));
  while (changes_.size() > keep_) changes_.pop_front();
}

void MergedView::OnFeed(int shard, const LiveState& state, const std::vector<LiveChange>& changes,
                        LinkState link) {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shard < 0 || shard >= static_cast<int>(shards_.size())) return;
    ShardInfo& info = shards_[shard];
    const bool shard_changed = info.link != link || info.run != state.run();
    info.link = link;
    info.run = state.run();
    info.admin_endpoint = state.admin_endpoint();
    info.now_ms = state.now_ms();
    for (const LiveChange& item : changes) {
      // A removal carries the value it removes, so each page's scope can
      // tell whether it ever saw it.
      LiveChange removed = item;
      switch (item.kind) {
        case LiveChange::Kind::kBooth:
          if (item.removed) {
            if (auto it = booths_.find({shard, item.key}); it != booths_.end()) removed.booth = it->second;
            booths_.erase({shard, item.key});
          } else {
            booths_[{shard, item.key}] = item.booth;
          }
          break;
        case LiveChange::Kind::kAlert:
          if (item.removed) {
            if (auto it = alerts_.find({shard, item.key}); it != alerts_.end()) removed.alert = it->second;
            alerts_.erase({shard, item.key});
          } else {
            alerts_[{shard, item.key}] = item.alert;
          }
          break;
        case LiveChange::Kind::kCollege:
          if (item.removed) {
            if (auto it = colleges_.find(item.key); it != colleges_.end())
              removed.college = it->second.second;
            colleges_.erase(item.key);
          } else {
            colleges_[item.key] = {shard, item.college};
          }
          break;
      }
      MergedChange change;
      change.shard = shard;
      change.item = std::move(removed);
      change.now_ms = state.now_ms();
      Append(std::move(change));
    }
    if (shard_changed) {
      MergedChange change;
      change.kind = MergedChange::Kind::kShard;
      change.shard = shard;
      change.info = info;
      change.now_ms = state.now_ms();
      Append(std::move(change));
    }
    if (changes.empty() && !shard_changed) return;
    notify = notify_;
  }
  if (notify) notify();
}

MergedView::Snapshot MergedView::TakeSnapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  Snapshot snapshot;
  snapshot.run = run_;
  snapshot.seq = seq_;
  snapshot.shards = shards_;
  snapshot.booths = booths_;
  snapshot.alerts = alerts_;
  snapshot.colleges = colleges_;
  return snapshot;
}

std::optional<std::vector<MergedChange>> MergedView::ChangesAfter(uint64_t after, size_t max) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (after > seq_) return std::nullopt;
  std::vector<MergedChange> out;
  if (after == seq_) return out;
  if (changes_.empty() || changes_.front().seq > after + 1) return std::nullopt;
  for (auto it = changes_.begin() + static_cast<std::ptrdiff_t>(after + 1 - changes_.front().seq);
       it != changes_.end() && out.size() < max; ++it) {
    out.push_back(*it);
  }
  return out;
}

uint64_t MergedView::seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seq_;
}

ShardInfo MergedView::shard(int index) const {
  std::lock_guard<std::mutex> lock(mu_);
  return shards_.at(index);
}

std::vector<std::pair<int, v1::BoothState>> MergedView::FindBooth(const std::string& booth) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<int, v1::BoothState>> found;
  for (const auto& [key, state] : booths_) {
    if (key.second == booth) found.emplace_back(key.first, state);
  }
  return found;
}

std::optional<std::pair<int, v1::LiveAlert>> MergedView::FindAlert(int shard, const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = alerts_.find({shard, id});
  if (it == alerts_.end()) return std::nullopt;
  return std::make_pair(shard, it->second);
}

std::optional<std::pair<int, v1::Reconciliation>> MergedView::FindCollege(const std::string& college) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = colleges_.find(college);
  if (it == colleges_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::pair<int, std::string>> MergedView::FindPhoto(const std::string& sha256) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, booth] : booths_) {
    for (int i = 0; i < booth.recent_size(); ++i) {
      if (booth.recent(i).photo_sha256() != sha256) continue;
      return std::make_pair(key.first,
                            i < booth.recent_colleges_size() ? booth.recent_colleges(i) : std::string());
    }
  }
  return std::nullopt;
}

}  // namespace gradcap
