#include "audit/timelapse.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "audit/audit_db.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "coordinator/live_publisher.h"
#include "coordinator/live_view.h"

namespace gradcap {
namespace {

int64_t DayTimeOf(const v1::LogRecord& r) {
  if (r.has_applied() && r.applied().decided_at_ms() != 0) return r.applied().decided_at_ms();
  return r.recorded_at_ms();
}

// The booths and the log as they stood at the record being played: a booth
// is heard (online) from its first event of the day to its last; after that
// it is quiet without an alarm (it closed, it did not crash).
class PlayedSources final : public LiveSources {
 public:
  PlayedSources(const ManualClock* day_clock, std::map<std::string, uint64_t> last_event_of)
      : day_clock_(day_clock), last_event_of_(std::move(last_event_of)) {}

  void Played(const v1::LogRecord& r) {
    log_seq_ = r.log_seq();
    if (!r.has_applied()) return;
    const v1::EventId& id = r.applied().event().id();
    Booth& b = booths_[id.booth()];
    b.started = true;
    b.wall_ms = DayTimeOf(r);
    b.progress = SeqProgress{id.epoch(), id.seq()};
    auto last = last_event_of_.find(id.booth());
    b.done = last != last_event_of_.end() && r.log_seq() >= last->second;
  }

  int64_t LastHeardMs(const std::string& booth) const override {
    auto it = booths_.find(booth);
    if (it == booths_.end() || !it->second.started || it->second.done) return -1;
    return day_clock_->MonotonicMs();
  }
  int64_t LastHeardWallMs(const std::string& booth) const override {
    auto it = booths_.find(booth);
    return it == booths_.end() ? 0 : it->second.wall_ms;
  }
  uint64_t OutboxDepth(const std::string&) const override { return 0; }
  uint64_t LogSeq() const override { return log_seq_; }
  SeqProgress Progress(const std::string& booth) const override {
    auto it = booths_.find(booth);
    return it == booths_.end() ? SeqProgress{} : it->second.progress;
  }

 private:
  struct Booth {
    bool started = false, done = false;
    int64_t wall_ms = 0;
    SeqProgress progress;
  };
  const ManualClock* day_clock_;
  std::map<std::string, uint64_t> last_event_of_;  // booth → log seq of its last event
  std::map<std::string, Booth> booths_;
  uint64_t log_seq_ = 0;
};

class Player {
 public:
  Player(const TimelapseOptions& options, LivePublisher* publisher, LiveView* view)
      : options_(options), publisher_(publisher), view_(view) {}

  bool stopped() const { return options_.stop != nullptr && options_.stop->load(); }

  // Serves subscribers until the real monotonic time `deadline_ms` (< 0:
  // until stopped). Cancelled when stopped first.
  absl::Status ServeUntil(int64_t deadline_ms) {
    const Clock* real = SystemClock::Get();
    while (true) {
      if (stopped()) return absl::CancelledError("stopped");
      const int64_t now = real->MonotonicMs();
      if (deadline_ms >= 0 && now >= deadline_ms) return absl::OkStatus();
      const int wait = static_cast<int>(deadline_ms < 0 ? 100 : std::min<int64_t>(deadline_ms - now, 100));
      GRADCAP_ASSIGN_OR_RETURN(std::vector<bool> readable,
                               MessageSocket::WaitReadable({publisher_->socket()}, -1, std::max(wait, 0)));
      if (readable[0]) {
        view_->Flush(/*now=*/true);
        publisher_->ServeWaiting([this] { return view_->Snapshot(); });
      }
      publisher_->Tick();
    }
  }

 private:
  const TimelapseOptions& options_;
  LivePublisher* publisher_;
  LiveView* view_;
};

}  // namespace

absl::StatusOr<TimelapseSummary> PlayTimelapse(const std::string& db_dir, const TimelapseOptions& options) {
  if (!(options.speed > 0)) return absl::InvalidArgumentError("--speed must be above 0 (10: ten times as fast)");
  if (options.max_gap_ms <= 0) return absl::InvalidArgumentError("--max_gap_s must be above 0");
  GRADCAP_ASSIGN_OR_RETURN(AuditDb db, OpenAuditDb(db_dir));

  // Where each booth's day ends, so it goes quiet there without an alarm.
  std::map<std::string, uint64_t> last_event_of;
  GRADCAP_RETURN_IF_ERROR(db.log->ForEachSealedRecord([&](const v1::LogRecord& r, const Digest&) -> absl::Status {
    if (r.has_applied()) last_event_of[r.applied().event().id().booth()] = r.log_seq();
    return absl::OkStatus();
  }));

  ManualClock day_clock(0);
  PlayedSources sources(&day_clock, std::move(last_event_of));
  CaptureDay day(db.registry.get());
  LiveOptions live_options;
  live_options.endpoint = options.endpoint;
  live_options.curve_keys = options.curve_keys;
  live_options.state_clock = &day_clock;
  LivePublisher publisher(live_options, SystemClock::Get());
  GRADCAP_RETURN_IF_ERROR(publisher.Bind());
  LiveView view(&day, db.registry.get(), &sources, &publisher, &day_clock, /*admin_endpoint=*/"");
  Player player(options, &publisher, &view);
  LogInfo("timelapse", "serving the day of ", db_dir, " on ", publisher.endpoint(), " (run ", publisher.run(),
          ") at ", options.speed, "×");

  TimelapseSummary summary;
  const Clock* real = SystemClock::Get();
  int64_t started = real->MonotonicMs();
  int64_t first_ms = -1, previous_ms = 0;
  double offset_ms = 0;  // day time played so far, quiet stretches cut
  ReplayHooks hooks;
  hooks.before = [&](const v1::LogRecord& r, const Digest&) -> absl::Status {
    const int64_t t = DayTimeOf(r);
    if (first_ms < 0) {
      first_ms = previous_ms = t;
      day_clock.Set(t);
      if (options.wait_for_viewer) {
        LogInfo("timelapse", "waiting for the first viewer");
        while (publisher.subscribers() == 0) GRADCAP_RETURN_IF_ERROR(player.ServeUntil(real->MonotonicMs() + 100));
      }
      started = real->MonotonicMs();
    }
    offset_ms += static_cast<double>(std::clamp<int64_t>(t - previous_ms, 0, options.max_gap_ms));
    previous_ms = std::max(previous_ms, t);
    return player.ServeUntil(started + static_cast<int64_t>(offset_ms / options.speed));
  };
  hooks.after = [&](const v1::LogRecord& r) {
    day_clock.Set(std::max(day_clock.NowMs(), DayTimeOf(r)));
    sources.Played(r);
    view.Flush();  // throttled in day time, as on the day
    ++summary.records;
  };
  absl::Status played = ReplayChecked(db, &day, hooks, options.until);
  view.Flush(/*now=*/true, /*all=*/true);  // the day's end, all of it
  summary.played_ms = real->MonotonicMs() - started;
  summary.day_ms = first_ms < 0 ? 0 : previous_ms - first_ms;
  if (absl::IsCancelled(played) && player.stopped()) {
    summary.stopped = true;
  } else {
    GRADCAP_RETURN_IF_ERROR(played);
    LogInfo("timelapse", "the day is played: ", summary.records, " records; ",
            options.linger_ms < 0 ? "serving its end until stopped" : "serving its end a little longer");
    absl::Status lingered =
        player.ServeUntil(options.linger_ms < 0 ? -1 : real->MonotonicMs() + options.linger_ms);
    if (!lingered.ok() && !absl::IsCancelled(lingered)) return lingered;
  }
  summary.updates = publisher.seq();
  return summary;
}

}  // namespace gradcap
