// Colour samples and regions around the face that several checks share:
// skin (cheeks), hair (just below the top of the head), the lens areas in
// front of the eyes and whether glasses seem to be worn.
#pragma once

#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "validator/analysis.h"
#include "validator/rules.h"

namespace gradcap::validator {

// exposure: a face below face_l_min is taken for a darker complexion, lit,
// when the whites of its eyes reach lit_eye_white_l and also this many times
// the face's L*. Underexposed, the eyes darken with the face: the corpus's two
// dark-exposure defects read 3.3 and 7.1; good photos halved in value read a
// face of 27.5-29.8 and eye whites 31.6-34.4 (x1.15); the same faces with
// only the skin darkened to L* 25-30 read eye whites 45-77 (x1.6-2.6) (r11).
inline constexpr double kLitEyeWhiteOverFace = 1.4;

struct FaceRegions {
  cv::Vec3f skin;                 // median L*a*b* of both cheeks
  std::optional<cv::Vec3f> hair;  // median of the crown; nullopt when the crown is skin (bald: its hue and chroma) or unknown
  std::vector<cv::Rect> lenses;   // where spectacle lenses would be, clipped to the image
  bool glasses = false;           // a bridge across the nose between the eyes
  double bridge_edges = 0;        // share of strong horizontal edges on the bridge
  cv::Vec3f cheek_left, cheek_right;  // median L*a*b* of each cheek
  // Each cheek's L* at its bright end (90th percentile, blown pixels left out):
  // what a lens's bright end is compared with (tinted_lenses).
  double cheek_left_bright = 0, cheek_right_bright = 0;
  double face_l = 0;              // median L* inside the face outline
  double blown = 0, crushed = 0;  // shares of clipped face pixels (all channels ≥ 250 / all ≤ 8)
  // The whites of the eyes: L* at the 90th percentile of the near-neutral
  // pixels (chroma < 15) inside the eye openings; -1 when fewer than 30 (eyes
  // narrowed, shaded or closed). They are about as white on every face, so
  // they tell a lit darker complexion from an underexposed face (r11).
  double eye_white_l = -1;
  cv::Mat eye_openings;           // 8UC1, 255 inside the eye contours (landmarks 36-41, 42-47)
  // A face below the band whose eye whites stay bright: a darker complexion,
  // lit (exposure warns; README, r11). Underexposed, the eyes darken with it.
  bool DarkComplexionLit(const RuleSet& r) const {
    return face_l < r.face_l_min && eye_white_l >= r.lit_eye_white_l && eye_white_l >= kLitEyeWhiteOverFace * face_l;
  }
  // Face exposure near the rule set's band: colour and brightness cues can be
  // trusted. Not on a lit darker complexion below the band: counting it here
  // made two false tinted_lenses retakes on the darkened good photos (r11).
  bool WellExposed(const RuleSet& r) const {
    return face_l >= r.face_l_min && face_l <= r.face_l_max && blown <= 5 * r.max_clipped_fraction &&
           crushed <= 5 * r.max_clipped_fraction;
  }
};

// Needs a.face() and a.geo.
FaceRegions FindFaceRegions(const Analysis& a);
// The same, found once per photo and kept on `a` (the light, face and dress
// check groups and the debug overlay all read it). A throw keeps nothing, so
// the next group tries again and fails on its own.
const FaceRegions& FaceRegionsOf(const Analysis& a);

// L* at the 90th percentile of the pixels of `area` under `mask` (all of
// `area` when mask is empty), leaving out blown pixels (every channel ≥ 235:
// specular highlights); 100 when none is left.
double BrightL(const Analysis& a, const cv::Rect& area, const cv::Mat& mask = cv::Mat());

}  // namespace gradcap::validator
