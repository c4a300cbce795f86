// The check groups of PHOTO-SPEC.md. Each appends one CheckResult per check
// id it owns, always — a check that cannot decide says "undetermined" with
// the reason, it never guesses and never goes missing.
#pragma once

#include <string>
#include <string_view>

#include "proto/gradcap.pb.h"
#include "validator/analysis.h"
#include "validator/photo_input.h"
#include "validator/rules.h"

namespace gradcap::validator {

struct FaceRegions;
using Results = google::protobuf::RepeatedPtrField<v1::CheckResult>;

// The proto's severity (one enum for every process), by the names the checks use.
namespace Severity {
inline constexpr v1::Severity kReject = v1::SEVERITY_REJECT;  // a retake
inline constexpr v1::Severity kWarn = v1::SEVERITY_WARN;      // the operator decides
}  // namespace Severity

// Appends one result. `limit` is human-readable ("50–110 px").
void Pass(Results* out, std::string_view id, v1::Severity severity, double value, std::string_view limit);
void Fail(Results* out, std::string_view id, v1::Severity severity, double value, std::string_view limit,
          std::string_view reason_zh, std::string_view reason_en);
void Undetermined(Results* out, std::string_view id, v1::Severity severity, std::string_view limit,
                  std::string_view reason_zh, std::string_view reason_en);
// Records a measure (validator/measures.h names them) on the result appended last.
void AddMeasure(Results* out, std::string_view name, double value);

// image_format, image_size, jpeg_quality, file_size (from the file alone).
void CheckFile(const JpegInfo* info, size_t file_bytes, std::string_view format_error, const RuleSet& rules,
               Results* out);
// single_face, head_top, eye_line, face_width, centered, head_roll, head_pose.
void CheckFraming(const Analysis& a, const RuleSet& rules, Results* out);
// background_color, background_uniform, exposure, lighting_uniform, sharpness, red_eye.
void CheckLight(const Analysis& a, const RuleSet& rules, Results* out);
// eyes_open, mouth_closed, hair_over_eyebrows, ears_visible, glasses_glare, tinted_lenses, frame_over_eyes.
void CheckFace(const Analysis& a, const RuleSet& rules, Results* out);
// headwear, hair_bun, hair_ornament, earrings, necklace, clothing_color, clothing_pattern, clothing_style.
void CheckDress(const Analysis& a, const RuleSet& rules, Results* out);
// headwear, hair_bun (called by CheckDress with the face regions it found).
void CheckHead(const Analysis& a, const FaceRegions& fr, const RuleSet& rules, Results* out);
// earrings, necklace (called by CheckDress with the face regions it found).
void CheckJewellery(const Analysis& a, const FaceRegions& fr, const RuleSet& rules, Results* out);

// hair_ornament (called by CheckDress with the face regions it found).
void CheckHairOrnament(const Analysis& a, const FaceRegions& fr, const RuleSet& rules, Results* out);

// Every check id, in report order.
const std::vector<std::string>& AllCheckIds();

}  // namespace gradcap::validator
