// What every check reads: the photo at 480 × 640 scale, its CIELAB image,
// the faces with landmarks, the background/person split and the derived face
// geometry. Built once per photo by Analyze().
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "validator/face_landmarks.h"
#include "validator/rules.h"

namespace gradcap::validator {

struct FaceGeometry {
  cv::Point2f eye_left, eye_right;  // centres of the eye contours, image left / right
  double eye_line = 0;              // mean eye-centre height from the top edge
  double face_width = 0;            // cheek to cheek (jaw points 0–16), along the eye line
  double midline_x = 0;             // mean x of the nose bridge, nose tip, lips and chin
  double roll_deg = 0;              // eye line angle, + = right eye lower
  double yaw_deg = 0, pitch_deg = 0;
  double brow_top = 0;              // highest eyebrow landmark
  double chin_y = 0;
  int head_top = -1;                // first row of the head (hair or headwear), -1 unknown
};

struct FaceRegions;

struct Analysis {
  cv::Mat bgr;                 // 8UC3; the photo, scaled to the rule set's size when it was 3:4
  double scale = 1;            // analysis pixels per original pixel
  bool framed = false;         // bgr is rule-set sized (geometry limits apply)
  cv::Mat lab;                 // 32FC3, L* 0–100
  cv::Mat gray;                // 8UC1
  std::vector<Face> faces;     // all faces, largest first, in analysis pixels
  // The subject: the largest face (null when none was found).
  const Face* face() const { return faces.empty() ? nullptr : &faces[0]; }
  std::optional<FaceGeometry> geo;
  cv::Mat background;          // 8UC1, 255 = background (connected to the top/sides)
  cv::Vec3f background_lab;    // median L*a*b* of the background
  double background_fraction = 0;
  double grain = 0;            // the camera's noise: L* σ on the backdrop, pixel against its neighbours
  cv::Mat person;              // 8UC1, 255 = the main foreground blob (head and shoulders)
  double stray_object_fraction = 0;  // foreground not joined to the person
  // The subject's shared face regions, found by the first check group that
  // asks (FaceRegionsOf in face_regions.h) and kept for the others.
  mutable std::shared_ptr<const FaceRegions> regions;
};

class FaceLandmarker;
Analysis Analyze(const cv::Mat& bgr, const FaceLandmarker& landmarker, const RuleSet& rules);

// Colour helpers shared by the checks.
inline constexpr double kPi = 3.14159265358979323846;  // hue angles: atan2(b*, a*) * 180 / kPi
cv::Vec3f BgrToLab(const cv::Vec3b& bgr);
double DeltaE2000(const cv::Vec3f& lab1, const cv::Vec3f& lab2);
double DeltaE76(const cv::Vec3f& a, const cv::Vec3f& b);
// CIE76 distance from `c` to the segment from `from` to `to`: how far `c` is
// from every mix of the two (an edge where hair or skin meets the backdrop).
double ToSegment(const cv::Vec3f& c, const cv::Vec3f& from, const cv::Vec3f& to);
// Per-channel median of the pixels of `lab` under `mask` (all pixels when mask is empty).
cv::Vec3f MedianLab(const cv::Mat& lab, const cv::Mat& mask);
// Filled polygon of landmark indices as a mask the size of `like`.
cv::Mat PolygonMask(const cv::Mat& like, const Face& face, std::initializer_list<int> indices);
cv::Point2f Mean(const Face& face, int from, int to);  // mean of points [from, to]

}  // namespace gradcap::validator
