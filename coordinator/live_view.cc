#include "coordinator/live_view.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "absl/strings/str_cat.h"
#include "coordinator/reconciliation.h"

namespace gradcap {
namespace {

constexpr int64_t kFlushEveryMs = 200;
// A head count walks the college's roster: recounted at most every second
// (booths and alerts go out every flush), and never more often than keeps the
// recounts under 1/kCollegesShare of the ingest thread. With 60,000 students a
// college, recounting every flush took most of the ingest thread
// (bench/live_bench).
constexpr int64_t kCollegesEveryMs = 1000;
constexpr int64_t kCollegesShare = 20;
constexpr size_t kAcknowledgedInSnapshot = 200;  // besides every open alert

}  // namespace

LiveView::LiveView(CaptureDay* day, const Registry* registry, const LiveSources* sources, LivePublisher* publisher,
                   const Clock* clock, std::string admin_endpoint)
    : day_(day),
      registry_(registry),
      sources_(sources),
      publisher_(publisher),
      clock_(clock),
      admin_endpoint_(std::move(admin_endpoint)) {
  day_->TrackChanges();
}

v1::BoothState LiveView::Booth(const std::string& booth) const {
  v1::BoothState state;
  day_->DescribeBoothLive(booth, &state);
  const int64_t heard = sources_->LastHeardMs(booth);
  state.set_online(heard >= 0 && clock_->MonotonicMs() - heard < kBoothOnlineMs);
  state.set_last_heard_ms(sources_->LastHeardWallMs(booth));
  state.set_outbox_depth(sources_->OutboxDepth(booth));
  const SeqProgress progress = sources_->Progress(booth);
  state.set_epoch(progress.epoch);
  state.set_last_seq(progress.last_seq);
  return state;
}

void LiveView::CheckLiveness(std::set<std::string>* changed) {
  const int64_t now = clock_->MonotonicMs();
  for (const std::string& booth : day_->Booths()) {
    const int64_t heard = sources_->LastHeardMs(booth);
    Seen& seen = seen_[booth];
    const bool online = heard >= 0 && now - heard < kBoothOnlineMs;
    const uint64_t depth = sources_->OutboxDepth(booth);
    if (online != seen.online || depth != seen.outbox_depth) changed->insert(booth);
    if (seen.online && !online) ++seen.offline_episodes;
    seen.online = online;
    seen.outbox_depth = depth;
    // Offline: a booth that was heard and has gone quiet.
    if (heard >= 0 && now - heard >= kBoothOfflineAlertMs) {
      v1::Alert alert;
      alert.set_kind(v1::ALERT_BOOTH_OFFLINE);
      alert.set_booth(booth);
      alert.set_detail(absl::StrCat("booth ", booth, " has not been heard for ", (now - heard) / 1000,
                                    " s: its laptop, its link or the Wi-Fi?"));
      day_->RaiseLiveAlert(absl::StrCat("B", booth, ".offline.", seen.offline_episodes), alert, "",
                           clock_->NowMs());
    }
  }
  // Stuck: the head of a queue has waited too long.
  for (const std::string& booth : day_->Booths()) {
    std::optional<CaptureDay::QueueHead> head = day_->HeadOf(booth);
    if (!head.has_value() || clock_->NowMs() - head->scanned_at_ms < kQueueStuckMs) continue;
    v1::Alert alert;
    alert.set_kind(v1::ALERT_QUEUE_STUCK);
    alert.set_booth(booth);
    alert.add_shooting_nos(head->shooting_no);
    alert.set_detail(absl::StrCat("number ", head->shooting_no, " at ", booth, " has waited ",
                                  (clock_->NowMs() - head->scanned_at_ms) / 60'000, " min at the head of the queue"));
    day_->RaiseLiveAlert(absl::StrCat("B", booth, ".stuck.", head->shooting_no), alert, head->college,
                         clock_->NowMs());
  }
}

void LiveView::Flush(bool now, bool all) {
  const int64_t mono = clock_->MonotonicMs();
  if (!now && mono - last_flush_ms_ < kFlushEveryMs) return;
  last_flush_ms_ = mono;
  std::set<std::string> booths;
  CheckLiveness(&booths);
  CaptureDay::Changes changes = day_->TakeChanges();
  booths.insert(changes.booths.begin(), changes.booths.end());
  const uint64_t log_seq = sources_->LogSeq();
  for (const std::string& booth : booths) {
    v1::LiveUpdate update;
    update.set_log_seq(log_seq);
    *update.mutable_booth() = Booth(booth);
    publisher_->Publish(std::move(update));
  }
  colleges_pending_.insert(changes.colleges.begin(), changes.colleges.end());
  std::set<std::string> colleges;
  if (all || mono >= next_colleges_ms_) colleges.swap(colleges_pending_);
  const auto counting = std::chrono::steady_clock::now();
  for (const std::string& college : colleges) {
    absl::StatusOr<v1::Reconciliation> r = Reconcile(*day_, *registry_, college);
    if (!r.ok()) continue;  // not a roster college (a stray code): nothing to count
    v1::LiveUpdate update;
    update.set_log_seq(log_seq);
    *update.mutable_college() = std::move(*r);
    publisher_->Publish(std::move(update));
  }
  if (!colleges.empty()) {
    const int64_t cost_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - counting).count();
    next_colleges_ms_ = mono + std::max(kCollegesEveryMs, kCollegesShare * cost_ms);
  }
  for (const std::string& id : changes.alerts) {
    const CaptureDay::AlertEntry* alert = day_->FindAlert(id);
    if (alert == nullptr) continue;
    v1::LiveUpdate update;
    update.set_log_seq(log_seq);
    *update.mutable_alert() = CaptureDay::ToLiveAlert(*alert);
    publisher_->Publish(std::move(update));
  }
  // The log moved without changing what anyone sees (a checkpoint, a
  // verdict for a replaced photo): say so, so a viewer knows how far it is.
  if (publisher_->seq() == published_seq_ && log_seq != published_log_seq_) {
    v1::LiveUpdate update;
    update.set_log_seq(log_seq);
    publisher_->Publish(std::move(update));
  }
  published_seq_ = publisher_->seq();
  published_log_seq_ = log_seq;
}

v1::LiveSnapshot LiveView::Snapshot() const {
  v1::LiveSnapshot snapshot;
  snapshot.set_log_seq(sources_->LogSeq());
  snapshot.set_now_ms(clock_->NowMs());
  snapshot.set_admin_endpoint(admin_endpoint_);
  for (const std::string& booth : day_->Booths()) *snapshot.add_booths() = Booth(booth);
  const std::vector<CaptureDay::AlertEntry>& alerts = day_->alerts();
  size_t acknowledged = 0;
  for (auto it = alerts.rbegin(); it != alerts.rend(); ++it) {
    if (it->acknowledged && ++acknowledged > kAcknowledgedInSnapshot) continue;
    *snapshot.add_alerts() = CaptureDay::ToLiveAlert(*it);
  }
  std::reverse(snapshot.mutable_alerts()->begin(), snapshot.mutable_alerts()->end());
  absl::StatusOr<std::vector<std::string>> colleges = registry_->Colleges();
  if (colleges.ok()) {
    for (const std::string& college : *colleges) {
      absl::StatusOr<v1::Reconciliation> r = Reconcile(*day_, *registry_, college);
      if (r.ok()) *snapshot.add_colleges() = std::move(*r);
    }
  }
  return snapshot;
}

}  // namespace gradcap
