#include "validator/rules_file.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/logging.h"

namespace gradcap::validator {
namespace {

enum class Kind { kInt, kDouble, kRgb };

// One line of the file: where it lives in RuleSet, and the range a sane
// value falls in (a limit outside it is a typo, not a calibration).
struct RuleKey {
  const char* key;
  Kind kind;
  int RuleSet::*i;
  double RuleSet::*d;
  double lo, hi;
  const char* meaning;
};

constexpr RuleKey Int(const char* key, int RuleSet::*i, double lo, double hi, const char* meaning) {
  return {key, Kind::kInt, i, nullptr, lo, hi, meaning};
}
constexpr RuleKey Dbl(const char* key, double RuleSet::*d, double lo, double hi, const char* meaning) {
  return {key, Kind::kDouble, nullptr, d, lo, hi, meaning};
}

const std::vector<RuleKey>& Keys() {
  static const std::vector<RuleKey> keys = {
      Int("width", &RuleSet::width, 16, 10000, "image_size: photo width, px"),
      Int("height", &RuleSet::height, 16, 10000, "image_size: photo height, px"),
      Int("min_jpeg_quality", &RuleSet::min_jpeg_quality, 1, 100, "jpeg_quality: estimated IJG quality"),
      Int("min_file_kb", &RuleSet::min_file_kb, 0, 100000, "file_size (warn): smallest file, KB"),
      Int("max_file_kb", &RuleSet::max_file_kb, 1, 100000, "file_size (warn): largest file, KB"),
      Dbl("head_top_min", &RuleSet::head_top_min, 0, 10000,
          "head_top: top of the head from the top edge, px"),
      Dbl("head_top_max", &RuleSet::head_top_max, 0, 10000, "head_top"),
      Dbl("eye_line_min", &RuleSet::eye_line_min, 0, 10000, "eye_line: eye centres from the top edge, px"),
      Dbl("eye_line_max", &RuleSet::eye_line_max, 0, 10000, "eye_line"),
      Dbl("face_width_min", &RuleSet::face_width_min, 1, 10000, "face_width: cheek to cheek, px"),
      Dbl("face_width_max", &RuleSet::face_width_max, 1, 10000, "face_width"),
      Dbl("center_tolerance", &RuleSet::center_tolerance, 0, 10000,
          "centered: |face midline - image midline|, px"),
      Dbl("max_roll_deg", &RuleSet::max_roll_deg, 0, 90, "head_roll: eye line tilt, degrees"),
      Dbl("max_yaw_deg", &RuleSet::max_yaw_deg, 0.1, 90, "head_pose: turn, degrees (landmark scatter ~3)"),
      Dbl("max_pitch_deg", &RuleSet::max_pitch_deg, 0.1, 90,
          "head_pose: nod, degrees (coarse, faces differ ~10); above: warn"),
      Dbl("reject_pitch_deg", &RuleSet::reject_pitch_deg, 0.1, 90, "head_pose: nod above this is a retake"),
      Dbl("pitch_bias_deg", &RuleSet::pitch_bias_deg, -45, 45,
          "head_pose: subtracted from the pitch estimate"),
      {"background_rgb", Kind::kRgb, nullptr, nullptr, 0, 255, "background_color: reference blue, R, G, B"},
      Dbl("max_background_delta_e", &RuleSet::max_background_delta_e, 0, 100,
          "background_color: CIEDE2000 of the background median"),
      Dbl("max_background_spread", &RuleSet::max_background_spread, 0, 100,
          "background_uniform: CIE76 between the most different two background cells"),
      Dbl("min_object_fraction", &RuleSet::min_object_fraction, 0, 1,
          "background_uniform: foreign objects (fails above 5x this share)"),
      Dbl("face_l_min", &RuleSet::face_l_min, 0, 100, "exposure: median L* of the face"),
      Dbl("face_l_max", &RuleSet::face_l_max, 0, 100, "exposure"),
      Dbl("lit_eye_white_l", &RuleSet::lit_eye_white_l, 0, 100,
          "exposure (warn): a face below face_l_min whose eye whites reach this L* is lit, a darker complexion"),
      Dbl("lit_backdrop_face_l_min", &RuleSet::lit_backdrop_face_l_min, 0, 100,
          "exposure (warn): a face below face_l_min but at least this L*, on a backdrop that passes "
          "background_color, only warns"),
      Dbl("max_clipped_fraction", &RuleSet::max_clipped_fraction, 0, 1,
          "exposure: blown or crushed face pixels"),
      Dbl("min_side_light_ratio", &RuleSet::min_side_light_ratio, 0, 1,
          "lighting_uniform: darker / brighter cheek; below: warn"),
      Dbl("reject_side_light_ratio", &RuleSet::reject_side_light_ratio, 0, 1,
          "lighting_uniform: below this ratio a retake"),
      Dbl("min_sharpness", &RuleSet::min_sharpness, 0, 1e6, "sharpness: Laplacian variance, face at 160 px"),
      Dbl("max_red_pupil_fraction", &RuleSet::max_red_pupil_fraction, 0, 1, "red_eye: red share of the eyes"),
      Dbl("min_eye_aspect", &RuleSet::min_eye_aspect, 0, 1,
          "eyes_open: eye aspect ratio of the more closed eye; below: warn"),
      Dbl("reject_eye_aspect", &RuleSet::reject_eye_aspect, 0, 1, "eyes_open: below this a retake"),
      Dbl("max_lip_gap", &RuleSet::max_lip_gap, 0, 2, "mouth_closed: inner lip gap / mouth width"),
      Dbl("max_teeth_fraction", &RuleSet::max_teeth_fraction, 0, 1,
          "mouth_closed: teeth share inside the lips"),
      Dbl("max_brow_hair_fraction", &RuleSet::max_brow_hair_fraction, 0, 1,
          "hair_over_eyebrows (warn): hair share above the brows"),
      Dbl("min_ear_skin", &RuleSet::min_ear_skin, 0, 1, "ears_visible (warn): skin share beside the cheeks"),
      Dbl("warn_glare_area", &RuleSet::warn_glare_area, 0, 1,
          "glasses_glare (warn): largest highlight / lens area; above: warn"),
      Dbl("max_glare_area", &RuleSet::max_glare_area, 0, 1,
          "glasses_glare: largest highlight / lens area; above: retake"),
      Dbl("min_lens_light_ratio", &RuleSet::min_lens_light_ratio, 0, 2,
          "tinted_lenses: bright end (p90) of the lens L* / of the cheek L*; below: retake"),
      Dbl("warn_lens_light_ratio", &RuleSet::warn_lens_light_ratio, 0, 2,
          "tinted_lenses (warn): bright end (p90) of the lens L* / of the cheek L*; below: warn"),
      Dbl("max_crown_height", &RuleSet::max_crown_height, 0, 10,
          "headwear (warn): (brow top - head top) / face width"),
      Dbl("max_crown_contrast", &RuleSet::max_crown_contrast, 0, 400,
          "headwear (warn): crown colour vs the hair at the temples, CIE76"),
      Dbl("max_band_contrast", &RuleSet::max_band_contrast, 0, 400,
          "headwear (warn): covered bands below the crown vs the hair at the temples, CIE76"),
      Dbl("max_brim_ledge", &RuleSet::max_brim_ledge, 0, 2, "headwear (warn): outline ledge / face width"),
      Dbl("max_cap_edge", &RuleSet::max_cap_edge, 0, 1,
          "headwear (warn): share of the head's width one straight rim crosses above the brows"),
      Dbl("max_bun_height", &RuleSet::max_bun_height, 0, 10,
          "hair_bun: narrow part above the crown / face width"),
      Dbl("max_clothing_blue_fraction", &RuleSet::max_clothing_blue_fraction, 0, 1,
          "clothing_color: share of the top merging with the background"),
      Dbl("warn_clothing_blue_fraction", &RuleSet::warn_clothing_blue_fraction, 0, 1,
          "clothing_color (warn): share of the top in the background's hue"),
      Dbl("max_clothing_edge_fraction", &RuleSet::max_clothing_edge_fraction, 0, 1,
          "clothing_pattern: edge share of the top"),
      Dbl("min_jewel_score", &RuleSet::min_jewel_score, 0.01, 1000,
          "earrings, necklace: fail at or above this jewel-like blob score"),
      Dbl("warn_earring_score", &RuleSet::warn_earring_score, 0.01, 1000,
          "earrings (warn): a smaller jewel-like blob at an earlobe; at or above: warn"),
      Dbl("warn_necklace_line", &RuleSet::warn_necklace_line, 0, 10,
          "necklace (warn): longest thin line on the skin below the chin / face width; above: warn"),
      Dbl("max_necklace_line", &RuleSet::max_necklace_line, 0, 10,
          "necklace: longest thin line on the skin below the chin / face width; above: retake"),
      Dbl("warn_hair_ornament", &RuleSet::warn_hair_ornament, 0.01, 1000,
          "hair_ornament (warn): largest patch of strong colour on the hair, in 0.0025 face widths^2; at or above: warn"),
      Dbl("max_hair_ornament", &RuleSet::max_hair_ornament, 0.01, 1000,
          "hair_ornament: the same; at or above: retake"),
  };
  return keys;
}

// (min key, max key) pairs: min must not exceed max.
constexpr std::pair<const char*, const char*> kBands[] = {{"min_file_kb", "max_file_kb"},
                                                          {"head_top_min", "head_top_max"},
                                                          {"eye_line_min", "eye_line_max"},
                                                          {"face_width_min", "face_width_max"},
                                                          {"face_l_min", "face_l_max"},
                                                          {"lit_backdrop_face_l_min", "face_l_min"},
                                                          {"reject_side_light_ratio", "min_side_light_ratio"},
                                                          {"reject_eye_aspect", "min_eye_aspect"},
                                                          {"min_lens_light_ratio", "warn_lens_light_ratio"},
                                                          {"warn_glare_area", "max_glare_area"},
                                                          {"max_pitch_deg", "reject_pitch_deg"},
                                                          {"warn_necklace_line", "max_necklace_line"},
                                                          {"warn_earring_score", "min_jewel_score"},
                                                          {"warn_hair_ornament", "max_hair_ornament"}};

const RuleKey* Find(absl::string_view key) {
  for (const RuleKey& k : Keys()) {
    if (key == k.key) return &k;
  }
  return nullptr;
}

// The shortest text that reads back as the same double.
std::string NumberText(double v) {
  for (int precision = 6; precision < 17; ++precision) {
    const std::string s = absl::StrFormat("%.*g", precision, v);
    double back = 0;
    if (absl::SimpleAtod(s, &back) && back == v) return s;
  }
  return absl::StrFormat("%.17g", v);
}

std::string ValueText(const RuleSet& r, const RuleKey& k) {
  switch (k.kind) {
    case Kind::kInt:
      return absl::StrCat(r.*k.i);
    case Kind::kDouble:
      return NumberText(r.*k.d);
    case Kind::kRgb:
      return absl::StrCat(NumberText(r.background_rgb[0]), ", ", NumberText(r.background_rgb[1]), ", ",
                          NumberText(r.background_rgb[2]));
  }
  return "";
}

bool ValidVersion(absl::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  for (char c : v) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.' && c != '+') return false;
  }
  return true;
}

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  absl::Status Line(int no, absl::string_view line) {
    line = line.substr(0, line.find('#'));
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) return absl::OkStatus();
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return Error(no, line.substr(0, line.find_first_of(" \t")), "has no '=' (lines are `key = value`)");
    }
    const std::string key(absl::StripAsciiWhitespace(line.substr(0, eq)));
    const absl::string_view value = absl::StripAsciiWhitespace(line.substr(eq + 1));
    if (key.empty()) return Error(no, "", "has no key before '='");
    if (auto [it, fresh] = seen_.emplace(key, no); !fresh) {
      return Error(no, key, absl::StrCat("appears twice (first on line ", it->second, ")"));
    }
    if (key == "version") {
      if (!ValidVersion(value)) {
        return Error(
            no, key,
            absl::StrCat("\"", value, "\" is not a version name (letters, digits, - _ . +; ", "at most 64)"));
      }
      rules_.version = std::string(value);
      return absl::OkStatus();
    }
    const RuleKey* k = Find(key);
    if (k == nullptr) return Error(no, key, "is not a known key (see validator/rules/chsi2017-r16.rules)");
    if (k->kind == Kind::kRgb) {
      const std::vector<absl::string_view> parts = absl::StrSplit(value, ',');
      if (parts.size() != 3)
        return Error(no, key, absl::StrCat("needs three numbers R, G, B, not \"", value, "\""));
      for (int c = 0; c < 3; ++c) {
        double v;
        if (absl::Status s = Number(no, *k, absl::StripAsciiWhitespace(parts[c]), &v); !s.ok()) return s;
        rules_.background_rgb[c] = v;
      }
      return absl::OkStatus();
    }
    double v;
    if (absl::Status s = Number(no, *k, value, &v); !s.ok()) return s;
    if (k->kind == Kind::kInt) {
      if (v != std::floor(v))
        return Error(no, key, absl::StrCat("must be a whole number, not \"", value, "\""));
      rules_.*k->i = static_cast<int>(v);
    } else {
      rules_.*k->d = v;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<RuleSet> Finish(int last_line) {
    if (!seen_.count("version")) {
      return Error(last_line, "version", "missing: the file must name its rule-set version (version = NAME)");
    }
    for (const RuleKey& k : Keys()) {
      if (!seen_.count(k.key)) {
        return Error(last_line, k.key,
                     "missing: every limit must be in the file, so its version names all of them");
      }
    }
    for (const auto& [lo, hi] : kBands) {
      if (*RuleValue(rules_, lo) > *RuleValue(rules_, hi)) {
        return Error(seen_.at(hi), hi, absl::StrCat("is below ", lo, " (line ", seen_.at(lo), ")"));
      }
    }
    return rules_;
  }

 private:
  absl::Status Number(int no, const RuleKey& k, absl::string_view text, double* out) {
    if (!absl::SimpleAtod(text, out) || !std::isfinite(*out)) {
      return Error(no, k.key, absl::StrCat("\"", text, "\" is not a number"));
    }
    if (*out < k.lo || *out > k.hi) {
      return Error(no, k.key,
                   absl::StrCat(text, " is out of range [", NumberText(k.lo), ", ", NumberText(k.hi), "]"));
    }
    return absl::OkStatus();
  }

  absl::Status Error(int no, absl::string_view key, absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ":", no, ": ", key.empty() ? "" : "key ", key, key.empty() ? "" : " ", what));
  }

  std::string source_;
  RuleSet rules_;
  std::map<std::string, int> seen_;  // key -> line
};

}  // namespace

