// A province-scale day under load, with real processes on loopback: a
// coordinator (--live, --validators), 4 validator worker processes, a
// supervisor with 20 pages (SSE streams) open, and 200 simulated booths, each
// taking a student every 6 s — 10× a real booth (a student a minute): scan,
// sign, then a photo (a corpus photo re-encoded with a few pixels changed, so
// every photo is new to the validators), plus a heartbeat a second.
//
//   build/bench/load_bench [--booths 200] [--seconds 300] [--pace 10] [--validators 4] [--pages 20]
//                          [--identity]
//
// First a baseline in the same run: a handful of booths (--baseline_booths)
// at the same pace for --baseline_seconds; then all booths for --seconds.
// Each phase then waits up to --drain_seconds for outstanding acks and
// verdicts. Reports events acked per second, ack latency (send → ack) and
// verdict-at-booth latency (photo sent → its PhotoVerdict on that booth's
// connection) p50/p99 with ratios against the baseline, coordinator and
// validator memory (RSS), and the growth of the coordinator's RocksDB, scaled
// to an hour of a real day. Validators run without the face network unless
// --identity (the corpus's 89 faces repeated make every verdict a
// face_duplicate of dozens).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "bench/load_booths.h"
#include "bench/load_day.h"
#include "common/file_util.h"
#include "common/sha256.h"

ABSL_FLAG(int, booths, 200, "Simulated booths.");
ABSL_FLAG(int, seconds, 300, "Length of the load run.");
ABSL_FLAG(int, pace, 10, "How many times a real booth's pace (a student every 60 s): 10 = one every 6 s.");
ABSL_FLAG(int, validators, 4, "Validator worker processes.");
ABSL_FLAG(int, pages, 20, "Supervisor pages (SSE streams) open.");
ABSL_FLAG(int, colleges, 20, "Colleges; booth b serves college b % colleges.");
ABSL_FLAG(int, baseline_booths, 5, "Booths of the baseline run.");
ABSL_FLAG(int, baseline_seconds, 30, "Length of the baseline run.");
ABSL_FLAG(int, drain_seconds, 60, "After each run, the longest wait for outstanding acks and verdicts.");
ABSL_FLAG(int, jpeg_quality, 100, "JPEG quality of the re-encoded photos (100: ~100 KB at 480 × 640).");
ABSL_FLAG(bool, identity, false,
          "Validators load the face network (face_match, face_duplicate). Off by default: the corpus has 89 "
          "faces, so over thousands of photos every verdict is a face_duplicate of dozens of earlier photos, "
          "which no real day has (and which stalls the coordinator: see README).");
ABSL_FLAG(std::string, corpus, PHOTO_CORPUS_DIR, "The labelled photo corpus (tests/photos/make-corpus.sh).");
ABSL_FLAG(
    std::string, bin_dir, "",
    "A build folder to take coordinator, validator, supervisor and gradcap from (default: this build's).");

namespace gradcap::bench {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> CorpusPhotos(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".jpg") continue;
    std::string bytes = ReadWholeFile(e.path().string()).value_or("");
    if (bytes.empty()) continue;
    cv::Mat m =
        cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, bytes.data()), cv::IMREAD_COLOR);
    if (m.cols == 480 && m.rows == 640) out.push_back(std::move(bytes));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Binaries FindBinaries() {
  const std::string dir = absl::GetFlag(FLAGS_bin_dir);
  if (dir.empty()) return {COORDINATOR_BIN, VALIDATOR_BIN, SUPERVISOR_BIN, GRADCAP_BIN};
  return {dir + "/coordinator/coordinator", dir + "/validator/validator", dir + "/supervisor/supervisor",
          dir + "/admin/gradcap"};
}

// Peak resident memory seen, sampled about every second.
struct Memory {
  long coordinator_kb = 0, supervisor_kb = 0, validator_kb = 0;  // validator: the largest worker
  void Sample(pid_t coordinator, pid_t supervisor, const std::vector<pid_t>& validators) {
    coordinator_kb = std::max(coordinator_kb, RssKb(coordinator));
    supervisor_kb = std::max(supervisor_kb, RssKb(supervisor));
    for (pid_t v : validators) validator_kb = std::max(validator_kb, RssKb(v));
  }
};

