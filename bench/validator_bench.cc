// Validator benchmark, on the labelled corpus (tests/photos/make-corpus.sh):
//  1. per-photo time on one core, 480 × 640 photos (p50/p99), against the
//     baseline measured in the same run on the same photos: decode + dlib
//     face detection + 68 landmarks only (what any landmark checker pays);
//  2. 24-megapixel captures: decode + framing + checks of the crop;
//  3. throughput of 1, 2 and 4 validator processes through the coordinator's
//     broker (real ZeroMQ on loopback), ratios against 1 worker, and the
//     time from a photo reaching the broker to its verdict at a paced 2/s;
//  4. memory (RSS) per worker process.
//
//   build/bench/validator_bench [--corpus DIR] [--rounds 3] [--jobs 120]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "bench/bench_util.h"
#include "common/sha256.h"
#include "common/subprocess.h"
#include "common/temp_dir.h"
#include "coordinator/validator_broker.h"
#include "validator/framing.h"
#include "validator/photo_input.h"
#include "validator/photo_validator.h"

ABSL_FLAG(std::string, corpus, PHOTO_CORPUS_DIR, "The labelled photo corpus (tests/photos/make-corpus.sh).");
ABSL_FLAG(int, rounds, 3, "Passes over the corpus for the one-core timing.");
ABSL_FLAG(int, jobs, 120, "Photos per throughput run.");

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace gradcap;
using namespace gradcap::validator;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
using bench::Percentile;
using bench::RssKb;
std::string Read(const fs::path& p) { return bench::ReadBytes(p.string()); }

std::vector<std::string> CorpusPhotos(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".jpg") continue;
    std::string bytes = Read(e.path());
    auto photo = DecodePhoto(bytes);
    if (photo.ok() && photo->bgr.cols == 480 && photo->bgr.rows == 640) out.push_back(bytes);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Distinct bytes per job (the broker and the workers' stores would answer a
// repeated photo without work): re-encode with a few pixels changed.
std::vector<std::string> DistinctJobs(const std::vector<std::string>& photos, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    auto p = DecodePhoto(photos[i % photos.size()]);
    cv::Mat m = p->bgr.clone();
    m.at<cv::Vec3b>(0, i % 480) = cv::Vec3b(uint8_t(i), uint8_t(i >> 8), 7);
    std::vector<uint8_t> buf;
    cv::imencode(".jpg", m, buf, {cv::IMWRITE_JPEG_QUALITY, 90});
    out.emplace_back(buf.begin(), buf.end());
  }
  return out;
}

struct PoolRun {
  double seconds = 0, per_second = 0, latency_p50 = 0, latency_p99 = 0;
  std::vector<long> rss_kb;
};

