#include "validator/framing.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "validator/analysis.h"

namespace gradcap::validator {

namespace {

absl::StatusOr<Framing> Frame(const cv::Mat& capture, const FaceLandmarker& landmarker, const RuleSet& r) {
  if (capture.empty()) return absl::InvalidArgumentError("empty capture");
  const Analysis a = Analyze(capture, landmarker, r);
  if (a.faces.empty()) return absl::FailedPreconditionError("no face found in the capture");
  if (a.faces.size() > 1) {
    return absl::FailedPreconditionError(absl::StrFormat("%d faces in the capture: only the graduate may be in it",
                                                         a.faces.size()));
  }
  const FaceGeometry& g = *a.geo;
  // Capture coordinates.
  const double inv = 1 / a.scale;
  const double fw = g.face_width * inv, eye = g.eye_line * inv, mid = g.midline_x * inv;
  if (g.head_top < 0) return absl::FailedPreconditionError("top of the head not found (is the background plain?)");
  const double head = g.head_top * inv;
  if (g.head_top <= 1) {
    return absl::FailedPreconditionError("the head is cut off at the top of the capture: frame higher");
  }
  const double eye_to_top = eye - head;
  const double target_fw = (r.face_width_min + r.face_width_max) / 2 - 10;  // 230 by default
  const double top_mid = (r.head_top_min + r.head_top_max) / 2;
  const double max_upscale = 2.0;  // beyond this the photo would be visibly soft

  // Face widths from the middle of the band outwards; for each, the eye
  // height that puts the top of the head nearest the middle of its band, then
  // the smallest horizontal shift that keeps the crop inside the capture.
  std::vector<double> widths;
  for (double d = 0; d <= 60; d += 5) {
    widths.push_back(target_fw - d);
    if (d) widths.push_back(target_fw + d);
  }
  std::string why;  // from the candidate nearest the target: the most useful advice
  auto because = [&why](std::string reason) {
    if (why.empty()) why = std::move(reason);
  };
  for (const double out_fw : widths) {
    if (out_fw < r.face_width_min + 5 || out_fw > r.face_width_max - 5) continue;
    const double s = out_fw / fw;
    if (s > max_upscale) {
      because(absl::StrFormat("face too small in the capture (%.0f px wide, needs at least %.0f): move closer or zoom in",
                            fw, (r.face_width_min + 5) / max_upscale));
      continue;
    }
    const double dh = eye_to_top * s;
    const double eye_out = std::clamp(top_mid + dh, r.eye_line_min + 10, r.eye_line_max - 10);
    const double head_out = eye_out - dh;
    if (head_out < r.head_top_min + 5 || head_out > r.head_top_max - 5) {
      because(absl::StrFormat("hair too tall for the frame (top of head %.0f px above the eyes at %.0f px face width)",
                            dh, out_fw));
      continue;
    }
    const double cw = r.width / s, ch = r.height / s;
    double x = mid - cw / 2;
    const double y = eye - eye_out / s;
    const double slack = (r.center_tolerance - 4) / s;
    if (x < 0) x = std::min(0.0, x + slack);
    if (x + cw > capture.cols) x = std::max(capture.cols - cw, x - slack);
    if (y < 0) {
      because(absl::StrFormat("the capture ends %.0f px above the head where the crop needs %.0f: frame higher", head, head - y));
      continue;
    }
    if (y + ch > capture.rows) {
      because(absl::StrFormat("the capture ends %.0f px too early below the face: frame lower or step back",
                            y + ch - capture.rows));
      continue;
    }
    if (x < -0.5 || x + cw > capture.cols + 0.5) {
      because(absl::StrFormat("the face is too close to the %s edge of the capture to centre it",
                            x < 0 ? "left" : "right"));
      continue;
    }
    Framing f;
    f.crop = cv::Rect(cvRound(std::max(0.0, x)), cvRound(y), cvRound(cw), cvRound(ch)) &
             cv::Rect(0, 0, capture.cols, capture.rows);
    f.scale = s;
    f.eye_line = eye_out;
    f.face_width = out_fw;
    f.head_top = head_out;
    cv::Mat out;
    cv::resize(capture(f.crop), out, {r.width, r.height}, 0, 0, s < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
    for (int q = 92; q >= 70; q -= 4) {
      std::vector<uint8_t> buf;
      cv::imencode(".jpg", out, buf, {cv::IMWRITE_JPEG_QUALITY, q});
      f.jpeg.assign(buf.begin(), buf.end());
      f.quality = q;
      if (f.jpeg.size() <= size_t(r.max_file_kb) * 1024) break;
    }
    return f;
  }
  return absl::FailedPreconditionError(why.empty() ? "no crop fits the limits" : why);
}

}  // namespace

absl::StatusOr<Framing> FramePhoto(const cv::Mat& capture, const FaceLandmarker& landmarker,
                                   const RuleSet& r) {
  try {
    return Frame(capture, landmarker, r);
  } catch (const std::exception& e) {  // OpenCV or dlib: a reason, not a crash
    return absl::InternalError(absl::StrCat("the capture cannot be analysed: ", e.what()));
  }
}

}  // namespace gradcap::validator
