// How light falls across the face, for lighting_uniform: the lightness of the
// skin on the outer cheeks, side against side. Skin is found by its
// chromaticity scaled with its lightness (a shadow darkens skin, it does not
// change its hue), so the dark side of a 阴阳脸 is still measured as skin.
#pragma once

#include "validator/analysis.h"
#include "validator/face_regions.h"

namespace gradcap::validator {

struct LightProfile {
  bool measured = false;  // too little skin on either side: nothing below is set
  // Outer-cheek lightness of the darker side over the brighter side (skin,
  // |along| 0.2–0.4 face widths from the midline, eye line to mouth; every face
  // pixel there when a side has no skin left in that light).
  double side_ratio = 1;
  bool dark_left = false;  // the image-left side is the darker
};

// Needs a.face() and a.geo; `fr.skin` says what skin looks like here.
LightProfile MeasureLightProfile(const Analysis& a, const FaceRegions& fr);

}  // namespace gradcap::validator
