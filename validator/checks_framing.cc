// single_face, head_top, eye_line, face_width, centered, head_roll, head_pose.
#include <cmath>
#include <string>

#include "absl/strings/str_format.h"
#include "validator/checks.h"

namespace gradcap::validator {
namespace {

// A band check: value inside [lo, hi] passes; outside fails with a reason
// that says which way to move.
void Band(Results* out, std::string_view id, double value, double lo, double hi, std::string_view unit,
          std::string_view low_zh, std::string_view low_en, std::string_view high_zh, std::string_view high_en) {
  const std::string limit = absl::StrFormat("%g–%g %s", lo, hi, unit);
  if (value < lo) {
    Fail(out, id, Severity::kReject, value, limit, absl::StrFormat("%s（%.0f %s）", low_zh, value, unit),
         absl::StrFormat("%s (%.0f %s)", low_en, value, unit));
  } else if (value > hi) {
    Fail(out, id, Severity::kReject, value, limit, absl::StrFormat("%s（%.0f %s）", high_zh, value, unit),
         absl::StrFormat("%s (%.0f %s)", high_en, value, unit));
  } else {
    Pass(out, id, Severity::kReject, value, limit);
  }
  AddMeasure(out, id, value);
}

}  // namespace

void CheckFraming(const Analysis& a, const RuleSet& r, Results* out) {
  const int n = static_cast<int>(a.faces.size());
  if (n == 1) {
    Pass(out, "single_face", Severity::kReject, 1, "1");
  } else if (n == 0) {
    Fail(out, "single_face", Severity::kReject, 0, "1", "未检测到人脸，请正对镜头", "no face found: face the camera");
  } else {
    Fail(out, "single_face", Severity::kReject, n, "1",
         absl::StrFormat("画面中有 %d 张人脸，只能有本人", n),
         absl::StrFormat("%d faces in the picture: only the graduate may be in it", n));
  }
  const char* geometry_ids[] = {"head_top", "eye_line", "face_width", "centered", "head_roll", "head_pose"};
  if (!a.geo) {
    for (const char* id : geometry_ids) {
      Undetermined(out, id, Severity::kReject, "", "未检测到人脸，无法测量", "no face to measure");
    }
    return;
  }
  const FaceGeometry& g = *a.geo;
  if (!a.framed) {
    for (const char* id : {"head_top", "eye_line", "face_width", "centered"}) {
      Undetermined(out, id, Severity::kReject, "", "图像不是 3:4，位置无法按标准衡量（先用 validator frame 裁切）",
                   "the image is not 3:4, so positions cannot be held against the limits (crop with validator frame)");
    }
  } else {
    if (g.head_top < 0) {
      Undetermined(out, "head_top", Severity::kReject, absl::StrFormat("%g–%g px", r.head_top_min, r.head_top_max),
                   "找不到头顶（背景与头发分不开）", "top of the head not found (hair not separable from the background)");
    } else {
      Band(out, "head_top", g.head_top, r.head_top_min, r.head_top_max, "px", "头顶离上边缘太近，请降低相机或让学生坐低",
           "top of the head too close to the top edge: lower the camera or the subject",
           "头顶离上边缘太远，请抬高相机或让学生坐高", "too much space above the head: raise the camera or the subject");
    }
    Band(out, "eye_line", g.eye_line, r.eye_line_min, r.eye_line_max, "px", "眼睛位置太高", "eyes too high in the frame",
         "眼睛位置太低", "eyes too low in the frame");
    Band(out, "face_width", g.face_width, r.face_width_min, r.face_width_max, "px", "脸部太小，请靠近或放大",
         "face too small: move closer or zoom in", "脸部太大，请后退或缩小", "face too large: move back or zoom out");
    const double off = g.midline_x - r.width / 2.0;
    const std::string limit = absl::StrFormat("|x − %d| ≤ %g px", r.width / 2, r.center_tolerance);
    if (std::abs(off) <= r.center_tolerance) {
      Pass(out, "centered", Severity::kReject, off, limit);
    } else {
      Fail(out, "centered", Severity::kReject, off, limit,
           absl::StrFormat("人像偏%s %.0f px，请居中", off < 0 ? "左" : "右", std::abs(off)),
           absl::StrFormat("face is %.0f px %s of centre: centre the subject", std::abs(off), off < 0 ? "left" : "right"));
    }
    AddMeasure(out, "centre_offset", std::abs(off));
  }
  const std::string roll_limit = absl::StrFormat("≤ %g°", r.max_roll_deg);
  if (std::abs(g.roll_deg) <= r.max_roll_deg) {
    Pass(out, "head_roll", Severity::kReject, g.roll_deg, roll_limit);
  } else {
    Fail(out, "head_roll", Severity::kReject, g.roll_deg, roll_limit,
         absl::StrFormat("头部歪斜 %.1f°，两眼应保持水平", std::abs(g.roll_deg)),
         absl::StrFormat("head tilted %.1f°: keep the eyes level", std::abs(g.roll_deg)));
  }
  AddMeasure(out, "roll_deg", std::abs(g.roll_deg));
  const double pitch = g.pitch_deg - r.pitch_bias_deg;
  // Yaw is a retake past its limit. Pitch comes from the nose's drop below the
  // eyes, which differs between faces by about ±10°: past max_pitch_deg the
  // operator looks (warn); only past reject_pitch_deg is it surely a nod.
  const std::string pose_limit = absl::StrFormat("yaw ≤ %g°, pitch ≤ %g° (warn up to %g°)", r.max_yaw_deg,
                                                 r.max_pitch_deg, r.reject_pitch_deg);
  const double yaw = std::abs(g.yaw_deg) / r.max_yaw_deg, nod = std::abs(pitch) / r.max_pitch_deg;
  auto nod_fail = [&](v1::Severity severity) {
    Fail(out, "head_pose", severity, pitch, pose_limit,
         absl::StrFormat("头部%s约 %.0f°，请平视镜头", pitch > 0 ? "低" : "仰", std::abs(pitch)),
         absl::StrFormat("head %s about %.0f°: look straight at the lens", pitch > 0 ? "lowered" : "raised",
                         std::abs(pitch)));
  };
  if (yaw > 1 && yaw >= nod) {
    Fail(out, "head_pose", Severity::kReject, g.yaw_deg, pose_limit,
         absl::StrFormat("头部左右转动约 %.0f°，请正对镜头", std::abs(g.yaw_deg)),
         absl::StrFormat("head turned about %.0f°: face the camera squarely", std::abs(g.yaw_deg)));
  } else if (std::abs(pitch) > r.reject_pitch_deg) {
    nod_fail(Severity::kReject);
  } else if (nod > 1) {
    nod_fail(Severity::kWarn);
  } else {
    Pass(out, "head_pose", Severity::kReject, std::abs(g.yaw_deg) > std::abs(pitch) ? g.yaw_deg : pitch, pose_limit);
  }
  AddMeasure(out, "yaw_deg", std::abs(g.yaw_deg));
  AddMeasure(out, "pitch_deg", std::abs(pitch));
}

}  // namespace gradcap::validator
