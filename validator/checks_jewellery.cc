// earrings, necklace: jewel-like blobs at the earlobes and across the neck,
// and a necklace's thin line (a cord, a fine chain) lying on the skin.
#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_format.h"
#include "validator/checks.h"
#include "validator/face_regions.h"

namespace gradcap::validator {
namespace {

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
// Where the edge of a cut-out is not next to the backdrop — a 2 px fringe of
// the backdrop it was cut from, a shadow line along the ear — the blend of
// skin and blue just inside it is no longer within kRimPx of the backdrop. A
// pixel explained as a mix of this side's skin and the backdrop (within this,
// CIE76, of the segment between them) is never part of a jewel's core (r15).
// The corpus's 48 good photos with such an edge added, twelve kinds (README,
// r15): 102 of 576 sent back for earrings under r14; with this alone 72 at 5,
// 48 at 8, 24 at 12; every stud and earring on the corpus is still found at
// 8, two drawn studs are lost at 12.
constexpr double kSkinBackdropBlend = 8;
// A jewel is compact: its pixels fill at least this share of its box. Studs,
// pearls and drops on the corpus fill 0.39-0.86; the edge of a cut-out
// following the ear's outline 0.05-0.08 (r15). With both, 38 of the 576 are
// sent back, 34 of them one man's whose cut-out carries a pale fringe.
constexpr double kJewelMinFill = 0.15;
// Blobs at an earlobe are found in its box grown by this (face widths) and
// counted when their middle lies in the box (r9).
constexpr double kLobeMargin = 0.08;
// A camera's grain lifts a flat bright surface's top-hat by a few σ (its
// opening takes the darkest grain around): the top-hat must clear this many
// times the grain (Analysis::grain, L*) besides its own floor.
constexpr double kGrainTopHat = 5;

// Jewellery-like pixels in `region`: small bright near-neutral details that
// stand out from their surroundings (metal, pearls: a white top-hat, so a
// broad white collar does not count) or strong gold, unlike skin; never
// background. `light` (0.5–1) is how lit this side of the face is against the
// brighter side: a pearl on the shaded side of a key+fill portrait is as much
// darker as the skin around it, so its floors scale with the light.
// `core`, when given, gets the jewel pixels that are also clearly neutral
// against the skin (chroma below `core_chroma`) and no mix of the skin and the
// backdrop, and the gold ones.
cv::Mat JewelMask(const Analysis& a, const cv::Rect& region, const cv::Vec3f& skin, double fw, double light,
                  cv::Mat* core = nullptr, double core_chroma = 0) {
  // The top-hat sees a jewel against what surrounds it, so it runs on the
  // region grown by the kernel: a stud cut by the region's edge would
  // otherwise be its own surroundings and vanish.
  const int k = std::max(5, int(0.06 * fw)) | 1;
  const cv::Rect image(0, 0, a.lab.cols, a.lab.rows);
  const cv::Rect padded = cv::Rect(region.x - k, region.y - k, region.width + 2 * k, region.height + 2 * k) & image;
  cv::Mat l8(padded.size(), CV_8U), tophat;
  for (int y = 0; y < padded.height; ++y) {
    const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(padded.y + y);
    for (int x = 0; x < padded.width; ++x) l8.at<uint8_t>(y, x) = cv::saturate_cast<uint8_t>(l[padded.x + x][0] * 2.55);
  }
  cv::morphologyEx(l8, tophat, cv::MORPH_TOPHAT, cv::getStructuringElement(cv::MORPH_ELLIPSE, {k, k}));
  tophat = tophat(cv::Rect(region.x - padded.x, region.y - padded.y, region.width, region.height));
  cv::Mat jewel = cv::Mat::zeros(region.size(), CV_8U);
  cv::Mat rim;  // within kRimPx of the backdrop: skin blended with blue, neutral but no jewel
  if (core) {
    *core = cv::Mat::zeros(region.size(), CV_8U);
    const cv::Rect grown = cv::Rect(region.x - kRimPx, region.y - kRimPx, region.width + 2 * kRimPx,
                                    region.height + 2 * kRimPx) & image;
    cv::Mat near;
    cv::dilate(a.background(grown), near, cv::getStructuringElement(cv::MORPH_RECT, {2 * kRimPx + 1, 2 * kRimPx + 1}));
    rim = near(cv::Rect(region.x - grown.x, region.y - grown.y, region.width, region.height));
  }
  const cv::Vec3f skin_here(float(skin[0] * light), skin[1], skin[2]);  // this side's skin
  for (int y = 0; y < region.height; ++y) {
    const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(region.y + y);
    const uint8_t* bg = a.background.ptr<uint8_t>(region.y + y);
    for (int x = 0; x < region.width; ++x) {
      const cv::Vec3f& c = l[region.x + x];
      if (bg[region.x + x]) continue;
      const double chroma = std::hypot(c[1], c[2]);
      const double hue = std::atan2(c[2], c[1]) * 180 / kPi;
      const bool thin_bright = tophat.at<uint8_t>(y, x) > std::max(40 * light, kGrainTopHat * 2.55 * a.grain) &&
                               c[0] > 60 * light && chroma < kJewelMaxChroma;
      const bool gold = chroma > 40 * light && hue > 65 && hue < 100 && c[0] > 50 * light && DeltaE76(c, skin) > 30;
      jewel.at<uint8_t>(y, x) = thin_bright || gold ? 255 : 0;
      if (core && !rim.at<uint8_t>(y, x) &&
          ((thin_bright && chroma < core_chroma && ToSegment(c, skin_here, a.background_lab) > kSkinBackdropBlend) ||
           gold)) {
        core->at<uint8_t>(y, x) = 255;
      }
    }
  }
  return jewel;
}

// A piece of jewel pixels across the neck is a necklace only when it lies on
// one surface: the mean colour kSidesOffset face widths above it and below it
// differ by at most kSidesMatch (CIE76). Chains and pearls drawn on skin or
// cloth read 1.6-9.5; the thin white edge of a shirt collar between the neck
// and a dark top, which a camera's sharpening or a lighter tone curve turns
// into one long piece, 43-45 (r11).
constexpr double kSidesOffset = 0.04;
constexpr double kSidesMatch = 20;

// The CIE76 difference between what lies kSidesOffset face widths above and
// below the pixels of `piece` (within `region`), jewel pixels left out; 0 when
// nothing is left to compare.
double SidesDiffer(const Analysis& a, const cv::Rect& region, const cv::Mat& piece, const cv::Mat& jewel, double fw) {
  const int d = std::max(3, int(std::lround(kSidesOffset * fw)));
  const cv::Rect image(0, 0, a.lab.cols, a.lab.rows);
  cv::Vec3d above(0, 0, 0), below(0, 0, 0);
  int n = 0;
  for (int y = 0; y < region.height; ++y) {
    for (int x = 0; x < region.width; ++x) {
      if (!piece.at<uint8_t>(y, x)) continue;
      const cv::Point up(region.x + x, region.y + y - d), down(region.x + x, region.y + y + d);
      if (!image.contains(up) || !image.contains(down)) continue;
      if ((y - d >= 0 && jewel.at<uint8_t>(y - d, x)) || (y + d < region.height && jewel.at<uint8_t>(y + d, x))) continue;
      above += cv::Vec3d(a.lab.at<cv::Vec3f>(up));
      below += cv::Vec3d(a.lab.at<cv::Vec3f>(down));
      ++n;
    }
  }
  if (n == 0) return 0;
  return cv::norm((above - below) / n);
}

// A necklace's line on the skin (r8). A cord or a fine chain is a line a few
// pixels wide with the same skin on both sides that differs from that skin:
// unlike a collar's edge (skin on one side, cloth on the other), a strap or a
// shadow (wider than the probe), or a crease (level). Each pixel is probed
// `kLineProbe` face widths to either side across four directions; the straight
// runs of such pixels must be long, lie below the jaw's own shadow and slant
// as a necklace hangs from the neck's sides toward the breastbone — creases
// run level, strands of hair hang steep. The measure is the longest run, or a
// V's two halves together. On the wider corpus (README, r8) photos without a
// necklace reach 0.18; ocv_cord's real red string 0.38-0.80; drawn cords with
// a piece of 0.3 face widths or more showing 0.30-0.73; cords mostly under a
// collar 0. "Skin" here: the cheeks' hue ±30° at 0.5-1.3 of their lightness
// (at 0.35 a maroon top passed as shaded skin).
constexpr double kLineProbe = 0.02;       // ≈ 4 px at a 220 px face: lines up to ~7 px wide
constexpr double kSideMatch = 8;          // CIE76: the two sides are the same surface
constexpr double kLineContrast = 10;      // CIE76 from the sides' mean, on fully lit skin
constexpr double kGrainContrast = 3.5;    // … and at least this many times the camera's grain (Analysis::grain)
constexpr double kThin = 0.5;             // share of the contrast gone halfway to the side
constexpr double kSkinHueSpread = 30;     // degrees of a*b* hue from the cheeks'
constexpr double kMinRun = 0.15;          // shortest straight run counted, in face widths
constexpr double kMaxGap = 0.03;          // gap bridged within a run, in face widths
constexpr double kHoughVotes = 0.1;       // line pixels a run needs, in face widths
constexpr double kMeet = 0.15;            // a V's two halves end this close at the bottom (face widths)
constexpr double kMinTiltDeg = 15, kMaxTiltDeg = 65;
constexpr double kBelowChin = 0.15;       // a run's middle at least this far below the chin (face widths)

double NecklaceLine(const Analysis& a, const FaceRegions& fr) {
  const FaceGeometry& g = *a.geo;
  const double fw = g.face_width;
  const cv::Rect image(0, 0, a.bgr.cols, a.bgr.rows);
  const cv::Rect area =
      cv::Rect(int(g.midline_x - 0.8 * fw), int(g.chin_y + 0.05 * fw), int(1.6 * fw), int(0.85 * fw)) & image;
  if (area.width < 10 || area.height < 10) return 0;
  const int r = std::max(2, int(std::lround(kLineProbe * fw)));
  const int d = std::max(1, int(std::lround(r / std::sqrt(2.0))));
  const cv::Point steps[4] = {{r, 0}, {0, r}, {d, d}, {d, -d}};
  const int rh = std::max(1, r / 2), dh = std::max(1, int(std::lround(rh / std::sqrt(2.0))));
  const cv::Point halves[4] = {{rh, 0}, {0, rh}, {dh, dh}, {dh, -dh}};
  const cv::Vec3f& skin = fr.skin;
  const double skin_hue = std::atan2(skin[2], skin[1]) * 180 / kPi;
  const double skin_chroma = std::hypot(skin[1], skin[2]);
  auto skin_like = [&](const cv::Vec3f& c) {
    const double hue = std::atan2(c[2], c[1]) * 180 / kPi;
    return std::hypot(c[1], c[2]) >= 0.4 * skin_chroma && std::abs(std::remainder(hue - skin_hue, 360.0)) < kSkinHueSpread &&
           c[0] > 0.5 * skin[0] && c[0] < 1.3 * skin[0] + 5;
  };
  auto inside = [&](const cv::Point& q) {
    return image.contains(q) && a.person.at<uint8_t>(q) && !a.background.at<uint8_t>(q);
  };
  // Each probe is read as the mean of three pixels along the line it looks
  // for (across its step): a cord or chain keeps its colour along itself,
  // sensor noise does not (a camera's grain read pixel by pixel made lines of
  // its own). The four means are filtered once over the area and its probes.
  const int reach = r + 2;
  const cv::Rect probed =
      cv::Rect(area.x - reach, area.y - reach, area.width + 2 * reach, area.height + 2 * reach) & image;
  cv::Mat along[4];
  for (int k = 0; k < 4; ++k) {
    cv::Mat kernel = cv::Mat::zeros(3, 3, CV_32F);
    const cv::Point t = k == 0 ? cv::Point(0, 1) : k == 1 ? cv::Point(1, 0) : k == 2 ? cv::Point(1, -1) : cv::Point(1, 1);
    for (int i = -1; i <= 1; ++i) kernel.at<float>(1 + i * t.y, 1 + i * t.x) = 1.0f / 3;
    cv::filter2D(a.lab(probed), along[k], -1, kernel, {-1, -1}, 0, cv::BORDER_REPLICATE);
  }
  auto Along = [&](const cv::Point& p, int k) { return along[k].at<cv::Vec3f>(p - probed.tl()); };
  cv::Mat skin_sided = cv::Mat::zeros(area.size(), CV_8U);
  for (int y = area.y; y < area.y + area.height; ++y) {
    for (int x = area.x; x < area.x + area.width; ++x) {
      const cv::Point q(x, y);
      if (!inside(q)) continue;
      for (int k = 0; k < 4; ++k) {
        const cv::Point& s = steps[k];
        if (!inside(q + s) || !inside(q - s)) continue;
        const cv::Vec3f c = Along(q, k);
        const cv::Vec3f side_a = Along(q + s, k);
        const cv::Vec3f side_b = Along(q - s, k);
        if (DeltaE76(side_a, side_b) > kSideMatch) continue;
        const cv::Vec3f mid = 0.5f * (side_a + side_b);
        const double light = std::clamp(mid[0] / std::max(1.0f, skin[0]), 0.5f, 1.0f);
        const double contrast = DeltaE76(c, mid);
        if (contrast < std::max(kLineContrast * light, kGrainContrast * a.grain)) continue;
        // Thin: halfway to either side the line has already given way (a
        // strap, a band as wide as the probe, has not).
        const double edge = std::max(DeltaE76(c, Along(q + halves[k], k)), DeltaE76(c, Along(q - halves[k], k)));
        if (edge < kThin * contrast) continue;
        if (!skin_like(side_a) || !skin_like(side_b)) continue;
        skin_sided.at<uint8_t>(y - area.y, x - area.x) = 255;
        break;
      }
    }
  }
  // Straight runs of skin-sided line pixels (a necklace's half is nearly
  // straight from the neck's side to the pendant); gaps of a few pixels (a
  // chain's links, a strand of hair across it) are bridged.
  cv::Mat runs = skin_sided.clone();
  cv::morphologyEx(runs, runs, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  std::vector<cv::Vec4i> segments;
  cv::HoughLinesP(runs, segments, 1, kPi / 180, std::max(10, int(kHoughVotes * fw)), kMinRun * fw, kMaxGap * fw);
  // Each run as (upper end, lower end); a necklace shows as one run per side
  // of the neck, or as two that slant toward each other and meet at the
  // bottom (a V, at the pendant): the two count together.
  struct Run {
    cv::Point2d top, bottom;
    double length;
  };
  std::vector<Run> kept;
  for (const cv::Vec4i& s : segments) {
    cv::Point2d p(s[0] + area.x, s[1] + area.y), q(s[2] + area.x, s[3] + area.y);
    if (p.y > q.y) std::swap(p, q);
    const double length = cv::norm(p - q);
    const double tilt = std::atan2(q.y - p.y, std::abs(q.x - p.x)) * 180 / kPi;
    if (tilt < kMinTiltDeg || tilt > kMaxTiltDeg) continue;
    if (0.5 * (p.y + q.y) < g.chin_y + kBelowChin * fw) continue;
    kept.push_back({p, q, length});
  }
  double best = 0;
  for (const Run& l : kept) {
    best = std::max(best, l.length);
    if (l.bottom.x <= l.top.x) continue;  // l: the half that descends to the right
    for (const Run& r : kept) {
      if (r.bottom.x >= r.top.x) continue;  // r: the half that descends to the left
      if (r.top.x <= l.top.x || cv::norm(l.bottom - r.bottom) > kMeet * fw) continue;
      best = std::max(best, l.length + r.length);
    }
  }
  return best / fw;
}

void Jewellery(const Analysis& a, const FaceRegions& fr, const RuleSet& r, Results* out) {
  const FaceGeometry& g = *a.geo;
  const Face& f = *a.face();
  const double fw = g.face_width;
  const double unit = std::max(4.0, 0.0011 * fw * fw);  // a 9 px stud at a 240 px face
  // Earrings: a compact jewel-like blob at either earlobe. Each side's lobe
  // is placed from that side's own jaw points (1, 2 and 4 on the image's
  // left, 15, 14 and 12 on its right), so a rolled head keeps its lobes in
  // the boxes.
  // Blobs are found in the box grown by kLobeMargin and counted when their
  // middle lies in the box: a stud the box's edge cuts is measured whole, and
  // an ear's lit rim that only enters the box is seen whole (long: not a stud).
  double ear = 0;
  const cv::Rect image(0, 0, a.bgr.cols, a.bgr.rows);
  const double lit = std::max({fr.cheek_left[0], fr.cheek_right[0], 1.0f});
  const double skin_chroma = std::hypot(fr.skin[1], fr.skin[2]);
  for (auto [p, sign] : {std::pair{1, -1}, std::pair{15, 1}}) {
    const double light = std::clamp((sign < 0 ? fr.cheek_left[0] : fr.cheek_right[0]) / lit, 0.5, 1.0);
    const int below = sign < 0 ? 2 : 14, low = sign < 0 ? 4 : 12;
    const double x0 = sign < 0 ? f.points[p].x - 0.16 * fw : f.points[p].x - 0.02 * fw;
    // The lobe hangs between jaw points 1 and 2 (15 and 14): studs drawn on
    // the held-out people's own lobes sat 3-13 px above point 2 - 0.02 face
    // widths, where r9 first started the box.
    const double top = 0.5 * (f.points[p].y + f.points[below].y);
    const double height = std::max(4.0, f.points[low].y + 0.02 * fw - top);
    const cv::Rect2d counted(x0, top, 0.18 * fw, height);
    const double m = kLobeMargin * fw;
    const cv::Rect search =
        cv::Rect(int(x0 - m), int(top - m), int(counted.width + 2 * m), int(height + 2 * m)) & image;
    if (search.width < 4 || search.height < 4) continue;
    cv::Mat labels, stats, centroids;
    cv::Mat core;
    const cv::Mat jewel =
        JewelMask(a, search, fr.skin, fw, light, &core, std::clamp(0.5 * skin_chroma, 8.0, kJewelMaxChroma));
    const int n = cv::connectedComponentsWithStats(jewel, labels, stats, centroids, 8);
    for (int i = 1; i < n; ++i) {
      const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
      if (std::max(w, h) > 3 * std::min(w, h) + 2) continue;  // a strand of hair, an edge: not a stud
      const cv::Point2d middle(search.x + centroids.at<double>(i, 0), search.y + centroids.at<double>(i, 1));
      if (!counted.contains(middle)) continue;
      const double area = stats.at<int>(i, cv::CC_STAT_AREA);
      if (area < kJewelMinFill * w * h) continue;  // a curve along the ear's outline
      if (cv::countNonZero(core & (labels == i)) < kJewelCoreShare * area) continue;  // lit skin, not metal
      ear = std::max(ear, area / unit);
    }
  }
  const std::string limit =
      absl::StrFormat("jewel-like blob < %g stud (warn at %g)", r.min_jewel_score, r.warn_earring_score);
  if (ear >= r.min_jewel_score) {
    Fail(out, "earrings", Severity::kReject, ear, limit, "佩戴耳环/耳钉，请摘下", "earrings or studs: take them off");
  } else if (ear >= r.warn_earring_score) {
    Fail(out, "earrings", Severity::kWarn, ear, limit,
         absl::StrFormat("耳垂处有小的金属样亮点（%.2f 个耳钉大小）：可能是耳钉，请目视确认", ear),
         absl::StrFormat("a small metal-like spot at an earlobe (%.2f of a stud): maybe a stud, confirm by eye", ear));
  } else {
    Pass(out, "earrings", Severity::kReject, ear, limit);
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
      if (SidesDiffer(a, neck, labels == i, jewel, fw) > kSidesMatch) continue;  // a collar's edge
      ++long_pieces;
      best = std::max(best, stats.at<int>(i, cv::CC_STAT_AREA));
    }
    if (long_pieces <= 2) neck_score = best / (4 * unit);
  }
  const double neck_line = NecklaceLine(a, fr);
  const std::string neck_limit = absl::StrFormat("%s; thin line on the skin ≤ %g face widths (warn above %g)", limit,
                                                 r.max_necklace_line, r.warn_necklace_line);
  if (neck_score >= r.min_jewel_score) {
    Fail(out, "necklace", Severity::kReject, neck_score, neck_limit, "佩戴项链，请摘下或藏入衣领",
         "necklace: take it off or tuck it under the collar");
  } else if (neck_line > r.max_necklace_line) {
    Fail(out, "necklace", Severity::kReject, neck_line, neck_limit, "颈部有项链/挂绳，请摘下或藏入衣领",
         "a necklace or cord on the neck: take it off or tuck it under the collar");
  } else if (neck_line > r.warn_necklace_line) {
    Fail(out, "necklace", Severity::kWarn, neck_line, neck_limit,
         absl::StrFormat("颈部有细线（长 %.2f 脸宽）：可能是项链或挂绳，请目视确认", neck_line),
         absl::StrFormat("a thin line on the neck (%.2f face widths): maybe a necklace or cord, confirm by eye",
                         neck_line));
  } else {
    Pass(out, "necklace", Severity::kReject, neck_score, neck_limit);
  }
  AddMeasure(out, "necklace", neck_score);
  AddMeasure(out, "necklace_line", neck_line);
  AddMeasure(out, "grain", a.grain);
}

}  // namespace

void CheckJewellery(const Analysis& a, const FaceRegions& fr, const RuleSet& r, Results* out) {
  Jewellery(a, fr, r, out);
}

}  // namespace gradcap::validator