void PrintPhase(const char* name, int booths, const PhaseStats& s) {
  std::printf(
      "%s: %d booths for %.0f s: %lld events sent, %lld acked (%.1f/s in the paced run), %lld refused, "
      "%lld resend requests, %lld errors\n",
      name, booths, s.seconds, static_cast<long long>(s.events_sent), static_cast<long long>(s.acked),
      s.acked_in_time / s.seconds, static_cast<long long>(s.refused), static_cast<long long>(s.resends),
      static_cast<long long>(s.errors));
  for (const auto& [reason, n] : s.refusals)
    std::printf("  refused %s: %lld\n", reason.c_str(), static_cast<long long>(n));
  std::printf("  verdicts came back at %.1f/s (paced run and drain, %.0f s)\n",
              s.verdicts / (s.seconds + s.drain_seconds), s.seconds + s.drain_seconds);
  std::printf("  ack latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", Percentile(s.ack_ms, 0.5),
              Percentile(s.ack_ms, 0.99), Percentile(s.ack_ms, 1));
  std::printf(
      "  photos %lld (mean %.0f KB), verdicts at the booth %lld (%lld pass), %lld without one: p50 %.0f ms, "
      "p99 %.0f ms, max %.0f ms\n",
      static_cast<long long>(s.photos_sent), s.photos_sent ? s.photo_bytes / 1024.0 / s.photos_sent : 0.0,
      static_cast<long long>(s.verdicts), static_cast<long long>(s.verdicts_pass),
      static_cast<long long>(s.photos_sent - s.verdicts - s.refusals.count("photo_without_scan")),
      Percentile(s.verdict_ms, 0.5), Percentile(s.verdict_ms, 0.99), Percentile(s.verdict_ms, 1));
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

int Main() {
  (void)InitCrypto();
  const int booth_count = absl::GetFlag(FLAGS_booths), seconds = absl::GetFlag(FLAGS_seconds);
  const int pace = absl::GetFlag(FLAGS_pace),
            baseline_booths = std::min(absl::GetFlag(FLAGS_baseline_booths), booth_count);
  const int baseline_seconds = absl::GetFlag(FLAGS_baseline_seconds),
            drain = absl::GetFlag(FLAGS_drain_seconds);
  std::vector<std::string> corpus = CorpusPhotos(absl::GetFlag(FLAGS_corpus));
  if (corpus.empty()) {
    std::fprintf(stderr, "load_bench: no 480x640 photos in %s: run tests/photos/make-corpus.sh\n",
                 absl::GetFlag(FLAGS_corpus).c_str());
    return 1;
  }
  const std::chrono::milliseconds period(60000 / pace);
  DayShape shape;
  shape.booths = booth_count;
  shape.colleges = std::min(absl::GetFlag(FLAGS_colleges), booth_count);
  const int per_college = (booth_count + shape.colleges - 1) / shape.colleges;
  const int per_booth = static_cast<int>((baseline_seconds + seconds) * 1000 / period.count()) + 4;
  shape.students = shape.colleges * per_college * per_booth;

  TempDir dir;
  Day day(dir, FindBinaries());
  std::printf("starting: %d students, %d colleges, %d booths, %d validators (%s)\n", shape.students,
              shape.colleges, booth_count, absl::GetFlag(FLAGS_validators), dir.path().c_str());
  std::fflush(stdout);
  if (!day.Start(shape, absl::GetFlag(FLAGS_validators), absl::GetFlag(FLAGS_identity))) return 1;
  PhotoSource photos(std::move(corpus), absl::GetFlag(FLAGS_jpeg_quality));
  SimulatedBooths booths(day.booth_endpoint(), shape, day.code_key(), &photos, period);
  Pages pages;
  const int open = pages.Open(absl::GetFlag(FLAGS_pages), day.http_port(), day.cookie());
  std::printf("%d of %d pages open\n", open, absl::GetFlag(FLAGS_pages));
  std::fflush(stdout);

  const std::vector<pid_t> validator_pids = day.validator_pids();
  Memory baseline_memory, load_memory;
  const PhaseStats baseline = booths.Run(baseline_booths, baseline_seconds, drain, [&] {
    baseline_memory.Sample(day.coordinator_pid(), day.supervisor_pid(), validator_pids);
  });
  PrintPhase("baseline", baseline_booths, baseline);
  std::fflush(stdout);

  const uint64_t disk_before = DirBytes(day.db());
  const long rss_before = RssKb(day.coordinator_pid());
  const int64_t page_events_before = pages.events();
  const PhaseStats load = booths.Run(booth_count, seconds, drain, [&] {
    load_memory.Sample(day.coordinator_pid(), day.supervisor_pid(), validator_pids);
  });
  const uint64_t disk_after = DirBytes(day.db());
  const long rss_after = RssKb(day.coordinator_pid());
  PrintPhase("load", booth_count, load);
  std::printf("  pages: %lld change events over %d pages during the load run\n",
              static_cast<long long>(pages.events() - page_events_before), open);
  pages.Close();

  std::printf("ratios, load / baseline: ack p50 %.2f, ack p99 %.2f, verdict p50 %.2f, verdict p99 %.2f\n",
              Ratio(Percentile(load.ack_ms, 0.5), Percentile(baseline.ack_ms, 0.5)),
              Ratio(Percentile(load.ack_ms, 0.99), Percentile(baseline.ack_ms, 0.99)),
              Ratio(Percentile(load.verdict_ms, 0.5), Percentile(baseline.verdict_ms, 0.5)),
              Ratio(Percentile(load.verdict_ms, 0.99), Percentile(baseline.verdict_ms, 0.99)));
  const double offered = booth_count * 3.0 * 1000 / period.count();
  std::printf(
      "booth events: paced at %.1f/s (+%d heartbeats/s, %.1f photos/s); in the load run %.1f/s sent, %.1f/s "
      "acked "
      "(the first and last period ramp up and down)\n",
      offered, booth_count, offered / 3, load.events_sent / load.seconds, load.acked_in_time / load.seconds);
  std::printf(
      "memory (RSS, peak): coordinator %ld MB baseline, %ld MB load (%ld -> %ld MB across the load run); "
      "largest validator %ld MB; supervisor %ld MB baseline, %ld MB load\n",
      baseline_memory.coordinator_kb / 1024, load_memory.coordinator_kb / 1024, rss_before / 1024,
      rss_after / 1024, std::max(baseline_memory.validator_kb, load_memory.validator_kb) / 1024,
      baseline_memory.supervisor_kb / 1024, load_memory.supervisor_kb / 1024);
  // The run is `pace` times a real day's pace, so it did in load.seconds what
  // a real day does in pace × load.seconds.
  const double real_hours = load.seconds * pace / 3600.0;
  const double growth_mb = (static_cast<double>(disk_after) - static_cast<double>(disk_before)) / (1 << 20);
  std::printf(
      "scaling: the run went at %d× a real booth's pace, so %.0f s of it are %.2f h of a real day; "
      "per real hour = measured ÷ %.2f\n",
      pace, load.seconds, real_hours, real_hours);
  std::printf(
      "disk (RocksDB folder): %.0f -> %.0f MB, +%.0f MB = %.0f MB per real hour for %d booths "
      "(%.1f MB per booth-hour; photos were %.0f KB)\n",
      disk_before / 1048576.0, disk_after / 1048576.0, growth_mb, growth_mb / real_hours, booth_count,
      growth_mb / real_hours / booth_count,
      load.photos_sent ? load.photo_bytes / 1024.0 / load.photos_sent : 0.0);
  std::printf("coordinator memory growth: %+.0f MB per real hour (RSS before and after the load run)\n",
              (rss_after - rss_before) / 1024.0 / real_hours);
  std::printf("machine: %u hardware threads\n", std::thread::hardware_concurrency());
  return 0;
}

}  // namespace
}  // namespace gradcap::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return gradcap::bench::Main();
}
