#include "live/live_state.h"

#include <google/protobuf/util/message_differencer.h>

namespace gradcap {
namespace {

using google::protobuf::util::MessageDifferencer;

// The changes that turn `old_items` into `new_items`, keyed alike; `set`
// puts a value into a LiveChange.
template <typename T, typename Set>
void Diff(LiveChange::Kind kind, const std::map<std::string, T>& old_items,
          const std::map<std::string, T>& new_items, Set set, std::vector<LiveChange>* out) {
  for (const auto& [key, value] : new_items) {
    auto it = old_items.find(key);
    if (it != old_items.end() && MessageDifferencer::Equals(it->second, value)) continue;
    LiveChange change;
    change.kind = kind;
    change.key = key;
    set(value, &change);
    out->push_back(std::move(change));
  }
  for (const auto& [key, value] : old_items) {
    if (new_items.count(key)) continue;
    LiveChange change;
    change.kind = kind;
    change.key = key;
    change.removed = true;
    out->push_back(std::move(change));
  }
}

}  // namespace

LiveState::Applied LiveState::ApplySnapshot(const v1::LiveSnapshot& snapshot) {
  std::map<std::string, v1::BoothState> booths;
  for (const v1::BoothState& b : snapshot.booths()) booths[b.booth()] = b;
  std::map<std::string, v1::LiveAlert> alerts;
  for (const v1::LiveAlert& a : snapshot.alerts()) alerts[a.id()] = a;
  std::map<std::string, v1::Reconciliation> colleges;
  for (const v1::Reconciliation& c : snapshot.colleges()) colleges[c.college()] = c;

  Applied applied;
  Diff(
      LiveChange::Kind::kBooth, booths_, booths, [](const v1::BoothState& v, LiveChange* c) { c->booth = v; },
      &applied.changes);
  Diff(
      LiveChange::Kind::kAlert, alerts_, alerts, [](const v1::LiveAlert& v, LiveChange* c) { c->alert = v; },
      &applied.changes);
  Diff(
      LiveChange::Kind::kCollege, colleges_, colleges,
      [](const v1::Reconciliation& v, LiveChange* c) { c->college = v; }, &applied.changes);
  booths_ = std::move(booths);
  alerts_ = std::move(alerts);
  colleges_ = std::move(colleges);
  synced_ = true;
  run_ = snapshot.run();
  seq_ = snapshot.seq();
  now_ms_ = snapshot.now_ms();
  log_seq_ = snapshot.log_seq();
  admin_endpoint_ = snapshot.admin_endpoint();
  return applied;
}

LiveState::Applied LiveState::ApplyUpdate(const v1::LiveUpdate& update) {
  Applied applied;
  if (!synced_ || update.run() != run_) {
    applied.resubscribe = true;
    return applied;
  }
  if (update.seq() <= seq_) return applied;  // already applied (a replay after a resubscribe)
  if (update.seq() != seq_ + 1) {
    applied.resubscribe = true;
    return applied;
  }
  seq_ = update.seq();
  if (update.now_ms() != 0) now_ms_ = update.now_ms();
  if (update.log_seq() != 0) log_seq_ = update.log_seq();
  if (update.has_booth()) {
    LiveChange change;
    change.kind = LiveChange::Kind::kBooth;
    change.key = update.booth().booth();
    change.booth = update.booth();
    booths_[change.key] = update.booth();
    applied.changes.push_back(std::move(change));
  }
  if (update.has_alert()) {
    LiveChange change;
    change.kind = LiveChange::Kind::kAlert;
    change.key = update.alert().id();
    change.alert = update.alert();
    alerts_[change.key] = update.alert();
    applied.changes.push_back(std::move(change));
  }
  if (update.has_college()) {
    LiveChange change;
    change.kind = LiveChange::Kind::kCollege;
    change.key = update.college().college();
    change.college = update.college();
    colleges_[change.key] = update.college();
    applied.changes.push_back(std::move(change));
  }
  return applied;
}

v1::LiveSubscribe LiveState::Subscribe() const {
  v1::LiveSubscribe subscribe;
  subscribe.set_run(run_);
  subscribe.set_after_seq(seq_);
  return subscribe;
}

}  // namespace gradcap
