// Code-reading benchmark: decode time per 1920x1080 camera frame (p50/p99)
// and frames per second on one core, for frames showing a code (rotated,
// blurred, dim, noisy...) and for frames with none (most of a live camera's
// frames: every try runs and fails). Beside it, in the same run and on the
// same frames, the baseline: one plain ZXing ReadBarcodes pass (no rotation
// or downscale tries, no contrast pass), with its decode rate.
//
//   build/bench/decode_bench [--frames 48]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "booth-agent/frame_scanner.h"
#include "common/sha256.h"
#include "common/zxing_codes.h"
#include "tests/code_frames.h"

ABSL_FLAG(int, frames, 48, "Frames with a code (spread over the corpus groups).");

namespace {

using Clock = std::chrono::steady_clock;

struct Timing {
  std::vector<double> ms;
  int decoded = 0;
};

double Pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

template <typename Decode>
Timing Measure(const std::vector<gradcap::testing::Sample>& samples, Decode decode) {
  Timing t;
  for (const auto& s : samples) {
    const auto start = Clock::now();
    std::vector<std::string> got = decode(s.frame);
    t.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    t.decoded += std::find(got.begin(), got.end(), s.expected) != got.end() && !s.expected.empty() ? 1 : 0;
  }
  return t;
}

std::vector<std::string> Ours(const cv::Mat& f) {
  return gradcap::DecodeFramePixels(f.data, f.cols, f.rows, static_cast<int>(f.step), true)
      .value_or(std::vector<std::string>());
}

std::vector<std::string> Baseline(const cv::Mat& f) {
  cv::Mat grey;
  cv::cvtColor(f, grey, cv::COLOR_BGR2GRAY);
  return gradcap::ReadQrCodes(gradcap::LumImage{grey.data, grey.cols, grey.rows, static_cast<int>(grey.step)},
                              gradcap::QrReadOptions().set_try_rotate(false).set_try_downscale(false))
      .value_or(std::vector<std::string>());
}

void Report(const char* what, const Timing& ours, const Timing& base, size_t n, bool with_codes) {
  std::printf("%-22s ours: p50 %6.1f ms  p99 %6.1f ms  %5.1f frames/s/core", what, Pct(ours.ms, 0.5),
              Pct(ours.ms, 0.99), 1000.0 / Pct(ours.ms, 0.5));
  if (with_codes) std::printf("  decoded %d/%zu", ours.decoded, n);
  std::printf("  | baseline: p50 %6.1f ms  p99 %6.1f ms", Pct(base.ms, 0.5), Pct(base.ms, 0.99));
  if (with_codes) std::printf("  decoded %d/%zu", base.decoded, n);
  std::printf("  | time ratio p50 %.2f\n", Pct(ours.ms, 0.5) / Pct(base.ms, 0.5));
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (!gradcap::InitCrypto().ok()) return 1;
  cv::setNumThreads(1);  // one core, as the goal is stated
  gradcap::testing::CodeFrames frames(7);
  std::vector<gradcap::testing::Sample> with_code, without;
  const char* groups[] = {"clean", "small", "rotated", "perspective", "blurred",
                          "jpeg",  "glare", "low_contrast", "dim", "noisy"};
  const int want = absl::GetFlag(FLAGS_frames);
  for (int i = 0; static_cast<int>(with_code.size()) < want; ++i) {
    for (auto& s : frames.Group(groups[i % 10])) {
      if (static_cast<int>(with_code.size()) < want) with_code.push_back(std::move(s));
    }
  }
  for (int i = 0; i < want / 2; ++i) without.push_back({frames.Background(), ""});
  std::printf("1920x1080 frames, one thread; %zu with a code, %zu without\n", with_code.size(), without.size());
  Report("frames with a code", Measure(with_code, Ours), Measure(with_code, Baseline), with_code.size(), true);
  Report("frames without a code", Measure(without, Ours), Measure(without, Baseline), without.size(), false);
  return 0;
}
