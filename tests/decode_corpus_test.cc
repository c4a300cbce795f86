// The booth's code reader against a corpus in the ZXing black-box style:
// groups of 1920x1080 frames with a collection code shown the way phones show
// it — scaled, rotated up to 45°, in perspective, blurred, JPEG-compressed,
// under a glare patch, dim and low in contrast, inside noisy cluttered frames,
// overexposed (the screen's white blooming into the modules), striped by the
// screen's moiré, smeared by a moving hand — plus real QR images shipped by
// Debian packages, plus negatives (no code, 1-D barcodes). Each group must
// reach its minimum decode rate, and nothing may ever decode to a wrong
// payload. The frames are laid out from a fixed seed; each code is sealed
// afresh (a new key and nonce), so its modules — and a hard group's count, by
// a frame or two — differ from run to run, as real codes do; the minimums
// leave room for that. GRADCAP_CORPUS_DIR=DIR keeps the images for a look.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "booth-agent/frame_scanner.h"
#include "common/collection_code.h"
#include "common/qr_code.h"
#include "common/sha256.h"
#include "common/zxing_codes.h"
#include "tests/code_frames.h"

namespace gradcap {
namespace {

using testing::CodeFrames;
using testing::kPerGroup;
using testing::Sample;

struct Score {
  int decoded = 0, total = 0, wrong = 0;
};

Score RunGroup(const std::string& group, const std::vector<Sample>& samples) {
  Score score;
  const char* keep = std::getenv("GRADCAP_CORPUS_DIR");
  for (size_t i = 0; i < samples.size(); ++i) {
    const cv::Mat& f = samples[i].frame;
    if (keep != nullptr) {
      std::filesystem::create_directories(keep);
      cv::imwrite(std::string(keep) + "/" + group + "-" + std::to_string(i) + ".png", f);
    }
    absl::StatusOr<std::vector<std::string>> got =
        DecodeFramePixels(f.data, f.cols, f.rows, static_cast<int>(f.step), true);
    ++score.total;
    EXPECT_TRUE(got.ok()) << group << " #" << i << ": " << got.status();
    bool hit = false;
    for (const std::string& p : got.value_or(std::vector<std::string>())) {
      if (p == samples[i].expected) {
        hit = true;
      } else {
        ++score.wrong;
        ADD_FAILURE() << group << " #" << i << ": false decode \"" << p << "\"";
      }
    }
    score.decoded += hit ? 1 : 0;
  }
  return score;
}

TEST(DecodeCorpus, EachGroupReachesItsMinimumRateWithNoFalseDecodes) {
  ASSERT_TRUE(InitCrypto().ok());
  CodeFrames corpus(20240921);
  // Minimum rates sit a little under what this reader measured (README).
  const std::vector<std::pair<std::string, double>> groups = {
      {"clean", 1.0},  {"small", 0.75},        {"rotated", 0.9},      {"perspective", 0.85}, {"blurred", 0.85},
      {"jpeg", 0.85},  {"glare", 0.75},       {"low_contrast", 0.9}, {"dim", 0.85}, {"noisy", 0.85},
      {"overexposed", 0.6}, {"moire", 0.9}, {"motion", 0.4}, {"inverted", 0.85},
  };
  for (const auto& [name, minimum] : groups) {
    Score s = RunGroup(name, corpus.Group(name));
    std::printf("%-13s %2d/%2d decoded (minimum %.0f%%), %d false\n", name.c_str(), s.decoded, s.total, minimum * 100,
                s.wrong);
    EXPECT_GE(s.decoded, static_cast<int>(std::ceil(minimum * s.total))) << name;
    EXPECT_EQ(s.wrong, 0) << name;
  }
  Score negatives = RunGroup("negatives", corpus.Negatives());
  std::printf("%-13s %2d frames, %d false decodes\n", "negatives", negatives.total, negatives.wrong);
  EXPECT_EQ(negatives.wrong, 0);
}

TEST(DecodeCorpus, RealQrImagesShippedByDebianDecode) {
  const char* env = std::getenv("GRADCAP_TEST_DATA");
  const std::string root = std::string(env ? env : "/var/cache/gradcap/test-data") + "/debian";
  ASSERT_TRUE(std::filesystem::exists(root + "/.complete"))
      << root << " is missing: run deploy/fetch-test-data.sh (tests/run.sh does)";
  const std::string gd = root + "/usr/share/doc/libgd-barcode-perl/examples/";
  const std::string rust = root + "/usr/share/cargo/registry/qrcode-0.12.0/src/";
  const std::map<std::string, std::string> positives = {
      {gd + "QRcode.png", "123456789012"},
      {gd + "QRCode/qrc4.png", "AAAAAAAAAA"},
      {gd + "QRCode/bar2.png", "AAAAAAAAAA"},
      {gd + "QRCode/reschk.png", "AAAAAAAAAA"},
      {rust + "test_annex_i_qr_as_image.png", "01234567"},
  };
  for (const auto& [file, expected] : positives) {
    auto got = DecodeImageFile(file);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->size(), 1u) << file;
    EXPECT_EQ((*got)[0], expected) << file;
  }
  // 1-D barcodes and a Micro QR are not collection codes: nothing decodes.
  for (const char* f : {"EAN13.png", "Code39.png", "UPCA.png", "ITF.png", "NW7.png"}) {
    auto got = DecodeImageFile(gd + f);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(got->empty()) << f;
  }
  EXPECT_TRUE(DecodeImageFile(rust + "test_annex_i_micro_qr_as_image.png")->empty());
}

// Codes issued now (GC2, alphanumeric mode) are a version-5 QR symbol at
// level M and version 6 at level Q, as issued; the same content as issued
// before (GC1, level M) needed version 7 or 8: on the same 600 px of phone
// screen a GC2 module is a fifth larger, with more error correction.
TEST(DecodeCorpus, TodaysCodesAreAVersion6SymbolAtLevelQWhereOldOnesWere7Or8AtM) {
  ASSERT_TRUE(InitCrypto().ok());
  auto version = [](const std::string& payload, QrEcc ecc) {
    absl::StatusOr<ModuleMatrix> m = EncodeQrCode(payload, ecc);
    return m.ok() ? QrVersion(*m) : -1;
  };
  CodeFrames now(5), before(5, /*legacy_gc1=*/true);
  for (int i = 0; i < 20; ++i) {
    const std::string gc2 = now.Payload(), gc1 = before.Payload();
    EXPECT_EQ(version(gc2, QrEcc::kM), 5) << gc2;
    EXPECT_EQ(version(gc2, QrEcc::kQ), 6) << gc2;
    EXPECT_GE(version(gc1, QrEcc::kM), 7) << gc1;
  }
}

}  // namespace
}  // namespace gradcap