absl::StatusOr<RuleSet> ParseRules(std::string_view text, std::string_view source) {
  Parser parser(source);
  int no = 0;
  for (absl::string_view line : absl::StrSplit(Sv(text), '\n')) {
    ++no;
    if (absl::Status s = parser.Line(no, line); !s.ok()) return s;
  }
  return parser.Finish(no);
}

absl::StatusOr<RuleSet> LoadRulesFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the rules file"));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseRules(text.str(), path);
}

std::string FormatRules(const RuleSet& rules, std::string_view header) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(Sv(header), '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, "# ", line, "\n");
  }
  absl::StrAppend(&out, "version = ", rules.version, "\n\n");
  for (const RuleKey& k : Keys()) {
    absl::StrAppend(
        &out, absl::StrFormat("%-34s # %s\n", absl::StrCat(k.key, " = ", ValueText(rules, k)), k.meaning));
  }
  return out;
}

void KeepBandsOrdered(const RuleSet& before, RuleSet* rules) {
  for (const auto& [lo, hi] : kBands) {
    const double low = *RuleValue(*rules, lo), high = *RuleValue(*rules, hi);
    if (low <= high) continue;
    if (high != *RuleValue(before, hi)) {
      SetRuleValue(rules, lo, high);
    } else {
      SetRuleValue(rules, hi, low);
    }
  }
}

std::optional<double> RuleValue(const RuleSet& rules, std::string_view key) {
  const RuleKey* k = Find(Sv(key));
  if (k == nullptr || k->kind == Kind::kRgb) return std::nullopt;
  return k->kind == Kind::kInt ? double(rules.*k->i) : rules.*k->d;
}

bool SetRuleValue(RuleSet* rules, std::string_view key, double value) {
  const RuleKey* k = Find(Sv(key));
  if (k == nullptr || k->kind == Kind::kRgb) return false;
  if (k->kind == Kind::kInt) {
    rules->*k->i = static_cast<int>(std::lround(value));
  } else {
    rules->*k->d = value;
  }
  return true;
}

bool IsIntegerRule(std::string_view key) {
  const RuleKey* k = Find(Sv(key));
  return k != nullptr && k->kind == Kind::kInt;
}

std::vector<std::string> RuleDifferences(const RuleSet& a, const RuleSet& b) {
  std::vector<std::string> out;
  if (a.version != b.version) out.push_back("version");
  for (const RuleKey& k : Keys()) {
    if (ValueText(a, k) != ValueText(b, k)) out.push_back(k.key);
  }
  return out;
}

}  // namespace gradcap::validator