// Starts `workers` validator processes on a fresh broker; submits the jobs
// (all at once, or one every `pace_ms`) and waits for every result.
PoolRun RunPool(int workers, const std::vector<std::string>& jobs, int pace_ms) {
  TempDir dir;
  std::map<std::string, std::string> by_sha;
  for (const auto& j : jobs) by_sha[DigestBytes(Sha256(j))] = j;
  BrokerOptions options;
  options.endpoint = "tcp://127.0.0.1:*";
  ValidatorBroker broker([&](const std::string& sha) -> std::optional<std::string> { return by_sha.at(sha); },
                         options, nullptr);
  if (!broker.Start().ok()) std::abort();
  std::vector<std::unique_ptr<ChildProcess>> procs;
  for (int w = 0; w < workers; ++w) {
    procs.push_back(std::make_unique<ChildProcess>());
    const std::string name = "validator-" + std::to_string(w);
    procs.back()->Start({VALIDATOR_BIN, "--coordinator", broker.endpoint(), "--store", dir.Sub(name), "--name", name},
                        dir.Sub(name + ".log"));
  }
  while (broker.stats().workers < size_t(workers)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  PoolRun run;
  std::map<std::string, Clock::time_point> sent;
  std::vector<double> latency;
  const auto start = Clock::now();
  size_t next = 0, done = 0;
  while (done < jobs.size()) {
    const auto now = Clock::now();
    while (next < jobs.size() && (pace_ms == 0 || now - start >= std::chrono::milliseconds(pace_ms * next))) {
      const std::string sha = DigestBytes(Sha256(jobs[next]));
      sent[sha] = Clock::now();
      broker.Submit(sha, next + 1);
      ++next;
    }
    for (const auto& r : broker.TakeResults()) {
      latency.push_back(Ms(Clock::now() - sent[r.photo_sha256()]));
      ++done;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  run.seconds = Ms(Clock::now() - start) / 1000;
  run.per_second = jobs.size() / run.seconds;
  run.latency_p50 = Percentile(latency, 0.5);
  run.latency_p99 = Percentile(latency, 0.99);
  for (auto& p : procs) run.rss_kb.push_back(RssKb(p->pid()));
  for (auto& p : procs) {
    p->Signal(SIGTERM);
    p->Wait(5000);
  }
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  (void)InitCrypto();
  cv::setNumThreads(1);
  const std::vector<std::string> photos = CorpusPhotos(absl::GetFlag(FLAGS_corpus));
  if (photos.empty()) {
    std::fprintf(stderr, "no 480x640 photos in %s: run tests/photos/make-corpus.sh\n",
                 absl::GetFlag(FLAGS_corpus).c_str());
    return 1;
  }
  const auto load_start = Clock::now();
  auto validator = PhotoValidator::Create(kDefaultLandmarkModel);
  if (!validator.ok()) return 1;
  std::printf("model load: %.0f ms (once per worker)\n", Ms(Clock::now() - load_start));

  // 1. One core, 480 × 640.
  std::vector<double> full, baseline;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    for (const std::string& p : photos) {
      auto t0 = Clock::now();
      auto decoded = DecodePhoto(p);
      auto faces = (*validator)->landmarker().Find(decoded->bgr, 480);
      baseline.push_back(Ms(Clock::now() - t0));
      t0 = Clock::now();
      (void)(*validator)->Validate(p);
      full.push_back(Ms(Clock::now() - t0));
    }
  }
  std::printf("480x640, one core, %zu photos x %d: all checks p50 %.1f ms  p99 %.1f ms | baseline (decode + "
              "landmarks) p50 %.1f ms  p99 %.1f ms | ratio p50 %.2f\n",
              photos.size(), absl::GetFlag(FLAGS_rounds), Percentile(full, 0.5), Percentile(full, 0.99), Percentile(baseline, 0.5),
              Percentile(baseline, 0.99), Percentile(full, 0.5) / Percentile(baseline, 0.5));

  // 2. 24-megapixel captures: the photo scaled ×5 onto a 6000 × 4000 backdrop.
  std::vector<double> big, big_decode;
  int framed = 0;
  for (size_t i = 0; i < photos.size() && i < 12; ++i) {
    auto p = DecodePhoto(photos[i]);
    cv::Mat capture(4000, 6000, CV_8UC3, p->bgr.at<cv::Vec3b>(3, 3));
    cv::Mat up;
    cv::resize(p->bgr, up, {}, 5.0, 5.0, cv::INTER_LINEAR);
    up(cv::Rect(0, 0, 2400, 3200)).copyTo(capture(cv::Rect(1800, 400, 2400, 3200)));
    std::vector<uint8_t> buf;
    cv::imencode(".jpg", capture, buf, {cv::IMWRITE_JPEG_QUALITY, 92});
    const std::string jpeg(buf.begin(), buf.end());
    auto t0 = Clock::now();
    auto decoded = DecodePhoto(jpeg);
    big_decode.push_back(Ms(Clock::now() - t0));
    auto f = FramePhoto(decoded->bgr, (*validator)->landmarker(), (*validator)->rules());
    if (f.ok()) {
      (void)(*validator)->Validate(f->jpeg);
      ++framed;
    }
    big.push_back(Ms(Clock::now() - t0));
  }
  std::printf("24 MP capture, one core: decode + frame + checks p50 %.0f ms  p99 %.0f ms (decode alone p50 %.0f ms); "
              "%d/%zu framed\n",
              Percentile(big, 0.5), Percentile(big, 0.99), Percentile(big_decode, 0.5), framed, big.size());

  // 3./4. Workers through the broker.
  const std::vector<std::string> jobs = DistinctJobs(photos, absl::GetFlag(FLAGS_jobs));
  double one = 0;
  for (int workers : {1, 2, 4}) {
    PoolRun run = RunPool(workers, jobs, 0);
    if (workers == 1) one = run.per_second;
    long rss = 0;
    for (long kb : run.rss_kb) rss = std::max(rss, kb);
    std::printf("%d worker(s): %zu photos in %.1f s = %.1f photos/s (x%.2f of 1 worker); max RSS per worker %ld MB\n",
                workers, jobs.size(), run.seconds, run.per_second, run.per_second / one, rss / 1024);
  }
  std::vector<std::string> paced(jobs.begin(), jobs.begin() + std::min<size_t>(40, jobs.size()));
  PoolRun run = RunPool(2, paced, 500);
  std::printf("2 workers, 2 photos/s: photo at the broker -> verdict back p50 %.0f ms  p99 %.0f ms\n", run.latency_p50,
              run.latency_p99);
  std::printf("machine: %u hardware threads\n", std::thread::hardware_concurrency());
  return 0;
}
