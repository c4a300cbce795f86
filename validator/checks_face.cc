// eyes_open, mouth_closed, hair_over_eyebrows, ears_visible, glasses_glare,
// tinted_lenses, frame_over_eyes.
#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_format.h"
#include "validator/checks.h"
#include "validator/face_regions.h"

namespace gradcap::validator {
namespace {

// Without glasses found, the eye openings (landmarks 36-41, 42-47, grown by
// kEyeOpeningGrow px) are left out of glasses_glare: their whites and
// catchlights are no reflection on a lens. In a brightly exposed photo the
// whites pass 235: a good photo brightened by 12 % read 0.027 of the lens (a
// retake) from the whites of Audrey Hepburn's eyes (r11). With glasses found
// all of the lens counts, the eye included: a reflection there hides it.
constexpr int kEyeOpeningGrow = 2;

// A tooth pixel's L* floor: at most this, and lower in a darker mouth —
// this far above the lips' median L* (lips measured 39-56 on the corpus).
constexpr double kTeethMaxFloorL = 62;
constexpr double kTeethOverLipsL = 10;
// tinted_lenses with glasses found: a second lens box this share of the way
// from the eye toward the brow (r9). At 0.3 the drawn plain glasses' lowest
// reads 0.633 (0.674 with the eye box alone: two now warn), the tints' highest
// 0.521; at 0.5 they read 0.625, and on faces without glasses (no gate) an
// upper lid in the brow's shadow read 0.574, under the retake limit.
constexpr double kLensLift = 0.3;

double EyeAspect(const Face& f, int b) {
  const auto& p = f.points;
  return (cv::norm(p[b + 1] - p[b + 5]) + cv::norm(p[b + 2] - p[b + 4])) / (2 * std::max(1.0, cv::norm(p[b] - p[b + 3])));
}

// Fraction of `region` pixels closer to `target` than to `other` and within
// `near` ΔE of `target`.
double ColourShare(const Analysis& a, const cv::Rect& region, const cv::Vec3f& target, const cv::Vec3f& other,
                   double near) {
  const cv::Rect r = region & cv::Rect(0, 0, a.bgr.cols, a.bgr.rows);
  if (r.area() <= 0) return 0;
  int hits = 0;
  for (int y = r.y; y < r.y + r.height; ++y) {
    const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(y);
    for (int x = r.x; x < r.x + r.width; ++x) {
      const double dt = DeltaE76(l[x], target);
      hits += dt < near && dt < DeltaE76(l[x], other);
    }
  }
  return hits / double(r.area());
}

void Eyes(const Analysis& a, const RuleSet& r, Results* out) {
  const Face& f = *a.face();
  const double ear = std::min(EyeAspect(f, 36), EyeAspect(f, 42));
  const std::string limit =
      absl::StrFormat("eye aspect ≥ %g (below: warn; below %g: retake)", r.min_eye_aspect, r.reject_eye_aspect);
  // Between the two limits an eye is narrowed, not shut: by a broad smile, a
  // shaded side, or a lid's own shape. The landmarks cannot tell a squint from
  // a lid half down, so the operator looks (r14).
  if (ear >= r.min_eye_aspect) {
    Pass(out, "eyes_open", Severity::kReject, ear, limit);
  } else if (ear >= r.reject_eye_aspect) {
    Fail(out, "eyes_open", Severity::kWarn, ear, limit,
         absl::StrFormat("眼睛较窄（%.2f）：眯眼、笑眼或半闭眼，请目视确认", ear),
         absl::StrFormat("eyes narrow (%.2f): squinting, smiling or half closed: confirm by eye", ear));
  } else {
    Fail(out, "eyes_open", Severity::kReject, ear, limit, "闭眼或眯眼，请自然睁开双眼",
         "eyes closed or squinting: open both eyes naturally");
  }
  AddMeasure(out, "eye_aspect", ear);
  const double mouth_w = std::max(1.0, cv::norm(f.points[48] - f.points[54]));
  const double gap = cv::norm(f.points[62] - f.points[66]) / mouth_w;
  const cv::Mat inner = PolygonMask(a.bgr, f, {60, 61, 62, 63, 64, 65, 66, 67});
  const cv::Mat outer = PolygonMask(a.bgr, f, {48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59});
  // Teeth: bright, unsaturated pixels between the lips. "Bright" is the fixed
  // L* 62, or less where the whole mouth is darker: teeth stand at least
  // kTeethOverLipsL above the lips' median (outer lip polygon minus the inner).
  // A smile on the fill side of a key+fill portrait (lips L* 46) measured 0.072
  // of the mouth against the limit 0.08 with the fixed floor, 0.135 now; closed
  // mouths stay at most 0.002 either way.
  const cv::Rect mouth = cv::boundingRect(outer);
  std::vector<float> lip_l;
  for (int y = mouth.y; y < mouth.y + mouth.height; ++y) {
    const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(y);
    const uint8_t* o = outer.ptr<uint8_t>(y);
    const uint8_t* m = inner.ptr<uint8_t>(y);
    for (int x = mouth.x; x < mouth.x + mouth.width; ++x)
      if (o[x] && !m[x]) lip_l.push_back(l[x][0]);
  }
  double teeth_floor = kTeethMaxFloorL;
  if (!lip_l.empty()) {
    std::nth_element(lip_l.begin(), lip_l.begin() + lip_l.size() / 2, lip_l.end());
    teeth_floor = std::min(kTeethMaxFloorL, lip_l[lip_l.size() / 2] + kTeethOverLipsL);
  }
  int teeth = 0;  // the inner polygon lies within the outer's bounds
  for (int y = mouth.y; y < mouth.y + mouth.height; ++y) {
    const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(y);
    const uint8_t* m = inner.ptr<uint8_t>(y);
    for (int x = mouth.x; x < mouth.x + mouth.width; ++x) teeth += m[x] && l[x][0] > teeth_floor && std::hypot(l[x][1], l[x][2]) < 20;
  }
  const double teeth_frac = teeth / std::max(1.0, double(cv::countNonZero(outer)));
  const std::string mouth_limit = absl::StrFormat("lip gap ≤ %g, teeth ≤ %g", r.max_lip_gap, r.max_teeth_fraction);
  if (teeth_frac > r.max_teeth_fraction) {
    Fail(out, "mouth_closed", Severity::kReject, teeth_frac, mouth_limit, "露出牙齿，请自然闭嘴",
         "teeth showing: close the lips naturally");
  } else if (gap > r.max_lip_gap) {
    Fail(out, "mouth_closed", Severity::kReject, gap, mouth_limit, "嘴巴张开，请自然闭嘴", "mouth open: close the lips");
  } else {
    Pass(out, "mouth_closed", Severity::kReject, std::max(gap, teeth_frac), mouth_limit);
  }
  AddMeasure(out, "lip_gap", gap);
  AddMeasure(out, "teeth", teeth_frac);
}

void Hair(const Analysis& a, const FaceRegions& fr, const RuleSet& r, Results* out) {
  const Face& f = *a.face();
  const FaceGeometry& g = *a.geo;
  const std::string brow_limit = absl::StrFormat("hair share above the brows ≤ %g", r.max_brow_hair_fraction);
  if (!fr.hair) {
    Pass(out, "hair_over_eyebrows", Severity::kWarn, 0, brow_limit);  // no hair on the crown: nothing to cover
  } else if (DeltaE76(*fr.hair, fr.skin) < 15) {
    Undetermined(out, "hair_over_eyebrows", Severity::kWarn, brow_limit, "头发与肤色相近，无法判断",
                 "hair and skin too alike to tell");
  } else {
    double worst = 0;
    for (auto [from, to] : {std::pair{17, 21}, std::pair{22, 26}}) {
      float top = 1e9, x0 = 1e9, x1 = -1e9;
      for (int i = from; i <= to; ++i) {
        top = std::min(top, f.points[i].y);
        x0 = std::min(x0, f.points[i].x);
        x1 = std::max(x1, f.points[i].x);
      }
      const cv::Rect band(int(x0), int(top - 0.10 * g.face_width), int(x1 - x0), int(0.075 * g.face_width));
      worst = std::max(worst, ColourShare(a, band, *fr.hair, fr.skin, 30));
    }
    if (worst <= r.max_brow_hair_fraction) {
      Pass(out, "hair_over_eyebrows", Severity::kWarn, worst, brow_limit);
    } else {
      Fail(out, "hair_over_eyebrows", Severity::kWarn, worst, brow_limit, "刘海遮挡眉毛，请将头发拨开",
           "hair covers the eyebrows: brush the fringe aside");
    }
    AddMeasure(out, "brow_hair", worst);
  }

  const std::string ear_limit = absl::StrFormat("skin beside both cheeks ≥ %g", r.min_ear_skin);
  double skin_min = 1, hair_max = 0;
  for (auto [jaw, sign] : {std::pair{0, -1}, std::pair{16, 1}}) {
    const float x = f.points[jaw].x;
    const float w = 0.13f * g.face_width;
    const cv::Rect side(int(sign < 0 ? x - w : x + 0.01 * g.face_width), int(g.eye_line), int(w),
                        int(std::max<float>(4, f.points[33].y - g.eye_line)));
    skin_min = std::min(skin_min, ColourShare(a, side, fr.skin, fr.hair.value_or(a.background_lab), 30));
    if (fr.hair) hair_max = std::max(hair_max, ColourShare(a, side, *fr.hair, fr.skin, 30));
  }
  if (skin_min >= r.min_ear_skin) {
    Pass(out, "ears_visible", Severity::kWarn, skin_min, ear_limit);
  } else if (hair_max >= 0.6 && skin_min < r.min_ear_skin / 2) {
    Fail(out, "ears_visible", Severity::kWarn, skin_min, ear_limit, "头发遮挡耳朵，请将头发拢到耳后",
         "hair covers the ears: tuck it behind the ears");
  } else {
    Undetermined(out, "ears_visible", Severity::kWarn, ear_limit, "看不清耳朵（可能侧转或被遮挡），请人工确认",
                 "ears not clearly visible (turned or covered): confirm by eye");
  }
  AddMeasure(out, "ear_skin", skin_min);
}

void Glasses(const Analysis& a, const FaceRegions& fr, const RuleSet& r, Results* out) {
  const std::string glare_limit = absl::StrFormat("largest highlight ≤ %g of the lens (above %g: warn)",
                                                  r.max_glare_area, r.warn_glare_area);
  const std::string tint_limit = absl::StrFormat("lens L* (p90)/cheek L* (p90) ≥ %g (below: warn; below %g: retake)",
                                                 r.warn_lens_light_ratio, r.min_lens_light_ratio);
  double glare = 0, tint = 1;
  cv::Mat eye_openings;
  if (!fr.glasses) {
    cv::dilate(fr.eye_openings, eye_openings,
               cv::getStructuringElement(cv::MORPH_ELLIPSE, {2 * kEyeOpeningGrow + 1, 2 * kEyeOpeningGrow + 1}));
  }
  for (size_t li = 0; li < fr.lenses.size(); ++li) {
    const cv::Rect& lens = fr.lenses[li];
    // The bright end of the lens area against the bright end of the same
    // side's cheek. A tint darkens all of the lens, the skin under the eye
    // included; without one that skin is about as light as the cheek's lit
    // part, however deep the eye sockets and the brows' shadow (which a median
    // sees: deep-set eyes measured 0.50-0.54 of the cheek by median, r3), and
    // however shaded the rest of the cheek (against the cheek's median, r4-r6,
    // a tint over a cheek darker than the skin under the eyes read 0.81).
    const double cheek = li == 0 ? fr.cheek_left_bright : fr.cheek_right_bright;
    cv::Mat spec(lens.height, lens.width, CV_8U);
    for (int y = 0; y < lens.height; ++y) {
      const cv::Vec3b* p = a.bgr.ptr<cv::Vec3b>(lens.y + y);
      for (int x = 0; x < lens.width; ++x) {
        const cv::Vec3b& c = p[lens.x + x];
        spec.at<uint8_t>(y, x) = std::min({c[0], c[1], c[2]}) >= 235 ? 255 : 0;
      }
    }
    if (!fr.glasses) spec.setTo(0, eye_openings(lens));
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(spec, labels, stats, centroids, 8);
    for (int i = 1; i < n; ++i) glare = std::max(glare, stats.at<int>(i, cv::CC_STAT_AREA) / double(lens.area()));
    tint = std::min<double>(tint, BrightL(a, lens) / std::max(1.0, cheek));
    // Behind tinted glasses dlib often puts the eye on the frame's lower rim
    // (fa6_w2's and Bieber's brown tints): the box then lies half on the cheek
    // below, whose skin reads as an untinted lens. With glasses found, the box
    // is also measured kLensLift of the way up toward the brow, inside the lens
    // whichever way the eye went; the darker of the two counts (r9).
    if (fr.glasses) {
      const Face& f = *a.face();
      const int brow = li == 0 ? 17 : 22;
      double brow_y = 0;
      for (int k = brow; k < brow + 5; ++k) brow_y += f.points[k].y / 5;
      const double lift = kLensLift * std::max(0.0, lens.y + lens.height / 2.0 - brow_y);
      const cv::Rect upper = cv::Rect(lens.x, int(lens.y - lift), lens.width, lens.height) &
                             cv::Rect(0, 0, a.bgr.cols, a.bgr.rows);
      if (upper.area() > 16) tint = std::min<double>(tint, BrightL(a, upper) / std::max(1.0, cheek));
    }
  }
  if (fr.lenses.size() != 2) {
    Undetermined(out, "glasses_glare", Severity::kReject, glare_limit, "眼部区域不可见", "eye regions not visible");
    Undetermined(out, "tinted_lenses", Severity::kReject, tint_limit, "眼部区域不可见", "eye regions not visible");
  } else if (!fr.WellExposed(r)) {
    Undetermined(out, "glasses_glare", Severity::kReject, glare_limit, "曝光不当，无法判断反光", "exposure too far off to judge glare");
    Undetermined(out, "tinted_lenses", Severity::kReject, tint_limit, "曝光不当，无法判断镜片颜色",
                 "exposure too far off to judge the lenses");
  } else {
    if (glare <= r.warn_glare_area) {
      Pass(out, "glasses_glare", Severity::kReject, glare, glare_limit);
    } else if (glare <= r.max_glare_area) {
      // The notice: glasses must show no reflection. A highlight this small is
      // as often a catchlight in the eye, so the operator looks.
      Fail(out, "glasses_glare", Severity::kWarn, glare, glare_limit,
           fr.glasses ? absl::StrFormat("镜片有小块反光（占 %.1f%%）：请目视确认，必要时调整镜框角度", 100 * glare)
                      : absl::StrFormat("眼部有小块高光（占 %.1f%%）：请目视确认眼睛清晰可见", 100 * glare),
           fr.glasses ? absl::StrFormat("a small reflection on the glasses (%.1f%% of the lens): look, and tilt the "
                                        "frames if it is on the lens",
                                        100 * glare)
                      : absl::StrFormat("a small highlight at the eye (%.1f%%): confirm by eye that the eyes are clear",
                                        100 * glare));
    } else {
      Fail(out, "glasses_glare", Severity::kReject, glare, glare_limit,
           fr.glasses ? "眼镜反光，请调整镜框角度（略低头或将镜腿抬高）" : "眼部有强反光，请调整灯光角度",
           fr.glasses ? "glare on the glasses: tilt the frames (raise the temples slightly)"
                      : "strong reflection at the eyes: change the light angle");
    }
    AddMeasure(out, "glare", glare);
    if (tint >= r.warn_lens_light_ratio) {
      Pass(out, "tinted_lenses", Severity::kReject, tint, tint_limit);
    } else if (tint < r.min_lens_light_ratio) {
      Fail(out, "tinted_lenses", Severity::kReject, tint, tint_limit, "镜片有颜色或为墨镜，请换无色眼镜或摘下",
           "tinted lenses or sunglasses: use clear glasses or take them off");
    } else {
      Fail(out, "tinted_lenses", Severity::kWarn, tint, tint_limit,
           absl::StrFormat("眼周偏暗（亮度比 %.2f）：镜片可能有颜色，请目视确认", tint),
           absl::StrFormat("darker around the eyes (ratio %.2f): the lenses may be tinted, confirm by eye", tint));
    }
    AddMeasure(out, "lens_light_ratio", tint);
  }
  if (!fr.glasses) {
    Pass(out, "frame_over_eyes", Severity::kReject, 0, "frame clear of the eyes");
  } else {
    Undetermined(out, "frame_over_eyes", Severity::kReject, "frame clear of the eyes",
                 "戴眼镜：请确认镜框未遮挡眼睛", "glasses worn: confirm the frame does not cross the eyes");
  }
}

}  // namespace

void CheckFace(const Analysis& a, const RuleSet& r, Results* out) {
  if (!a.face()) {
    for (const char* id : {"eyes_open", "mouth_closed", "hair_over_eyebrows", "ears_visible", "glasses_glare",
                           "tinted_lenses", "frame_over_eyes"}) {
      Undetermined(out, id, Severity::kReject, "", "未检测到人脸", "no face found");
    }
    return;
  }
  const FaceRegions& fr = FaceRegionsOf(a);
  Eyes(a, r, out);
  Hair(a, fr, r, out);
  Glasses(a, fr, r, out);
}

}  // namespace gradcap::validator
