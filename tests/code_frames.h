// Synthetic 1920x1080 camera frames showing a collection code the way a
// phone shows it, for the decode corpus test and the decode benchmark.
// The layout is fixed by the seed; each code is sealed with a fresh key.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <random>
#include <string>
#include <vector>

#include "proto/gradcap.pb.h"

namespace gradcap::testing {

inline constexpr int kPerGroup = 16;

struct Sample {
  cv::Mat frame;
  std::string expected;  // empty: nothing must decode
};

class CodeFrames {
 public:
  // `legacy_gc1`: seal codes the way they were issued before GC2 (longer, a
  // bigger QR version), to compare the two.
  explicit CodeFrames(uint64_t seed, bool legacy_gc1 = false);
  // A freshly sealed collection code payload (a random test key).
  std::string Payload();
  // The 720x1280 phone screen showing `payload`.
  cv::Mat PhoneScreen(const std::string& payload);
  // A grey, blurred, cluttered 1920x1080 background.
  cv::Mat Background();
  // `screen` placed in a frame: QR `qr_px` wide, rotated, corners jittered.
  cv::Mat Place(const cv::Mat& screen, double qr_px, double degrees, double jitter);
  // kPerGroup samples of a named group: clean, small, rotated, perspective,
  // blurred, jpeg, glare, low_contrast, dim, noisy, overexposed, moire,
  // motion — and tiny (the bench's: the QR 80–110 px wide, about 1.5–2 px per
  // module of a version-7 code).
  std::vector<Sample> Group(const std::string& name);
  // Frames without a QR code: backgrounds and 1-D / DataMatrix barcodes.
  std::vector<Sample> Negatives();

  int Uniform(int lo, int hi);
  double Normal();

 private:
  std::mt19937_64 rng_;
  v1::CodeKey key_;
  bool legacy_gc1_ = false;
};

}  // namespace gradcap::testing
