#include "validator/debug_overlay.h"

#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "validator/analysis.h"
#include "validator/face_regions.h"
#include "validator/photo_input.h"

namespace gradcap::validator {

namespace {

absl::Status DrawOverlay(std::string_view jpeg, const FaceLandmarker& landmarker, const RuleSet& rules,
                         const std::string& name, const std::string& dir) {
  auto photo = DecodePhoto(jpeg);
  if (!photo.ok()) return photo.status();
  const Analysis a = Analyze(photo->bgr, landmarker, rules);
  cv::Mat out = a.bgr.clone();
  cv::Mat tint(out.size(), CV_8UC3, cv::Scalar(0, 255, 0));
  cv::Mat blended;
  cv::addWeighted(out, 0.6, tint, 0.4, 0, blended);
  blended.copyTo(out, a.background);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(a.person.clone(), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
  cv::drawContours(out, contours, -1, cv::Scalar(0, 0, 255), 1);
  if (a.framed) {
    for (double y : {rules.head_top_min, rules.head_top_max}) cv::line(out, {0, int(y)}, {20, int(y)}, {255, 0, 255}, 2);
    for (double y : {rules.eye_line_min, rules.eye_line_max}) cv::line(out, {0, int(y)}, {20, int(y)}, {0, 255, 255}, 2);
  }
  for (const Face& f : a.faces) {
    cv::rectangle(out, f.box, {255, 255, 0}, 1);
    for (const cv::Point2f& p : f.points) cv::circle(out, p, 1, {0, 255, 255}, -1);
  }
  if (a.geo) {
    const FaceGeometry& g = *a.geo;
    cv::line(out, {0, int(g.eye_line)}, {out.cols, int(g.eye_line)}, {0, 255, 255}, 1);
    if (g.head_top >= 0) cv::line(out, {0, g.head_top}, {out.cols, g.head_top}, {255, 0, 255}, 1);
    cv::line(out, {int(g.midline_x), 0}, {int(g.midline_x), out.rows}, {255, 255, 255}, 1);
    const FaceRegions& fr = FaceRegionsOf(a);
    for (const cv::Rect& r : fr.lenses) cv::rectangle(out, r, fr.glasses ? cv::Scalar(0, 0, 255) : cv::Scalar(255, 0, 0), 1);
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string path =
      absl::StrCat(dir, "/", std::filesystem::path(name).filename().string(), ".debug.png");
  if (!cv::imwrite(path, out)) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteDebugOverlay(std::string_view jpeg, const FaceLandmarker& landmarker, const RuleSet& rules,
                               const std::string& name, const std::string& dir) {
  try {
    return DrawOverlay(jpeg, landmarker, rules, name, dir);
  } catch (const std::exception& e) {  // OpenCV or dlib: no overlay, no crash
    return absl::InternalError(absl::StrCat("no debug overlay for ", name, ": ", e.what()));
  }
}

}  // namespace gradcap::validator
