// clothing_color, clothing_pattern, clothing_style; headwear and hair_bun
// through checks_head.cc, earrings and necklace through checks_jewellery.cc,
// hair_ornament through checks_ornament.cc.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_format.h"
#include "validator/checks.h"
#include "validator/face_regions.h"

namespace gradcap::validator {
namespace {

// CIE76 distance under which a clothing pixel merges with the backdrop: the
// first corpus's blue tops sit at ΔE2000 4–9 from it (≈ ΔE76 6–15), a white
// shirt at ≥ 40 and navy at ≥ 50.
constexpr double kMergeDeltaE = 18;
// A tie, a shirt's placket, buttons or a zip run down the middle of the
// front: a pattern only there (within this many face widths of the midline)
// is for the operator to judge, not a retake (r15). A striped tie drawn over a
// white shirt on the 48 good photos read an edge share of 0.16-0.20 (12 of 48
// over the limit) but 0-0.10 beside this band; striped tops 0.49-0.94 beside
// it, photos without a pattern at most 0.14.
constexpr double kFrontBand = 0.12;

void Clothing(const Analysis& a, const FaceRegions& fr, const RuleSet& r, Results* out) {
  const FaceGeometry& g = *a.geo;
  const double fw = g.face_width;
  const cv::Rect image(0, 0, a.bgr.cols, a.bgr.rows);
  const int torso_top = int(g.chin_y + 0.3 * fw);  // below the neck
  const cv::Rect torso =
      cv::Rect(int(g.midline_x - 0.5 * fw), torso_top, int(fw), a.bgr.rows - 2 - torso_top) & image;
  const std::string color_limit =
      absl::StrFormat("share merging with the background ≤ %g; blue-hued share ≤ %g (warn)",
                      r.max_clothing_blue_fraction, r.warn_clothing_blue_fraction);
  const std::string pattern_limit =
      absl::StrFormat("edge share beside the front's middle ≤ %g (a pattern only down the middle: warn)",
                      r.max_clothing_edge_fraction);
  if (torso.height < 0.08 * fw || torso.width < 10) {
    Undetermined(out, "clothing_color", Severity::kReject, color_limit, "画面中看不到衣服", "no clothing in the picture");
    Undetermined(out, "clothing_pattern", Severity::kReject, pattern_limit, "画面中看不到衣服",
                 "no clothing in the picture");
  } else {
    // Judged against the backdrop as the camera sees it (and the reference
    // blue): a top that merges with it — close in colour, lightness included —
    // is a retake; a top of the backdrop's hue that still stands apart from it
    // (navy, a darker steel blue) is a warning; white, grey, black and other
    // hues pass, however much blue light a white shirt picks up.
    const cv::Vec3f ref = BgrToLab(cv::Vec3b(r.background_rgb[2], r.background_rgb[1], r.background_rgb[0]));
    const double bg_hue = std::atan2(a.background_lab[2], a.background_lab[1]) * 180 / kPi;
    const double ref_hue = std::atan2(ref[2], ref[1]) * 180 / kPi;
    int merge = 0, bluish = 0;
    for (int y = torso.y; y < torso.y + torso.height; ++y) {
      const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(y);
      for (int x = torso.x; x < torso.x + torso.width; ++x) {
        const double chroma = std::hypot(l[x][1], l[x][2]);
        const double hue = std::atan2(l[x][2], l[x][1]) * 180 / kPi;
        auto near_hue = [&](double h) { return std::abs(std::remainder(hue - h, 360.0)) < 35; };
        if (DeltaE76(l[x], ref) < kMergeDeltaE || DeltaE76(l[x], a.background_lab) < kMergeDeltaE) {
          ++merge;
        } else if (chroma > 12 && (near_hue(bg_hue) || near_hue(ref_hue))) {
          ++bluish;
        }
      }
    }
    const double share = merge / double(torso.area());
    const double blue_share = (merge + bluish) / double(torso.area());
    if (share > r.max_clothing_blue_fraction) {
      Fail(out, "clothing_color", Severity::kReject, share, color_limit,
           "衣服颜色与背景相近（蓝色系），请换非蓝色上衣",
           "clothes too close to the blue background: change to a non-blue top");
    } else if (blue_share > r.warn_clothing_blue_fraction) {
      Fail(out, "clothing_color", Severity::kWarn, blue_share, color_limit, "蓝色系上衣（与背景可区分），请目视确认",
           "a blue top (distinct from the background): confirm by eye");
    } else {
      Pass(out, "clothing_color", Severity::kReject, share, color_limit);
    }
    AddMeasure(out, "clothing_blue", share);
    AddMeasure(out, "clothing_blue_hue", blue_share);
    cv::Mat gray, gx, gy, mag;
    cv::GaussianBlur(a.gray(torso), gray, {3, 3}, 0);
    cv::Sobel(gray, gx, CV_32F, 1, 0, 3);
    cv::Sobel(gray, gy, CV_32F, 0, 1, 3);
    cv::magnitude(gx, gy, mag);
    cv::Mat cloth = a.person(torso).clone();
    for (int y = 0; y < torso.height; ++y) {
      const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(torso.y + y);
      for (int x = 0; x < torso.width; ++x) {
        if (DeltaE76(l[torso.x + x], fr.skin) < 12) cloth.at<uint8_t>(y, x) = 0;
      }
    }
    const int cloth_px = cv::countNonZero(cloth);
    if (cloth_px < 0.2 * torso.area()) {
      Undetermined(out, "clothing_pattern", Severity::kReject, pattern_limit, "看不清衣服", "clothing not visible");
    } else {
      const cv::Mat edge_px = (mag > 120) & cloth;
      const double edges = cv::countNonZero(edge_px) / double(cloth_px);
      // The same share beside the middle band, where a tie, a shirt's
      // placket, buttons or a zip run down the front.
      const int band_half = int(std::lround(kFrontBand * fw));
      const int mid = int(std::lround(g.midline_x)) - torso.x;
      cv::Mat sides_mask = cloth.clone();
      const cv::Rect band =
          cv::Rect(mid - band_half, 0, 2 * band_half, torso.height) & cv::Rect(0, 0, torso.width, torso.height);
      if (band.area() > 0) sides_mask(band).setTo(0);
      const int side_px = cv::countNonZero(sides_mask);
      const double side_edges = side_px > 0 ? cv::countNonZero(edge_px & sides_mask) / double(side_px) : edges;
      // Judged beside the band; a pattern only within it is the operator's.
      if (side_edges > r.max_clothing_edge_fraction) {
        Fail(out, "clothing_pattern", Severity::kReject, side_edges, pattern_limit, "衣服有条纹或复杂图案，请换纯色上衣",
             "striped or busy clothing: change to a plain top");
      } else if (edges > r.max_clothing_edge_fraction) {
        Fail(out, "clothing_pattern", Severity::kWarn, edges, pattern_limit,
             "图案只在胸前中间（领带、门襟？），请目视确认",
             "a pattern only down the middle of the front (a tie, a placket?): confirm by eye");
      } else {
        Pass(out, "clothing_pattern", Severity::kReject, side_edges, pattern_limit);
      }
      AddMeasure(out, "clothing_edges", edges);
      AddMeasure(out, "clothing_edges_sides", side_edges);
    }
  }
  // Bare shoulders (camisole): skin where the shoulders are.
  double bare = 0;
  int sides = 0;
  for (int sign : {-1, 1}) {
    const double x0 = sign < 0 ? g.midline_x - 1.0 * fw : g.midline_x + 0.45 * fw;
    const cv::Rect s = cv::Rect(int(x0), int(g.chin_y + 0.45 * fw), int(0.55 * fw), int(0.35 * fw)) & image;
    if (s.area() < 20) continue;
    const cv::Mat m = a.person(s);
    const int n = cv::countNonZero(m);
    if (n < 0.3 * s.area()) continue;
    int skin = 0;
    for (int y = 0; y < s.height; ++y) {
      for (int x = 0; x < s.width; ++x) {
        skin += m.at<uint8_t>(y, x) && DeltaE76(a.lab.at<cv::Vec3f>(s.y + y, s.x + x), fr.skin) < 15;
      }
    }
    bare = std::max(bare, skin / double(n));
    ++sides;
  }
  const std::string style_limit = "bare-skin share on the shoulders ≤ 0.5 (only bare shoulders are detected)";
  if (sides == 0) {
    Undetermined(out, "clothing_style", Severity::kWarn, style_limit, "看不到肩部", "shoulders not in the picture");
  } else if (bare > 0.5) {
    Fail(out, "clothing_style", Severity::kWarn, bare, style_limit, "肩部裸露（吊带衫？），请穿正装",
         "bare shoulders (camisole?): wear a formal top");
  } else {
    Pass(out, "clothing_style", Severity::kWarn, bare, style_limit);
  }
}

}  // namespace

void CheckDress(const Analysis& a, const RuleSet& r, Results* out) {
  if (!a.face()) {
    for (const char* id : {"headwear", "hair_bun", "earrings", "necklace", "clothing_color", "clothing_pattern",
                           "clothing_style"}) {
      Undetermined(out, id, id == std::string("headwear") || id == std::string("clothing_style") ? Severity::kWarn
                                                                                                 : Severity::kReject,
                   "", "未检测到人脸", "no face found");
    }
  } else {
    const FaceRegions& fr = FaceRegionsOf(a);
    CheckHead(a, fr, r, out);
    CheckJewellery(a, fr, r, out);
    Clothing(a, fr, r, out);
    CheckHairOrnament(a, fr, r, out);
    return;
  }
  Undetermined(out, "hair_ornament", Severity::kReject, "", "未检测到人脸", "no face found");
}

}  // namespace gradcap::validator
