// The only dlib translation unit (see face_landmarks.h).
#include "validator/face_landmarks.h"

#include <algorithm>
#include <filesystem>
#include <mutex>

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"

namespace gradcap::validator {

struct FaceLandmarker::Impl {
  // dlib's detector keeps scratch state; one mutex keeps Find() safe to call
  // from several threads (workers are single-threaded anyway).
  mutable std::mutex mu;
  mutable dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
  dlib::shape_predictor predictor;
};

FaceLandmarker::FaceLandmarker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaceLandmarker::~FaceLandmarker() = default;

absl::StatusOr<std::unique_ptr<FaceLandmarker>> FaceLandmarker::Load(const std::string& model_path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(model_path, ec)) {
    return absl::NotFoundError(absl::StrCat("landmark model ", model_path,
                                            " not found (Debian package libdlib-data)"));
  }
  auto impl = std::make_unique<Impl>();
  try {
    dlib::deserialize(model_path) >> impl->predictor;
  } catch (const std::exception& e) {
    return absl::DataLossError(absl::StrCat("landmark model ", model_path, " unreadable: ", e.what()));
  }
  if (impl->predictor.num_parts() != 68) {
    return absl::InvalidArgumentError(absl::StrCat("landmark model ", model_path, " has ",
                                                   impl->predictor.num_parts(), " points, expected 68"));
  }
  return std::unique_ptr<FaceLandmarker>(new FaceLandmarker(std::move(impl)));
}

namespace {

cv::Mat Scaled(const cv::Mat& bgr, double scale) {
  if (scale >= 1.0) return bgr;
  cv::Mat out;
  cv::resize(bgr, out, {}, scale, scale, cv::INTER_AREA);
  return out;
}

// Lightness equalised in 8 × 8 tiles (clip 2), colour kept: a shadowed half
// of the face gets back the contrast the HOG features need.
cv::Mat LightnessEqualised(const cv::Mat& bgr) {
  cv::Mat lab;
  cv::cvtColor(bgr, lab, cv::COLOR_BGR2Lab);
  std::vector<cv::Mat> ch;
  cv::split(lab, ch);
  cv::createCLAHE(2.0, {8, 8})->apply(ch[0], ch[0]);
  cv::merge(ch, lab);
  cv::Mat out;
  cv::cvtColor(lab, out, cv::COLOR_Lab2BGR);
  return out;
}

}  // namespace

std::vector<Face> FaceLandmarker::Detect(const cv::Mat& small, double detect_scale, const cv::Mat& fit,
                                         double fit_scale) const {
  std::vector<Face> faces;
  std::lock_guard<std::mutex> lock(impl_->mu);
  dlib::cv_image<dlib::bgr_pixel> small_img(small);
  std::vector<dlib::rect_detection> found;
  impl_->detector(small_img, found, 0.0);
  dlib::cv_image<dlib::bgr_pixel> fit_img(fit);
  for (const auto& d : found) {
    const double to_fit = fit_scale / detect_scale;
    dlib::rectangle r(std::lround(d.rect.left() * to_fit), std::lround(d.rect.top() * to_fit),
                      std::lround(d.rect.right() * to_fit), std::lround(d.rect.bottom() * to_fit));
    dlib::full_object_detection shape = impl_->predictor(fit_img, r);
    Face f;
    f.detector_score = d.detection_confidence;
    f.box = cv::Rect2f(float(d.rect.left() / detect_scale), float(d.rect.top() / detect_scale),
                       float(d.rect.width() / detect_scale), float(d.rect.height() / detect_scale));
    for (unsigned i = 0; i < 68; ++i) {
      f.points[i] = cv::Point2f(float(shape.part(i).x() / fit_scale), float(shape.part(i).y() / fit_scale));
    }
    faces.push_back(f);
  }
  return faces;
}

std::vector<Face> FaceLandmarker::Find(const cv::Mat& bgr, int detect_side) const {
  if (bgr.empty() || bgr.type() != CV_8UC3) return {};
  const double detect_scale = std::min(1.0, double(detect_side) / std::max(bgr.cols, bgr.rows));
  const double fit_scale = std::min(1.0, 1600.0 / std::max(bgr.cols, bgr.rows));
  std::vector<Face> faces = Detect(Scaled(bgr, detect_scale), detect_scale, Scaled(bgr, fit_scale), fit_scale);
  if (faces.empty()) {
    const cv::Mat fit = LightnessEqualised(Scaled(bgr, fit_scale));
    faces = Detect(Scaled(fit, detect_scale / fit_scale), detect_scale, fit, fit_scale);
    for (Face& f : faces) f.lighting_normalised = true;
  }
  std::sort(faces.begin(), faces.end(),
            [](const Face& a, const Face& b) { return a.box.area() > b.box.area(); });
  return faces;
}

}  // namespace gradcap::validator
