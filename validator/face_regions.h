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

struct FaceRegions {
  cv::Vec3f skin;                 // median L*a*b* of both cheeks
  std::optional<cv::Vec3f> hair;  // median of the crown; nullopt when the crown is skin (bald: its hue and chroma) or unknown
  std::vector<cv::Rect> lenses;   // where spectacle lenses would be, clipped to the image
  bool glasses = false;           // a bridge across the nose between the eyes
  double bridge_edges = 0;        // share of strong horizontal edges on the bridge
  cv::Vec3f cheek_left, cheek_right;  // median L*a*b* of each cheek
  double face_l = 0;              // median L* inside the face outline
  double blown = 0, crushed = 0;  // shares of clipped face pixels (all channels ≥ 250 / all ≤ 8)
  // Face exposure near the rule set's band: colour and brightness cues can be trusted.
  bool WellExposed(const RuleSet& r) const {
    return face_l >= r.face_l_min && face_l <= r.face_l_max && blown <= 5 * r.max_clipped_fraction &&
           crushed <= 5 * r.max_clipped_fraction;
  }
};

// Needs a.face() and a.geo.
FaceRegions FindFaceRegions(const Analysis& a);

}  // namespace gradcap::validator
