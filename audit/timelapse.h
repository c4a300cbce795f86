// The time-lapse of a capture day (`gradcap audit replay --db DIR --live
// ENDPOINT --speed 10`): the day replayed from the log alone, record by
// record at its recorded pace (sped up), served on the same live feed a
// running coordinator serves, so the supervisor view and `gradcap watch`
// show the day as if it were happening again — for review meetings.
//
// Read-only: nothing is written and nothing can be acknowledged or closed
// (the snapshot names no admin socket). Booths show online from their first
// to their last event of the day; the view's own alerts (a queue head waiting
// over 10 minutes) fire on the day's clock as they did then.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/transport.h"

namespace gradcap {

struct TimelapseOptions {
  std::string endpoint;           // where supervisors subscribe, e.g. tcp://127.0.0.1:5559
  std::optional<CurveKeyPair> curve_keys;  // CURVE server (the admin keys' domain) when set
  double speed = 10;              // day time per real time
  int64_t max_gap_ms = 60'000;    // a quieter stretch of the day (lunch) is cut to this, in day time
  uint64_t until = 0;             // stop after this record (0: the whole log)
  // After the last record: keep serving this long (real ms); < 0 until stopped.
  int64_t linger_ms = -1;
  // Start playing only once the first viewer subscribed (the projector is on).
  bool wait_for_viewer = false;
  const std::atomic<bool>* stop = nullptr;  // set to end early (a signal)
};

struct TimelapseSummary {
  uint64_t records = 0;
  int64_t day_ms = 0;    // first to last record, day time
  int64_t played_ms = 0; // real time the records took
  uint64_t updates = 0;  // live updates published
  bool stopped = false;  // ended by `stop` before the last record
};

absl::StatusOr<TimelapseSummary> PlayTimelapse(const std::string& db_dir, const TimelapseOptions& options);

}  // namespace gradcap
