// background_color, background_uniform, exposure, lighting_uniform,
// sharpness, red_eye.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_format.h"
#include "validator/checks.h"
#include "validator/face_regions.h"
#include "validator/light_profile.h"

namespace gradcap::validator {
namespace {

// A red-eye pixel is red, not orange: its green stands less than this share
// of the way from its blue to its red (hue under ~12°). A flash's red pupil
// has green near blue (the drawn ones 0.0-0.13); a brown iris under a
// camera's vivid style passed R > 2.2 G and R > 2.2 B at 0.25-0.33 and made a
// fifth of the eye "red" (r16; README).
constexpr double kRedEyeMaxOrange = 0.2;

// CIE76 from the backdrop's median within which a pixel is "loosely like the
// backdrop": its shadows and gradients (bg_uneven photos step 18–30) but not
// skin or hair on the reference blue (≥ 50).
constexpr double kLooseDeltaE = 40;

// Median L*a*b* of the nose bridge (always skin, whatever the hair).
cv::Vec3f NoseSkin(const Analysis& a) {
  const Face& f = *a.face();
  const double fw = a.geo->face_width;
  const cv::Rect box = cv::Rect(int(f.points[29].x - 0.06 * fw), int(f.points[28].y), int(0.12 * fw) + 1,
                                int(f.points[30].y - f.points[28].y) + 1) &
                       cv::Rect(0, 0, a.bgr.cols, a.bgr.rows);
  return box.area() > 0 ? MedianLab(a.lab(box), {}) : a.background_lab;
}

// CIEDE2000 of the backdrop's median from the reference blue; nullopt when
// hardly any backdrop shows.
std::optional<double> BackdropDeltaE(const Analysis& a, const RuleSet& r) {
  if (a.background_fraction < 0.05) return std::nullopt;
  const cv::Vec3f ref = BgrToLab(cv::Vec3b(r.background_rgb[2], r.background_rgb[1], r.background_rgb[0]));
  return DeltaE2000(a.background_lab, ref);
}

void Background(const Analysis& a, const RuleSet& r, Results* out) {
  const std::string color_limit =
      absl::StrFormat("RGB(%g,%g,%g), ΔE2000 ≤ %g", r.background_rgb[0], r.background_rgb[1], r.background_rgb[2],
                      r.max_background_delta_e);
  const std::string uniform_limit = absl::StrFormat("ΔE ≤ %g between areas, no objects", r.max_background_spread);
  const std::optional<double> backdrop = BackdropDeltaE(a, r);
  if (!backdrop) {
    Undetermined(out, "background_color", Severity::kReject, color_limit, "几乎看不到背景",
                 "hardly any background visible");
    Undetermined(out, "background_uniform", Severity::kReject, uniform_limit, "几乎看不到背景",
                 "hardly any background visible");
    return;
  }
  const double de = *backdrop;
  if (de <= r.max_background_delta_e) {
    Pass(out, "background_color", Severity::kReject, de, color_limit);
  } else {
    const char* zh = a.background_lab[0] > 90 && std::hypot(a.background_lab[1], a.background_lab[2]) < 10
                         ? "背景接近白色/灰色，应为标准蓝色"
                         : "背景颜色偏离标准蓝色，请检查背景布与灯光";
    const char* en = a.background_lab[0] > 90 && std::hypot(a.background_lab[1], a.background_lab[2]) < 10
                         ? "background is white or grey, not the reference blue"
                         : "background colour is off the reference blue: check the backdrop and lights";
    Fail(out, "background_color", Severity::kReject, de, color_limit, absl::StrFormat("%s（ΔE %.1f）", zh, de),
         absl::StrFormat("%s (ΔE %.1f)", en, de));
  }
  AddMeasure(out, "background_delta_e", de);

  // Uniformity: the median colour of each cell away from the person, over
  // the pixels loosely like the background (ΔE < 40: shadows and gradients
  // are in, skin and hair are not), against the whole background. That needs
  // a face (the cells over the person are left out by its geometry) and skin
  // unlike the backdrop: on a grey or white one the skin itself is "loosely
  // like the background" (background_color already sends those back).
  if (!a.geo) {
    Undetermined(out, "background_uniform", Severity::kReject, uniform_limit, "未检测到人脸，无法区分人物与背景",
                 "no face: the person cannot be told from the backdrop");
    return;
  }
  const double skin_to_backdrop = DeltaE76(NoseSkin(a), a.background_lab);
  if (std::getenv("GRADCAP_VALIDATOR_TRACE")) std::fprintf(stderr, "trace: skin to backdrop %.1f\n", skin_to_backdrop);
  if (skin_to_backdrop < kLooseDeltaE) {
    Undetermined(out, "background_uniform", Severity::kReject, uniform_limit,
                 absl::StrFormat("背景颜色与肤色过近（ΔE %.0f），无法判断是否均匀", skin_to_backdrop),
                 absl::StrFormat("the backdrop is too close to the skin's colour (ΔE %.0f) to judge its evenness",
                                 skin_to_backdrop));
    return;
  }
  const int cols = 6, rows = 8;
  const int cw = a.bgr.cols / cols, ch = a.bgr.rows / rows;
  std::vector<cv::Rect> person_boxes;
  if (a.geo) {
    const FaceGeometry& g = *a.geo;
    const double top = g.head_top >= 0 ? g.head_top : g.eye_line - g.face_width;
    person_boxes.emplace_back(int(g.midline_x - 0.65 * g.face_width), int(top), int(1.3 * g.face_width),
                              int(g.chin_y - top));
    person_boxes.emplace_back(int(g.midline_x - 1.0 * g.face_width), int(g.chin_y), int(2.0 * g.face_width),
                              a.bgr.rows);
    // The shoulders reach further out below the neck, and at the frame's
    // edges they rise above the chin (a steel-blue top's shoulder 0.27 face
    // widths above it made a good photo "uneven"); clothes in a colour near
    // the backdrop's must not read as an uneven backdrop — clothing_color
    // judges them.
    person_boxes.emplace_back(int(g.midline_x - 1.7 * g.face_width), int(g.chin_y - 0.35 * g.face_width),
                              int(3.4 * g.face_width), a.bgr.rows);
  }
  cv::Mat loose(a.bgr.size(), CV_8U);
  for (int y = 0; y < a.bgr.rows; ++y) {
    const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(y);
    uint8_t* m = loose.ptr<uint8_t>(y);
    for (int x = 0; x < a.bgr.cols; ++x) m[x] = DeltaE76(l[x], a.background_lab) < kLooseDeltaE ? 255 : 0;
  }
  std::vector<cv::Vec3f> medians;
  for (int cy = 0; cy < rows; ++cy) {
    for (int cx = 0; cx < cols; ++cx) {
      const cv::Rect cell(cx * cw, cy * ch, cw, ch);
      if (std::any_of(person_boxes.begin(), person_boxes.end(),
                      [&](const cv::Rect& b) { return b.contains((cell.tl() + cell.br()) / 2); })) {
        continue;
      }
      const cv::Mat m = loose(cell);
      if (cv::countNonZero(m) < 0.6 * cell.area()) continue;
      medians.push_back(MedianLab(a.lab(cell), m));
    }
  }
  // The spread is between areas (the most different two cells), as the limit
  // says: a gradient from top to bottom counts in full, not half of it against
  // the middle.
  double spread = 0;
  for (size_t i = 0; i < medians.size(); ++i) {
    for (size_t j = i + 1; j < medians.size(); ++j) spread = std::max(spread, DeltaE76(medians[i], medians[j]));
  }
  // Objects: blobs apart from the person (a.stray_object_fraction), and a
  // shadow beside the head joined to it: pixels that are not background but
  // loosely like it. Long hair falling wide of the face is not counted (it
  // measured up to 1.2 % of the picture on a good photo).
  double intrusion = a.stray_object_fraction;
  if (a.faces.size() == 1) {  // other people are single_face's business
    const FaceGeometry& g = *a.geo;
    const int y1 = std::clamp(int(a.face()->points[33].y), 0, a.bgr.rows);
    const int xl = std::clamp(int(g.midline_x - 0.95 * g.face_width), 0, a.bgr.cols);
    const int xr = std::clamp(int(g.midline_x + 0.95 * g.face_width), 0, a.bgr.cols);
    int off = 0;
    const cv::Mat shadow = loose & ~a.background;
    if (y1 > 0) {
      off += xl > 0 ? cv::countNonZero(shadow(cv::Rect(0, 0, xl, y1))) : 0;
      off += xr < a.bgr.cols ? cv::countNonZero(shadow(cv::Rect(xr, 0, a.bgr.cols - xr, y1))) : 0;
    }
    intrusion += off / double(a.bgr.total());
  }
  if (intrusion > r.min_object_fraction * 5) {
    Fail(out, "background_uniform", Severity::kReject, spread, uniform_limit,
         absl::StrFormat("背景上有阴影或物体（占画面 %.1f%%），请清理背景、调整灯光", 100 * intrusion),
         absl::StrFormat("shadow or object on the background (%.1f%% of the picture): clear it, adjust the lights",
                         100 * intrusion));
  } else if (spread > r.max_background_spread) {
    Fail(out, "background_uniform", Severity::kReject, spread, uniform_limit,
         absl::StrFormat("背景明暗不均（ΔE %.1f），请调整背景灯光", spread),
         absl::StrFormat("background uneven (ΔE %.1f): even out the backdrop lighting", spread));
  } else {
    Pass(out, "background_uniform", Severity::kReject, spread, uniform_limit);
  }
  AddMeasure(out, "background_spread", spread);
  AddMeasure(out, "background_objects", intrusion);
}

// lighting_uniform. Studio key+fill light leaves one side of the face darker
// by a smooth gradient (a 2:1 or 3:1 lighting ratio measures ~0.75–0.6 here):
// a portrait, not a 阴阳脸. So: pass at or above min_side_light_ratio; below
// it a warning (the operator looks), and a retake only below
// reject_side_light_ratio: no fill at all (a 阴阳脸 measures 0.15–0.48 on
// the corpus, key+fill portraits 0.59 and up; README).
void Lighting(const Analysis& a, const FaceRegions& fr, const RuleSet& r, Results* out) {
  const std::string limit =
      absl::StrFormat("≥ %g (below: warn; below %g: retake)", r.min_side_light_ratio, r.reject_side_light_ratio);
  const LightProfile p = MeasureLightProfile(a, fr);
  if (!p.measured) {
    Undetermined(out, "lighting_uniform", Severity::kReject, limit, "两侧面部皮肤太少，无法判断光照",
                 "too little skin on one side of the face to judge the light");
    return;
  }
  const char* side_zh = p.dark_left ? "左" : "右";
  const char* side_en = p.dark_left ? "left" : "right";
  if (p.side_ratio >= r.min_side_light_ratio) {
    Pass(out, "lighting_uniform", Severity::kReject, p.side_ratio, limit);
  } else if (p.side_ratio < r.reject_side_light_ratio) {
    Fail(out, "lighting_uniform", Severity::kReject, p.side_ratio, limit,
         absl::StrFormat("阴阳脸：%s侧脸偏暗（亮度比 %.2f），请加补光", side_zh, p.side_ratio),
         absl::StrFormat("one side of the face is in shadow (%s, ratio %.2f): add fill light", side_en, p.side_ratio));
  } else {
    Fail(out, "lighting_uniform", Severity::kWarn, p.side_ratio, limit,
         absl::StrFormat("%s侧脸稍暗（亮度比 %.2f，主光+补光？），请目视确认", side_zh, p.side_ratio),
         absl::StrFormat("the %s side is somewhat darker (ratio %.2f, key and fill light?): confirm by eye",
                         side_en, p.side_ratio));
  }
  AddMeasure(out, "side_light_ratio", p.side_ratio);
}

// How much of a face's contrast a face below the exposure band keeps, squared
// (what the Laplacian's variance scales by): (L* / face_l_min)^2, L* held at
// lit_backdrop_face_l_min or above; 1 inside the band.
double DarkFaceContrast(double face_l, const RuleSet& r) {
  if (face_l >= r.face_l_min || r.face_l_min <= 0) return 1;
  const double k = std::max(face_l, r.lit_backdrop_face_l_min) / r.face_l_min;
  return k * k;
}

void Light(const Analysis& a, const RuleSet& r, Results* out) {
  const std::string exp_limit =
      absl::StrFormat("face L* %g–%g, clipped ≤ %g%%", r.face_l_min, r.face_l_max, 100 * r.max_clipped_fraction);
  const std::string sharp_limit = absl::StrFormat("≥ %g", r.min_sharpness);
  const std::string red_limit = absl::StrFormat("≤ %g", r.max_red_pupil_fraction);
  if (!a.face()) {
    for (const char* id : {"exposure", "lighting_uniform", "sharpness", "red_eye"}) {
      Undetermined(out, id, Severity::kReject, "", "未检测到人脸", "no face found");
    }
    return;
  }
  const Face& f = *a.face();
  const FaceRegions& fr = FaceRegionsOf(a);
  const double l = fr.face_l;
  const double clipped = fr.blown + fr.crushed;
  if (fr.DarkComplexionLit(r) && fr.crushed <= r.max_clipped_fraction) {
    // Dark skin, lit: the whites of the eyes are as bright as on any face.
    Fail(out, "exposure", Severity::kWarn, l, exp_limit,
         absl::StrFormat("面部较暗（L* %.0f）但眼白明亮（L* %.0f）：可能是肤色较深，请目视确认曝光", l, fr.eye_white_l),
         absl::StrFormat("face dark (L* %.0f) but the eye whites are bright (L* %.0f): likely a darker complexion, "
                         "confirm the exposure by eye",
                         l, fr.eye_white_l));
  } else if (l < r.face_l_min && l >= r.lit_backdrop_face_l_min && fr.crushed <= r.max_clipped_fraction &&
             BackdropDeltaE(a, r).value_or(1e9) <= r.max_background_delta_e) {
    // The frame is exposed right (underexposed, the backdrop darkens with the
    // face and fails background_color): a darker complexion whose eyes are
    // narrowed or shaded, or a face the key light missed. The operator looks.
    Fail(out, "exposure", Severity::kWarn, l, exp_limit,
         absl::StrFormat("面部较暗（L* %.0f）而背景曝光正常：可能是肤色较深，也可能面部未被照亮，请目视确认", l),
         absl::StrFormat("face dark (L* %.0f) on a correctly exposed backdrop: a darker complexion, or the face is "
                         "not lit: confirm by eye",
                         l));
  } else if (l < r.face_l_min || fr.crushed > r.max_clipped_fraction) {
    Fail(out, "exposure", Severity::kReject, l, exp_limit, absl::StrFormat("面部过暗（L* %.0f），请加光", l),
         absl::StrFormat("face too dark (L* %.0f): add light or open up", l));
  } else if (l > r.face_l_max || fr.blown > r.max_clipped_fraction) {
    Fail(out, "exposure", Severity::kReject, l, exp_limit,
         absl::StrFormat("面部过亮/过曝（L* %.0f，%.1f%% 溢出），请减光", l, 100 * clipped),
         absl::StrFormat("face overexposed (L* %.0f, %.1f%% clipped): reduce light", l, 100 * clipped));
  } else {
    Pass(out, "exposure", Severity::kReject, l, exp_limit);
  }
  AddMeasure(out, "face_lightness", l);
  AddMeasure(out, "eye_white_l", fr.eye_white_l);
  AddMeasure(out, "clipped", std::max(fr.blown, fr.crushed));

  Lighting(a, fr, r, out);

  cv::Rect box = cv::boundingRect(std::vector<cv::Point2f>(f.points.begin(), f.points.begin() + 27)) &
                 cv::Rect(0, 0, a.bgr.cols, a.bgr.rows);
  if (box.width < 20 || box.height < 20) {
    Undetermined(out, "sharpness", Severity::kReject, sharp_limit, "面部太小", "face too small");
  } else {
    cv::Mat crop, lap;
    cv::resize(a.gray(box), crop, {160, std::max(1, box.height * 160 / box.width)}, 0, 0, cv::INTER_AREA);
    cv::Laplacian(crop, lap, CV_64F);
    cv::Scalar mean, sd;
    cv::meanStdDev(lap, mean, sd);
    const double v = sd[0] * sd[0];
    // A face darker than the exposure band has less contrast in the same
    // focus: skin texture and the edges of brows, eyes and lips shrink with
    // its lightness, and the Laplacian's variance with the square of that
    // (README, r13). Between that scaled limit and min_sharpness the photo
    // may be soft or a darker face in focus: a warning, the operator looks.
    const double retake_below = r.min_sharpness * DarkFaceContrast(l, r);
    if (v >= r.min_sharpness) {
      Pass(out, "sharpness", Severity::kReject, v, sharp_limit);
    } else if (v >= retake_below) {
      Fail(out, "sharpness", Severity::kWarn, v, sharp_limit,
           absl::StrFormat("面部较暗（L* %.0f）且清晰度偏低（%.0f）：可能是对焦不准，也可能是深肤色对比度低，请目视确认", l, v),
           absl::StrFormat("a dark face (L* %.0f) reads soft (sharpness %.0f): out of focus, or a darker face's lower "
                           "contrast: confirm the focus by eye",
                           l, v));
    } else {
      Fail(out, "sharpness", Severity::kReject, v, sharp_limit, absl::StrFormat("照片模糊（清晰度 %.0f），请重新对焦", v),
           absl::StrFormat("photo blurred (sharpness %.0f): refocus", v));
    }
    AddMeasure(out, "sharpness", v);
  }

  const cv::Mat eyes = PolygonMask(a.bgr, f, {36, 37, 38, 39, 40, 41}) | PolygonMask(a.bgr, f, {42, 43, 44, 45, 46, 47});
  const int eye_area = cv::countNonZero(eyes);
  if (eye_area < 10) {
    Undetermined(out, "red_eye", Severity::kReject, red_limit, "眼睛区域太小", "eyes too small to inspect");
  } else {
    int red = 0;
    for (int y = 0; y < a.bgr.rows; ++y) {
      const cv::Vec3b* p = a.bgr.ptr<cv::Vec3b>(y);
      const uint8_t* m = eyes.ptr<uint8_t>(y);
      for (int x = 0; x < a.bgr.cols; ++x) {
        red += m[x] && p[x][2] > 120 && p[x][2] > 2.2 * p[x][1] && p[x][2] > 2.2 * p[x][0] &&
               p[x][1] - p[x][0] < kRedEyeMaxOrange * (p[x][2] - p[x][0]);
      }
    }
    const double frac = red / double(eye_area);
    if (frac <= r.max_red_pupil_fraction) {
      Pass(out, "red_eye", Severity::kReject, frac, red_limit);
    } else {
      Fail(out, "red_eye", Severity::kReject, frac, red_limit, "红眼，请关闭直射闪光或调整角度",
           "red eye: avoid direct flash, change the light angle");
    }
    AddMeasure(out, "red_pupil", frac);
  }
}

}  // namespace

void CheckLight(const Analysis& a, const RuleSet& r, Results* out) {
  Background(a, r, out);
  Light(a, r, out);
}

}  // namespace gradcap::validator
