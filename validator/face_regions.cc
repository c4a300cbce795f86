#include "validator/face_regions.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace gradcap::validator {
namespace {

constexpr double kEyeWhiteChroma = 15;
constexpr size_t kEyeWhitePixels = 30;

}  // namespace

FaceRegions FindFaceRegions(const Analysis& a) {
  FaceRegions fr;
  const Face& f = *a.face();
  const FaceGeometry& g = *a.geo;
  const cv::Rect image(0, 0, a.bgr.cols, a.bgr.rows);
  const cv::Mat left = PolygonMask(a.bgr, f, {1, 2, 3, 4, 48, 31, 40, 41});
  const cv::Mat right = PolygonMask(a.bgr, f, {15, 14, 13, 12, 54, 35, 47, 46});
  const cv::Mat cheeks = left | right;
  fr.skin = cv::countNonZero(cheeks) > 20 ? MedianLab(a.lab, cheeks) : MedianLab(a.lab, PolygonMask(a.bgr, f, {1, 15, 8}));

  fr.cheek_left = cv::countNonZero(left) > 10 ? MedianLab(a.lab, left) : fr.skin;
  fr.cheek_right = cv::countNonZero(right) > 10 ? MedianLab(a.lab, right) : fr.skin;
  fr.cheek_left_bright = cv::countNonZero(left) > 10 ? BrightL(a, cv::boundingRect(left), left) : fr.cheek_left[0];
  fr.cheek_right_bright = cv::countNonZero(right) > 10 ? BrightL(a, cv::boundingRect(right), right) : fr.cheek_right[0];

  cv::Mat face = PolygonMask(a.bgr, f, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 26, 25, 24, 23, 22,
                                        21, 20, 19, 18, 17});
  const int k = std::max(3, int(g.face_width * 0.04)) | 1;
  cv::erode(face, face, cv::getStructuringElement(cv::MORPH_ELLIPSE, {k, k}));
  for (int b : {36, 42}) {
    const cv::Point2f c = Mean(f, b, b + 5);
    const double ew = cv::norm(f.points[b] - f.points[b + 3]);
    const cv::Rect lens = cv::Rect(int(c.x - 0.8 * ew), int(c.y - 0.4 * ew), int(1.6 * ew), int(0.8 * ew)) & image;
    if (lens.area() > 16) fr.lenses.push_back(lens);
  }

  for (const cv::Rect& lens : fr.lenses) face(lens).setTo(0);  // glare is glasses_glare's business
  const double area = std::max(1, cv::countNonZero(face));
  fr.face_l = MedianLab(a.lab, face)[0];
  int blown = 0, crushed = 0;
  for (int y = 0; y < a.bgr.rows; ++y) {
    const cv::Vec3b* p = a.bgr.ptr<cv::Vec3b>(y);
    const uint8_t* m = face.ptr<uint8_t>(y);
    for (int x = 0; x < a.bgr.cols; ++x) {
      if (!m[x]) continue;
      blown += std::min({p[x][0], p[x][1], p[x][2]}) >= 250;
      crushed += std::max({p[x][0], p[x][1], p[x][2]}) <= 8;
    }
  }
  fr.blown = blown / area;
  fr.crushed = crushed / area;

  fr.eye_openings =
      PolygonMask(a.bgr, f, {36, 37, 38, 39, 40, 41}) | PolygonMask(a.bgr, f, {42, 43, 44, 45, 46, 47});
  std::vector<float> white;
  for (int y = 0; y < a.lab.rows; ++y) {
    const cv::Vec3f* lab = a.lab.ptr<cv::Vec3f>(y);
    const uint8_t* m = fr.eye_openings.ptr<uint8_t>(y);
    for (int x = 0; x < a.lab.cols; ++x) {
      if (m[x] && std::hypot(lab[x][1], lab[x][2]) < kEyeWhiteChroma) white.push_back(lab[x][0]);
    }
  }
  if (white.size() >= kEyeWhitePixels) {
    auto at = white.begin() + (white.size() - 1) * 9 / 10;
    std::nth_element(white.begin(), at, white.end());
    fr.eye_white_l = *at;
  }

  if (g.head_top >= 0) {
    const cv::Rect crown = cv::Rect(int(g.midline_x - 0.2 * g.face_width), int(g.head_top + 0.03 * g.face_width),
                                    int(0.4 * g.face_width), int(0.12 * g.face_width)) & image;
    if (crown.area() > 20 && crown.y < g.brow_top) {
      const cv::Mat m = a.person(crown);
      if (cv::countNonZero(m) > 0.5 * crown.area()) {
        const cv::Vec3f c = MedianLab(a.lab(crown), m);
        // A bald scalp is often paler or shinier than the cheeks (ΔE > 12) but
        // of their hue and chroma: sean's 55° / 44 beside cheeks at 47° / 42.
        // Hair is not: blond is yellower (the astronaut's 87° against 66°),
        // brown and grey far less saturated.
        const double hue = std::atan2(c[2], c[1]), skin_hue = std::atan2(fr.skin[2], fr.skin[1]);
        const double chroma = std::hypot(c[1], c[2]), skin_chroma = std::hypot(fr.skin[1], fr.skin[2]);
        const double kDeg = 3.14159265358979323846 / 180;
        const bool scalp = std::abs(std::remainder(hue - skin_hue, 360 * kDeg)) < 10 * kDeg &&
                           chroma > 0.6 * skin_chroma && chroma < 1.5 * skin_chroma;
        if (DeltaE76(c, fr.skin) > 12 && !scalp) fr.hair = c;
      }
    }
  }

  // The bridge: between the inner eye corners, from the top of the eyes to
  // the top of the nose. Glasses put a bar with strong horizontal edges there.
  // It starts no lower than just under the inner ends of the brows (r9):
  // behind dark lenses dlib may put the eyes on the frame's lower rim, below
  // the bar (fa6_w2's brown tint: 0.068 from the eyes, 0.095 from the brows;
  // photos without glasses read the same either way).
  const float top = std::min(std::min(f.points[38].y, f.points[43].y) - 0.04f * float(g.face_width),
                             std::max(f.points[21].y, f.points[22].y) + 0.03f * float(g.face_width));
  const cv::Rect bridge = cv::Rect(cv::Point(int(f.points[39].x + 2), int(top)),
                                   cv::Point(int(f.points[42].x - 2), int(f.points[29].y))) & image;
  if (bridge.width >= 4 && bridge.height >= 4) {
    cv::Mat dy;
    cv::Sobel(a.gray(bridge), dy, CV_16S, 0, 1, 3);
    fr.bridge_edges = cv::countNonZero(cv::abs(dy) > 100) / double(bridge.area());
    fr.glasses = fr.bridge_edges > 0.08;
  }
  return fr;
}

const FaceRegions& FaceRegionsOf(const Analysis& a) {
  if (!a.regions) a.regions = std::make_shared<const FaceRegions>(FindFaceRegions(a));
  return *a.regions;
}

double BrightL(const Analysis& a, const cv::Rect& area, const cv::Mat& mask) {
  std::vector<float> l;
  l.reserve(area.area());
  for (int y = area.y; y < area.y + area.height; ++y) {
    const cv::Vec3b* p = a.bgr.ptr<cv::Vec3b>(y);
    const cv::Vec3f* lab = a.lab.ptr<cv::Vec3f>(y);
    const uint8_t* m = mask.empty() ? nullptr : mask.ptr<uint8_t>(y);
    for (int x = area.x; x < area.x + area.width; ++x) {
      if (m != nullptr && !m[x]) continue;
      if (std::min({p[x][0], p[x][1], p[x][2]}) < 235) l.push_back(lab[x][0]);
    }
  }
  if (l.empty()) return 100;
  auto at = l.begin() + (l.size() - 1) * 9 / 10;
  std::nth_element(l.begin(), at, l.end());
  return *at;
}

}  // namespace gradcap::validator
