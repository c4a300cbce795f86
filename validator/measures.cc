#include "validator/measures.h"

#include "validator/rules_file.h"

namespace gradcap::validator {

const std::vector<MeasureSpec>& AllMeasures() {
  using K = LimitKind;
  static const std::vector<MeasureSpec> measures = {
      {"jpeg_quality", "jpeg_quality", K::kLower, "min_jpeg_quality"},
      {"file_kb", "file_size", K::kBand, "min_file_kb", "max_file_kb"},
      {"head_top", "head_top", K::kBand, "head_top_min", "head_top_max"},
      {"eye_line", "eye_line", K::kBand, "eye_line_min", "eye_line_max"},
      {"face_width", "face_width", K::kBand, "face_width_min", "face_width_max"},
      {"centre_offset", "centered", K::kUpper, "center_tolerance"},
      {"roll_deg", "head_roll", K::kUpper, "max_roll_deg"},
      {"yaw_deg", "head_pose", K::kUpper, "max_yaw_deg"},
      {"pitch_deg", "head_pose", K::kUpper, "max_pitch_deg"},
      {"background_delta_e", "background_color", K::kUpper, "max_background_delta_e"},
      {"background_spread", "background_uniform", K::kUpper, "max_background_spread"},
      {"background_objects", "background_uniform", K::kUpper, "min_object_fraction", nullptr, 5},
      {"face_lightness", "exposure", K::kBand, "face_l_min", "face_l_max"},
      {"clipped", "exposure", K::kUpper, "max_clipped_fraction"},
      {"side_light_ratio", "lighting_uniform", K::kLower, "min_side_light_ratio"},
      {"sharpness", "sharpness", K::kLower, "min_sharpness"},
      {"red_pupil", "red_eye", K::kUpper, "max_red_pupil_fraction"},
      {"eye_aspect", "eyes_open", K::kLower, "min_eye_aspect"},
      {"lip_gap", "mouth_closed", K::kUpper, "max_lip_gap"},
      {"teeth", "mouth_closed", K::kUpper, "max_teeth_fraction"},
      {"brow_hair", "hair_over_eyebrows", K::kUpper, "max_brow_hair_fraction"},
      {"ear_skin", "ears_visible", K::kLower, "min_ear_skin"},
      {"glare", "glasses_glare", K::kUpper, "max_glare_area"},
      {"lens_light_ratio", "tinted_lenses", K::kLower, "min_lens_light_ratio"},
      {"brim_ledge", "headwear", K::kUpper, "max_brim_ledge"},
      {"crown_height", "headwear", K::kUpper, "max_crown_height"},
      {"crown_contrast", "headwear", K::kUpper, "max_crown_contrast"},
      {"band_contrast", "headwear", K::kUpper, "max_band_contrast"},
      {"cap_edge", "headwear", K::kUpper, "max_cap_edge"},
      {"bun_height", "hair_bun", K::kUpper, "max_bun_height"},
      {"clothing_blue", "clothing_color", K::kUpper, "max_clothing_blue_fraction"},
      {"clothing_blue_hue", "clothing_color", K::kUpper, "warn_clothing_blue_fraction"},
      {"clothing_edges_sides", "clothing_pattern", K::kUpper, "max_clothing_edge_fraction"},
      {"earring", "earrings", K::kUpperStrict, "min_jewel_score"},
      {"necklace", "necklace", K::kUpperStrict, "min_jewel_score"},
      {"necklace_line", "necklace", K::kUpper, "max_necklace_line"},
      {"hair_ornament", "hair_ornament", K::kUpperStrict, "max_hair_ornament"},
  };
  return measures;
}

const MeasureSpec* FindMeasure(const std::string& name) {
  for (const MeasureSpec& m : AllMeasures()) {
    if (name == m.name) return &m;
  }
  return nullptr;
}

std::pair<double, double> MeasureLimits(const MeasureSpec& spec, const RuleSet& rules) {
  const double lo = spec.scale * RuleValue(rules, spec.key).value_or(0);
  const double hi =
      spec.kind == LimitKind::kBand ? spec.scale * RuleValue(rules, spec.key_max).value_or(0) : lo;
  return {lo, hi};
}

bool MeasureFails(const MeasureSpec& spec, double value, std::pair<double, double> limits) {
  switch (spec.kind) {
    case LimitKind::kUpper:
      return value > limits.second;
    case LimitKind::kUpperStrict:
      return value >= limits.second;
    case LimitKind::kLower:
      return value < limits.first;
    case LimitKind::kBand:
      return value < limits.first || value > limits.second;
  }
  return false;
}

}  // namespace gradcap::validator
