// hair_ornament, earrings, necklace, clothing_color, clothing_pattern,
// clothing_style; headwear and hair_bun through checks_head.cc.
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

constexpr double kPi = 3.14159265358979323846;
// CIE76 distance under which a clothing pixel merges with the backdrop: the
// first corpus's blue tops sit at ΔE2000 4–9 from it (≈ ΔE76 6–15), a white
// shirt at ≥ 40 and navy at ≥ 50.
constexpr double kMergeDeltaE = 18;
// A jewel pixel's chroma stays below this (metal, pearl; gold is found apart).
constexpr double kJewelMaxChroma = 20;
// An earring blob counts when at least this share of it is clearly neutral
// against the skin (chroma under half the cheeks'): pearls and studs on the
// corpus 0.34-1.0, the light on ear cartilage that reached 0.99 of a stud's
// size on a bald man's good photos 0.00, other lit skin at most 0.22.
constexpr double kJewelCoreShare = 0.2;
// Where an earlobe meets the backdrop its edge pixels are a blend of skin and
// blue, and that blend passes through neutral: pixels this close to the
// backdrop never count as the neutral core of a jewel.
constexpr int kRimPx = 2;

// Jewellery-like pixels in `region`: small bright near-neutral details that
// stand out from their surroundings (metal, pearls: a white top-hat, so a
// broad white collar does not count) or strong gold, unlike skin; never
// background. `light` (0.5–1) is how lit this side of the face is against the
// brighter side: a pearl on the shaded side of a key+fill portrait is as much
// darker as the skin around it, so its floors scale with the light.
// `core`, when given, gets the jewel pixels that are also clearly neutral
// against the skin (chroma below `core_chroma`), and the gold ones.
cv::Mat JewelMask(const Analysis& a, const cv::Rect& region, const cv::Vec3f& skin, double fw, double light,
                  cv::Mat* core = nullptr, double core_chroma = 0) {
  cv::Mat l8(region.size(), CV_8U), tophat;
  for (int y = 0; y < region.height; ++y) {
    const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(region.y + y);
    for (int x = 0; x < region.width; ++x) l8.at<uint8_t>(y, x) = cv::saturate_cast<uint8_t>(l[region.x + x][0] * 2.55);
  }
  const int k = std::max(5, int(0.06 * fw)) | 1;
  cv::morphologyEx(l8, tophat, cv::MORPH_TOPHAT, cv::getStructuringElement(cv::MORPH_ELLIPSE, {k, k}));
  cv::Mat jewel = cv::Mat::zeros(region.size(), CV_8U);
  cv::Mat rim;  // within kRimPx of the backdrop: skin blended with blue, neutral but no jewel
  if (core) {
    *core = cv::Mat::zeros(region.size(), CV_8U);
    const cv::Rect image(0, 0, a.background.cols, a.background.rows);
    const cv::Rect grown = cv::Rect(region.x - kRimPx, region.y - kRimPx, region.width + 2 * kRimPx,
                                    region.height + 2 * kRimPx) & image;
    cv::Mat near;
    cv::dilate(a.background(grown), near, cv::getStructuringElement(cv::MORPH_RECT, {2 * kRimPx + 1, 2 * kRimPx + 1}));
    rim = near(cv::Rect(region.x - grown.x, region.y - grown.y, region.width, region.height));
  }
  for (int y = 0; y < region.height; ++y) {
    const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(region.y + y);
    const uint8_t* bg = a.background.ptr<uint8_t>(region.y + y);
    for (int x = 0; x < region.width; ++x) {
      const cv::Vec3f& c = l[region.x + x];
      if (bg[region.x + x]) continue;
      const double chroma = std::hypot(c[1], c[2]);
      const double hue = std::atan2(c[2], c[1]) * 180 / kPi;
      const bool thin_bright = tophat.at<uint8_t>(y, x) > 40 * light && c[0] > 60 * light && chroma < kJewelMaxChroma;
      const bool gold = chroma > 40 * light && hue > 65 && hue < 100 && c[0] > 50 * light && DeltaE76(c, skin) > 30;
      jewel.at<uint8_t>(y, x) = thin_bright || gold ? 255 : 0;
      if (core && !rim.at<uint8_t>(y, x) && ((thin_bright && chroma < core_chroma) || gold)) core->at<uint8_t>(y, x) = 255;
    }
  }
  return jewel;
}

