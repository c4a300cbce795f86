// Code-reading benchmark: decode time per 1920x1080 camera frame (p50/p99)
// and frames per second on one core, for frames showing a code (rotated,
// blurred, dim, noisy...) and for frames with none (most of a live camera's
// frames: every try runs and fails). Beside it, in the same run and on the
// same frames, the baseline: one plain ZXing ReadBarcodes pass (no rotation
// or downscale tries, no contrast pass), with its decode rate.
//
// Codes are sealed as issued now (GC2, a version-5 QR code) or, with
// --code_format gc1, as they were before (version 7–8): the same frames with
// bigger or smaller modules. The tiny group (not in the decode corpus test)
// shows where that matters.
//
//   build/bench/decode_bench [--frames 48] [--code_format gc2|gc1] [--only GROUP]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "booth-agent/frame_scanner.h"
#include "common/sha256.h"
#include "common/zxing_codes.h"
#include "tests/code_frames.h"

ABSL_FLAG(int, frames, 48, "Frames with a code (spread over the corpus groups).");
ABSL_FLAG(std::string, code_format, "gc2", "gc2: codes as issued now; gc1: as issued before GC2.");
ABSL_FLAG(std::string, only, "", "Only this group (e.g. tiny, glare), for a larger sample of it.");

namespace {

using Clock = std::chrono::steady_clock;

struct Timing {
  std::vector<double> ms;
  int decoded = 0;
  std::vector<bool> hit;  // per sample
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
    const bool hit = std::find(got.begin(), got.end(), s.expected) != got.end() && !s.expected.empty();
    t.decoded += hit ? 1 : 0;
    t.hit.push_back(hit);
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
  const bool gc1 = absl::GetFlag(FLAGS_code_format) == "gc1";
  gradcap::testing::CodeFrames frames(7, gc1);
  std::vector<gradcap::testing::Sample> with_code, without;
  std::vector<std::string> group_of;
  const char* groups[] = {"clean", "small", "rotated", "perspective", "blurred", "jpeg", "glare",
                          "low_contrast", "dim", "noisy", "tiny", "overexposed", "moire", "motion", "inverted"};
  const int want = absl::GetFlag(FLAGS_frames);
  const std::string only = absl::GetFlag(FLAGS_only);
  for (int i = 0; static_cast<int>(with_code.size()) < want; ++i) {
    const char* group = only.empty() ? groups[i % std::size(groups)] : only.c_str();
    for (auto& s : frames.Group(group)) {
      if (static_cast<int>(with_code.size()) < want) {
        with_code.push_back(std::move(s));
        group_of.push_back(group);
      }
    }
  }
  for (int i = 0; i < want / 2; ++i) without.push_back({frames.Background(), ""});
  const std::string sample = frames.Payload();
  const auto symbol = gradcap::EncodeQrCode(sample, gc1 ? gradcap::QrEcc::kM : gradcap::QrEcc::kQ);
  std::printf("codes: %s, %zu characters, QR version %d (level %s)\n", gc1 ? "GC1" : "GC2", sample.size(),
              symbol.ok() ? gradcap::QrVersion(*symbol) : -1, gc1 ? "M" : "Q");
  std::printf("1920x1080 frames, one thread; %zu with a code, %zu without\n", with_code.size(), without.size());
  const Timing ours = Measure(with_code, Ours), base = Measure(with_code, Baseline);
  Report("frames with a code", ours, base, with_code.size(), true);
  for (const std::string& g : only.empty() ? std::vector<std::string>(std::begin(groups), std::end(groups))
                                           : std::vector<std::string>{only}) {
    int n = 0, o = 0, b = 0;
    for (size_t i = 0; i < with_code.size(); ++i) {
      if (group_of[i] != g) continue;
      ++n, o += ours.hit[i], b += base.hit[i];
    }
    if (n > 0) std::printf("  %-13s ours %2d/%2d  baseline %2d/%2d\n", g.c_str(), o, n, b, n);
  }
  Report("frames without a code", Measure(without, Ours), Measure(without, Baseline), without.size(), false);
  return 0;
}
