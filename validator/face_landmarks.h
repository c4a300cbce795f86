// Faces and their 68 landmarks (iBUG 300-W numbering) from dlib: the HOG
// frontal face detector and the shape predictor shipped in libdlib-data. This
// header is free of dlib; face_landmarks.cc is the only file that includes it
// (one dlib translation unit takes ~30 s to compile).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"

namespace gradcap::validator {

inline constexpr char kDefaultLandmarkModel[] = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

struct Face {
  cv::Rect2f box;                      // detector box, in image pixels
  double detector_score = 0;           // HOG detection confidence (> 0 = face)
  bool lighting_normalised = false;    // found only on the CLAHE copy (see Find)
  std::array<cv::Point2f, 68> points;  // 0-16 jaw, 17-26 brows, 27-35 nose, 36-47 eyes, 48-67 mouth
};

class FaceLandmarker {
 public:
  // Loads the model once (~2 s, ~100 MB file); keep one per process.
  static absl::StatusOr<std::unique_ptr<FaceLandmarker>> Load(const std::string& model_path);
  ~FaceLandmarker();

  // Every face found in a BGR image, largest first. The detector runs on a
  // copy scaled so its longer side is at most `detect_side` pixels (faces
  // smaller than ~80 px there are not found); landmarks are fitted at full
  // resolution of a copy whose longer side is at most 1600 px. When the plain
  // copy shows no face, detection and fitting run once more on a copy whose
  // lightness is equalised locally (CLAHE): a deep one-sided shadow on a
  // turned head hides the face from the HOG detector, and the lighting and
  // pose checks must still see it to name the real defect. No face in the
  // corpus's no-face and dog photos appears on that copy either.
  std::vector<Face> Find(const cv::Mat& bgr, int detect_side = 400) const;

 private:
  struct Impl;
  // Faces in `small` (the detector's copy), fitted on `fit`; both are the
  // same image at detect_scale and fit_scale of the caller's.
  std::vector<Face> Detect(const cv::Mat& small, double detect_scale, const cv::Mat& fit, double fit_scale) const;
  explicit FaceLandmarker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gradcap::validator