void Jewellery(const Analysis& a, const FaceRegions& fr, const RuleSet& r, Results* out) {
  const FaceGeometry& g = *a.geo;
  const Face& f = *a.face();
  const double fw = g.face_width;
  const double unit = std::max(4.0, 0.0011 * fw * fw);  // a 9 px stud at a 240 px face
  // Earrings: a compact jewel-like blob at either earlobe.
  double ear = 0;
  const cv::Rect image(0, 0, a.bgr.cols, a.bgr.rows);
  const double lit = std::max({fr.cheek_left[0], fr.cheek_right[0], 1.0f});
  const double skin_chroma = std::hypot(fr.skin[1], fr.skin[2]);
  for (auto [p, sign] : {std::pair{1, -1}, std::pair{15, 1}}) {
    const double light = std::clamp((sign < 0 ? fr.cheek_left[0] : fr.cheek_right[0]) / lit, 0.5, 1.0);
    const double x0 = sign < 0 ? f.points[p].x - 0.16 * fw : f.points[p].x - 0.02 * fw;
    const cv::Rect lobe = cv::Rect(int(x0), int(f.points[2].y - 0.02 * fw), int(0.18 * fw),
                                   int(std::max(4.0, f.points[4].y - f.points[2].y + 0.04 * fw))) & image;
    if (lobe.width < 4 || lobe.height < 4) continue;
    cv::Mat labels, stats, centroids;
    cv::Mat core;
    const cv::Mat jewel = JewelMask(a, lobe, fr.skin, fw, light, &core, std::clamp(0.5 * skin_chroma, 8.0, kJewelMaxChroma));
    const int n = cv::connectedComponentsWithStats(jewel, labels, stats, centroids, 8);
    for (int i = 1; i < n; ++i) {
      const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
      if (std::max(w, h) > 3 * std::min(w, h) + 2) continue;  // a strand of hair, an edge: not a stud
      const double area = stats.at<int>(i, cv::CC_STAT_AREA);
      if (cv::countNonZero(core & (labels == i)) < kJewelCoreShare * area) continue;  // lit skin, not metal
      ear = std::max(ear, area / unit);
    }
  }
  const std::string limit = absl::StrFormat("jewel-like blob < %g stud", r.min_jewel_score);
  if (ear < r.min_jewel_score) {
    Pass(out, "earrings", Severity::kReject, ear, limit);
  } else {
    Fail(out, "earrings", Severity::kReject, ear, limit, "佩戴耳环/耳钉，请摘下", "earrings or studs: take them off");
  }
  AddMeasure(out, "earring", ear);
  // Necklace: a thin bright (metal, pearl) or gold line across the neck —
  // thin, so a white collar or shirt (broad) is not one; one or two long
  // pieces, so a striped top (many parallel pieces) is not one either.
  const cv::Rect neck = cv::Rect(int(f.points[4].x), int(g.chin_y + 0.05 * fw), int(f.points[12].x - f.points[4].x),
                                 int(0.6 * fw)) & cv::Rect(0, 0, a.bgr.cols, a.bgr.rows);
  double neck_score = 0;
  if (neck.width > 10 && neck.height > 10) {
    const cv::Mat jewel = JewelMask(a, neck, fr.skin, fw, 1.0);
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(jewel, labels, stats, centroids, 8);
    int long_pieces = 0, best = 0;
    for (int i = 1; i < n; ++i) {
      if (stats.at<int>(i, cv::CC_STAT_WIDTH) < 0.3 * neck.width) continue;
      ++long_pieces;
      best = std::max(best, stats.at<int>(i, cv::CC_STAT_AREA));
    }
    if (long_pieces <= 2) neck_score = best / (4 * unit);
  }
  if (neck_score < r.min_jewel_score) {
    Pass(out, "necklace", Severity::kReject, neck_score, limit);
  } else {
    Fail(out, "necklace", Severity::kReject, neck_score, limit, "佩戴项链，请摘下或藏入衣领",
         "necklace: take it off or tuck it under the collar");
  }
  AddMeasure(out, "necklace", neck_score);
}

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
  const std::string pattern_limit = absl::StrFormat("edge share ≤ %g", r.max_clothing_edge_fraction);
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
      const double edges = cv::countNonZero((mag > 120) & cloth) / double(cloth_px);
      if (edges <= r.max_clothing_edge_fraction) {
        Pass(out, "clothing_pattern", Severity::kReject, edges, pattern_limit);
      } else {
        Fail(out, "clothing_pattern", Severity::kReject, edges, pattern_limit, "衣服有条纹或复杂图案，请换纯色上衣",
             "striped or busy clothing: change to a plain top");
      }
      AddMeasure(out, "clothing_edges", edges);
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
    const FaceRegions fr = FindFaceRegions(a);
    CheckHead(a, fr, r, out);
    Jewellery(a, fr, r, out);
    Clothing(a, fr, r, out);
  }
  Undetermined(out, "hair_ornament", Severity::kWarn, "", "发饰不自动检测，请目视确认",
               "hair ornaments are not checked automatically: confirm by eye");
}

}  // namespace gradcap::validator
