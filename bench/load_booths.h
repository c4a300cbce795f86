// Simulated booths of bench/load_bench: one DEALER each on loopback, each
// taking a student every `period` (scan, then sign a third of the way in,
// then the photo two thirds in) and sending a heartbeat every second, as
// booth-agent does. Records send → ack and photo sent → PhotoVerdict on the
// booth's connection. Single-threaded: the caller drives Run from one thread.
#ifndef GRADCAP_BENCH_LOAD_BOOTHS_H_
#define GRADCAP_BENCH_LOAD_BOOTHS_H_

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/load_day.h"
#include "common/transport.h"

namespace gradcap::bench {

// Distinct photos, made ahead on a thread: corpus photos re-encoded with a
// few pixels changed, so no photo repeats (the result caches would answer).
class PhotoSource {
 public:
  // `photos`: decodable 480 × 640 JPEGs.
  PhotoSource(std::vector<std::string> photos, int jpeg_quality);
  ~PhotoSource();
  PhotoSource(const PhotoSource&) = delete;
  PhotoSource& operator=(const PhotoSource&) = delete;
  std::string Take();  // waits when none is ready

 private:
  void Make();
  std::vector<std::string> photos_;
  int quality_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::string> ready_;
  bool stop_ = false;
  std::thread thread_;
};

// What one phase measured.
struct PhaseStats {
  double seconds = 0;        // the paced part, without the drain
  double drain_seconds = 0;  // the wait for outstanding acks and verdicts after it
  int64_t events_sent = 0, acked = 0, acked_in_time = 0, refused = 0, resends = 0, errors = 0;
  int64_t photos_sent = 0, photo_bytes = 0, verdicts = 0, verdicts_pass = 0;
  std::vector<double> ack_ms, verdict_ms;
  std::map<std::string, int64_t> refusals;  // reason name → count
};

class SimulatedBooths {
 public:
  SimulatedBooths(const std::string& endpoint, const DayShape& day, v1::CodeKey key, PhotoSource* photos,
                  std::chrono::milliseconds period);
  // Booths 0 .. active-1 take students for `seconds`, then up to
  // `drain_seconds` more waiting for outstanding acks and verdicts.
  // `tick` is called about every second (memory sampling).
  template <typename Tick>
  PhaseStats Run(int active, double seconds, double drain_seconds, Tick tick);

 private:
  struct Booth {
    std::unique_ptr<MessageSocket> socket;
    uint64_t seq = 0;
    int next_student = 0;
    uint32_t shooting_no = 0;  // from the last scan's ack
    int step = 0;              // 0 scan, 1 sign, 2 photo
    SteadyClock::time_point due, heartbeat_due;
    uint64_t scan_seq = 0;
    std::map<uint64_t, SteadyClock::time_point> unacked;
    std::map<uint64_t, std::string> photo_at_seq;  // unacked photos: seq → sha256
  };
  void Begin(int active);
  void Step(int b, PhaseStats* stats);
  void Send(int b, v1::Envelope& e, PhaseStats* stats);
  void Heartbeat(int b);
  void Drain(int active, int timeout_ms, bool in_time, PhaseStats* stats);
  int Outstanding(int active) const;

  DayShape day_;
  v1::CodeKey key_;
  PhotoSource* photos_;
  std::chrono::milliseconds period_;
  int stride_;  // students between two of one booth's
  std::vector<Booth> booths_;
  std::map<std::string, SteadyClock::time_point> awaiting_verdict_;  // photo sha256 → sent
};

template <typename Tick>
PhaseStats SimulatedBooths::Run(int active, double seconds, double drain_seconds, Tick tick) {
  PhaseStats stats;
  Begin(active);
  const auto start = SteadyClock::now();
  const auto end = start + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  auto next_tick = start;
  // After `end` no booth starts another student; those in the middle of one
  // finish it (sign, photo), so the next run finds every queue empty.
  bool busy = true;
  while (SteadyClock::now() < end || busy) {
    const auto now = SteadyClock::now();
    busy = false;
    for (int b = 0; b < active; ++b) {
      Booth& booth = booths_[b];
      if (booth.due <= now && (now < end || booth.step != 0)) Step(b, &stats);
      if (booth.heartbeat_due <= now) Heartbeat(b);
      busy = busy || booth.step != 0;
    }
    if (now >= next_tick) {
      tick();
      next_tick += std::chrono::seconds(1);
    }
    Drain(active, 2, true, &stats);
  }
  stats.seconds = Ms(SteadyClock::now() - start) / 1000;
  const auto drain_end =
      SteadyClock::now() + std::chrono::milliseconds(static_cast<int64_t>(drain_seconds * 1000));
  while (Outstanding(active) > 0 && SteadyClock::now() < drain_end) {
    const auto now = SteadyClock::now();
    for (int b = 0; b < active; ++b) {
      if (booths_[b].heartbeat_due <= now) Heartbeat(b);
    }
    if (now >= next_tick) {
      tick();
      next_tick += std::chrono::seconds(1);
    }
    Drain(active, 20, false, &stats);
  }
  stats.drain_seconds = Ms(SteadyClock::now() - start) / 1000 - stats.seconds;
  return stats;
}

}  // namespace gradcap::bench

#endif  // GRADCAP_BENCH_LOAD_BOOTHS_H_
