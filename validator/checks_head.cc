// headwear, hair_bun: the head's outline above the brows and the colour of
// the crown against the hair beside it.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_format.h"
#include "validator/checks.h"
#include "validator/face_regions.h"

namespace gradcap::validator {
namespace {

// A column's colour change counts as an edge from this CIE76 step on. The
// separation below holds for 8–12 (at 16 and up a dark cap's rim on dark
// skin drops out): made-good photos 0.62 at most, caps 0.78 and up.
constexpr double kCapEdgeMinDeltaE = 12;
constexpr double kLitSkinChroma = 0.4;   // share of the cheeks' chroma lit skin keeps (LitSkin)
constexpr double kLitSkinHueDeg = 30;    // hue from the cheeks' (LitSkin)

// Width of the person-mask run through the head's midline at row y.
int RunWidth(const Analysis& a, int y, int mid) {
  const uint8_t* row = a.person.ptr<uint8_t>(y);
  const int w = a.person.cols;
  mid = std::clamp(mid, 0, w - 1);
  if (!row[mid]) {  // hair parted off-centre: the nearest person pixel close by
    int found = -1;
    for (int d = 1; d < w / 12 && found < 0; ++d) {
      if (mid - d >= 0 && row[mid - d]) found = mid - d;
      if (mid + d < w && row[mid + d]) found = mid + d;
    }
    if (found < 0) return 0;
    mid = found;
  }
  int l = mid, r = mid;
  while (l > 0 && row[l - 1]) --l;
  while (r < w - 1 && row[r + 1]) ++r;
  return r - l + 1;
}

// Skin under strong light: brighter than the cheeks, of their hue, and
// keeping some of their colour. Cage's high forehead measured L* 93 at chroma
// 23 (hue 85 deg) against his cheeks' L* 78-91 at 27-46 (hue 60-80): outside
// their ΔE 20 and their chromaticity, so a band of forehead read as a covered
// band (ΔE 65 from his hair). A white cap stays apart: Grace Hopper's reads
// chroma 5 against her skin's 21.
bool LitSkin(const cv::Vec3f& c, const cv::Vec3f& skin) {
  const double chroma = std::hypot(c[1], c[2]), skin_chroma = std::hypot(skin[1], skin[2]);
  if (c[0] <= skin[0] || skin_chroma < 1 || chroma < kLitSkinChroma * skin_chroma) return false;
  const double hue = std::atan2(c[2], c[1]) - std::atan2(skin[2], skin[1]);
  return std::abs(std::remainder(hue, 2 * kPi)) * 180 / kPi < kLitSkinHueDeg;
}

// How far the crown's colour is from the hair beside the temples (CIE76), or
// -1 when there is no hair to compare with there (short hair, bald, ears).
// A cap or beanie covers the crown but leaves the hair at the temples: they
// differ unless the hat is the hair's colour. No brim is needed (a beanie, a
// sailor's or a nurse's cap have none). `band`: the same for the bands below
// the crown down to the brows' reach that are wholly covered (no skin, lit or
// shaded) — a naval cap's white top can match grey hair where its dark band
// does not; -1 when no band is covered.
struct CrownContrasts {
  double crown = -1, band = -1;
};
CrownContrasts CrownContrast(const Analysis& a, const FaceRegions& fr) {
  const FaceGeometry& g = *a.geo;
  const Face& f = *a.face();
  const double fw = g.face_width;
  const cv::Rect image(0, 0, a.bgr.cols, a.bgr.rows);
  // The median of the non-skin pixels in `box`, when they fill at least `share`
  // of it. `wide_skin`: skin in shade too — the skin's chromaticity at any
  // lightness (within 10, or 0.6 of a pale skin's chroma, so grey and black
  // stay apart from it).
  const double skin_ab = std::min(10.0, 0.6 * std::hypot(fr.skin[1], fr.skin[2]));
  auto sample = [&](const cv::Rect& box, double share, bool wide_skin) -> std::optional<cv::Vec3f> {
    const cv::Rect b = box & image;
    if (b.area() < 20) return std::nullopt;
    cv::Mat m = a.person(b).clone();
    for (int y = 0; y < b.height; ++y) {
      const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(b.y + y);
      for (int x = 0; x < b.width; ++x) {
        const cv::Vec3f& c = l[b.x + x];
        const bool skin = DeltaE76(c, fr.skin) < 20 ||
                          (wide_skin && (std::hypot(c[1] - fr.skin[1], c[2] - fr.skin[2]) < skin_ab ||
                                         LitSkin(c, fr.skin)));
        if (skin) m.at<uint8_t>(y, x) = 0;  // ears, temples, forehead
      }
    }
    if (cv::countNonZero(m) < std::max(30.0, share * b.area())) return std::nullopt;
    return MedianLab(a.lab(b), m);
  };
  const int crown_h = std::max(3, int(0.12 * fw));
  const int crown_top = int(g.head_top + 0.03 * fw);
  const auto crown = sample(cv::Rect(int(g.midline_x - 0.2 * fw), crown_top, int(0.4 * fw), crown_h), 0.25, false);
  if (!crown) return {};
  const int y0 = int(g.brow_top), h = std::max(4, int(g.eye_line + 0.1 * fw) - y0);
  const int w = std::max(4, int(0.11 * fw));
  const auto left = sample(cv::Rect(int(f.points[0].x - 0.14 * fw), y0, w, h), 0.25, false);
  const auto right = sample(cv::Rect(int(f.points[16].x + 0.03 * fw), y0, w, h), 0.25, false);
  auto against_sides = [&](const cv::Vec3f& c) {
    double d = -1;
    for (const auto& side : {left, right}) {
      if (side) d = d < 0 ? DeltaE76(c, *side) : std::min(d, DeltaE76(c, *side));
    }
    return d;
  };
  CrownContrasts c;
  c.crown = against_sides(*crown);
  const int lowest = int(g.brow_top - 0.15 * fw);
  for (int top = crown_top + crown_h; top + crown_h <= lowest; top += crown_h) {
    const auto band = sample(cv::Rect(int(g.midline_x - 0.2 * fw), top, int(0.4 * fw), crown_h), 0.9, true);
    if (band) c.band = std::max(c.band, against_sides(*band));
  }
  return c;
}

// The share of the head's width (±0.3 face widths about the midline) that
// one straight edge crosses between the crown and the brows. A cap's or
// beanie's lower rim is one sharp, near-level line across the forehead
// whatever its colour, so this finds the beanies of the hair's own colour
// that CrownContrast cannot; a hairline curves and frays and fills at most
// about 0.6 of the width. Per column: the strongest vertical colour change
// (rows 4 apart, inside the person, after a horizontal blur that evens out
// knit ribs and strands); then the most columns within ±2 px of one line of
// slope ≤ 0.12. -1 when the band is too small to measure.
double CapEdge(const Analysis& a) {
  const FaceGeometry& g = *a.geo;
  const double fw = g.face_width;
  const int x0 = std::max(0, int(g.midline_x - 0.3 * fw));
  const int x1 = std::min(a.bgr.cols - 1, int(g.midline_x + 0.3 * fw));
  const int y0 = std::max(3, int(g.head_top + 0.1 * fw));
  const int y1 = std::min(a.bgr.rows - 4, int(g.brow_top - 0.02 * fw));
  if (x1 - x0 < 20 || y1 - y0 < 6) return -1;
  const cv::Rect band(x0, y0 - 3, x1 - x0 + 1, y1 - y0 + 7);
  cv::Mat smooth;
  cv::blur(a.lab(band), smooth, {std::max(3, int(0.04 * fw)) | 1, 1});
  std::vector<int> edge_x, edge_y;
  for (int x = 0; x < band.width; ++x) {
    double best = 0;
    int best_y = -1;
    for (int y = 3; y < band.height - 3; ++y) {
      const int px = band.x + x;
      if (!a.person.at<uint8_t>(band.y + y - 3, px) || !a.person.at<uint8_t>(band.y + y + 3, px)) continue;
      const double e = DeltaE76(smooth.at<cv::Vec3f>(y - 2, x), smooth.at<cv::Vec3f>(y + 2, x));
      if (e > best) best = e, best_y = y;
    }
    if (best >= kCapEdgeMinDeltaE) edge_x.push_back(x), edge_y.push_back(best_y);
  }
  size_t most = 0;
  for (int slope = -12; slope <= 12; ++slope) {
    for (size_t i = 0; i < edge_x.size(); ++i) {
      size_t n = 0;
      for (size_t j = 0; j < edge_x.size(); ++j) {
        n += std::abs(edge_y[j] - edge_y[i] - 0.01 * slope * (edge_x[j] - edge_x[i])) <= 2;
      }
      most = std::max(most, n);
    }
  }
  return double(most) / band.width;
}

}  // namespace

void CheckHead(const Analysis& a, const FaceRegions& fr, const RuleSet& r, Results* out) {
  const FaceGeometry& g = *a.geo;
  const std::string hat_limit =
      absl::StrFormat("brim ledge ≤ %g, crown height ≤ %g face widths, crown vs temple hair ΔE ≤ %g (bands below "
                      "it ≤ %g), straight rim ≤ %g of the head's width",
                      r.max_brim_ledge, r.max_crown_height, r.max_crown_contrast, r.max_band_contrast, r.max_cap_edge);
  const std::string bun_limit = absl::StrFormat("narrow top ≤ %g face widths", r.max_bun_height);
  if (g.head_top <= 1) {  // not found, or cut off by the top edge (head_top says so)
    Undetermined(out, "headwear", Severity::kWarn, hat_limit, "看不到完整头顶", "the top of the head is not in view");
    Undetermined(out, "hair_bun", Severity::kReject, bun_limit, "看不到完整头顶", "the top of the head is not in view");
    return;
  }
  if (!fr.WellExposed(r)) {  // blown hair melts into the background: the outline is not the head's
    Undetermined(out, "headwear", Severity::kWarn, hat_limit, "曝光不当，头部轮廓不可信", "exposure too far off to trust the head outline");
    Undetermined(out, "hair_bun", Severity::kReject, bun_limit, "曝光不当，头部轮廓不可信", "exposure too far off to trust the head outline");
    return;
  }
  const double fw = g.face_width;
  const int mid = int(g.midline_x);
  const int last = std::clamp(int(g.brow_top - 0.1 * fw), g.head_top, a.bgr.rows - 1);
  double widest = 0;
  int first_wide = -1;
  std::vector<int> widths;
  for (int y = g.head_top; y <= last; ++y) {
    const int w = RunWidth(a, y, mid);
    widths.push_back(w);
    widest = std::max<double>(widest, w);
    if (first_wide < 0 && w >= 0.6 * fw) first_wide = y;
  }
  // Brim: a ledge in the head's outline — a row sticking out beyond the
  // rows a little above and below it, on both sides at once. Hair makes a
  // smooth convex outline (a ledge of ~0.005 face widths); a brim or a cap's
  // edge sticks out by a tenth of a face width or more.
  double ledge = 0;
  {
    const int top = g.head_top, bottom = std::clamp(int(g.eye_line), top + 1, a.bgr.rows - 1);
    std::vector<int> left(bottom - top + 1, -1), right(bottom - top + 1, -1);
    for (int y = top; y <= bottom; ++y) {
      const uint8_t* row = a.person.ptr<uint8_t>(y);
      int l = std::clamp(mid, 0, a.bgr.cols - 1), r = l;
      if (!row[l]) continue;
      while (l > 0 && row[l - 1]) --l;
      while (r < a.bgr.cols - 1 && row[r + 1]) ++r;
      left[y - top] = l;
      right[y - top] = r;
    }
    const int d = std::max(2, int(0.08 * fw));
    const int from = top + int(0.1 * fw), to = std::min(bottom - d, int(g.brow_top + 0.05 * fw));
    for (int y = from; y <= to; ++y) {
      const int i = y - top, up = std::max(0, i - d), down = i + d;
      if (left[i] < 0 || left[up] < 0 || left[down] < 0) continue;
      const int pl = std::min(left[up], left[down]) - left[i];
      const int pr = right[i] - std::max(right[up], right[down]);
      ledge = std::max(ledge, std::min(pl, pr) / fw);
    }
  }
  const double height = (g.brow_top - g.head_top) / fw;
  const double width = widest / fw;
  const double narrow = (first_wide < 0 ? last - g.head_top : first_wide - g.head_top) / fw;

  const bool bun = narrow > r.max_bun_height;
  if (std::getenv("GRADCAP_VALIDATOR_TRACE")) {
    std::fprintf(stderr, "trace: head height %.2f width %.2f narrow %.2f ledge %.2f\n", height, width, narrow, ledge);
  }
  const CrownContrasts crown = CrownContrast(a, fr);
  const double contrast = crown.crown;
  const double cap_edge = CapEdge(a);
  if (std::getenv("GRADCAP_VALIDATOR_TRACE")) {
    std::fprintf(stderr, "trace: crown contrast %.1f band %.1f cap edge %.2f\n", contrast, crown.band, cap_edge);
  }
  if (ledge > r.max_brim_ledge) {
    Fail(out, "headwear", Severity::kWarn, ledge, hat_limit, "头部轮廓有帽檐，请摘下帽子（宗教/医疗头饰请人工确认）",
         "a brim on the head's outline: take off the hat (religious or medical headwear: confirm by eye)");
  } else if (contrast > r.max_crown_contrast) {
    Fail(out, "headwear", Severity::kWarn, contrast, hat_limit,
         absl::StrFormat("头顶颜色与两侧头发不同（ΔE %.0f）：戴帽子？请摘下（宗教/医疗头饰请人工确认）", contrast),
         absl::StrFormat("the crown is not the colour of the hair beside it (ΔE %.0f): a cap? take it off "
                         "(religious or medical headwear: confirm by eye)", contrast));
  } else if (crown.band > r.max_band_contrast) {
    Fail(out, "headwear", Severity::kWarn, crown.band, hat_limit,
         absl::StrFormat("额头上方一圈颜色与两侧头发不同（ΔE %.0f）：戴帽子？请摘下（宗教/医疗头饰请人工确认）", crown.band),
         absl::StrFormat("a band above the forehead is not the colour of the hair beside it (ΔE %.0f): a cap? take it "
                         "off (religious or medical headwear: confirm by eye)",
                         crown.band));
  } else if (cap_edge > r.max_cap_edge) {
    Fail(out, "headwear", Severity::kWarn, cap_edge, hat_limit,
         absl::StrFormat("额头上方有一条笔直的边沿（占头宽 %.0f%%）：戴帽子？请摘下（宗教/医疗头饰请人工确认）",
                         100 * cap_edge),
         absl::StrFormat("one straight rim across the forehead (%.0f%% of the head's width): a cap or beanie? take it "
                         "off (religious or medical headwear: confirm by eye)",
                         100 * cap_edge));
  } else if (!bun && height > r.max_crown_height) {
    Fail(out, "headwear", Severity::kWarn, height, hat_limit, "头顶有帽子或头饰（头部过高），请摘下",
         "something tall on the head (hat?): take it off");
  } else {
    Pass(out, "headwear", Severity::kWarn, ledge, hat_limit);
  }
  AddMeasure(out, "brim_ledge", ledge);
  if (contrast >= 0) AddMeasure(out, "crown_contrast", contrast);
  if (crown.band >= 0) AddMeasure(out, "band_contrast", crown.band);
  if (cap_edge >= 0) AddMeasure(out, "cap_edge", cap_edge);
  if (!bun) AddMeasure(out, "crown_height", height);  // a bun's height is hair_bun's
  if (bun) {
    Fail(out, "hair_bun", Severity::kReject, narrow, bun_limit, "头顶有发髻/高马尾，请放下头发",
         "a bun or high ponytail above the crown: let the hair down");
  } else {
    Pass(out, "hair_bun", Severity::kReject, narrow, bun_limit);
  }
  AddMeasure(out, "bun_height", narrow);
}

}  // namespace gradcap::validator
