// Changes to a placed person's layer: clothing recoloured or striped, one side
// darkened.
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "tests/photos/corpus_maker.h"

namespace gradcap::corpus_maker {

namespace {

float Luma(cv::Vec3f c) { return 0.114f * c[0] + 0.587f * c[1] + 0.299f * c[2]; }

}  // namespace

cv::Mat1f ClothingMask(const Layer& l) {
  cv::Mat3b fg8;
  l.fg.convertTo(fg8, CV_8U);
  cv::Mat3b ycc;
  cv::cvtColor(fg8, ycc, cv::COLOR_BGR2YCrCb);
  cv::Mat1f m(l.alpha.size(), 0.f);
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) {
      cv::Point2f d = cv::Point2f(x, y) - l.g.mid;
      double along = d.dot(l.g.u) / l.g.fw, down = d.dot(l.g.n) / l.g.fw;
      bool below_chin = down >= l.g.chin_per_fw + 0.02;
      bool shoulder = (std::fabs(along) > 0.45 && down > 0.55) || (std::fabs(along) > 0.72 && down > 0);
      if (!below_chin && !shoulder) continue;
      auto v = ycc(y, x);
      bool skin = v[1] >= 135 && v[1] <= 180 && v[2] >= 80 && v[2] <= 130 && v[0] > 60;
      if (!skin) m(y, x) = l.alpha(y, x);
    }
  cv::GaussianBlur(m, m, cv::Size(0, 0), 0.8);
  return m;
}

void RecolorClothing(Layer& l, cv::Vec3f color, bool clean) {
  cv::Mat1f m = ClothingMask(l);
  if (clean) {
    // Skin-toned shirts and shadows leave specks in and out of the mask: open
    // and close it so a whole garment changes colour, not a speckle pattern.
    cv::Mat1b hard = m > 0.5f;
    const cv::Mat k = cv::getStructuringElement(cv::MORPH_ELLIPSE, {9, 9});
    cv::morphologyEx(hard, hard, cv::MORPH_OPEN, k);
    cv::morphologyEx(hard, hard, cv::MORPH_CLOSE, k);
    cv::Mat1f soft;
    hard.convertTo(soft, CV_32F, 1 / 255.0);
    cv::GaussianBlur(soft, soft, cv::Size(0, 0), 0.8);
    m = cv::min(soft, l.alpha);
  }
  cv::Mat1b hard = m > 0.5f;
  cv::Vec3f med = MedianColor(l.fg, hard);
  float ml = std::max(8.f, Luma(med));
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) {
      float w = m(y, x);
      if (w <= 0) continue;
      float d = std::clamp(0.6f * (Luma(l.fg(y, x)) - ml), -40.f, 40.f);  // keep folds and shading
      cv::Vec3f c = color + cv::Vec3f(d, d, d);
      for (int k = 0; k < 3; ++k) c[k] = std::clamp(c[k], 0.f, 255.f);
      l.fg(y, x) = c * w + l.fg(y, x) * (1 - w);
    }
}

double TorsoClothingShare(const Layer& l) {
  const cv::Mat1f m = ClothingMask(l);
  const double chin = l.g.mid.y + l.g.chin_per_fw * l.g.fw;
  const cv::Rect torso = cv::Rect(int(l.g.mid.x - 0.5 * l.g.fw), int(chin + 0.3 * l.g.fw), int(l.g.fw), m.rows) &
                         cv::Rect(0, 0, m.cols, m.rows);
  if (torso.area() == 0) return 0;
  return cv::countNonZero(m(torso) > 0.5f) / double(torso.area());
}

void StripeClothing(Layer& l, int period, int direction, cv::Vec3f dark, cv::Vec3f light) {
  cv::Mat1f m = ClothingMask(l);
  cv::Mat1b hard = m > 0.5f;
  float ml = std::max(8.f, Luma(MedianColor(l.fg, hard)));
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) {
      float w = m(y, x);
      if (w <= 0) continue;
      float t = direction == 0 ? y : direction == 1 ? x : (x + y) * 0.7071f;
      float ph = std::fmod(t, float(period)) / period;
      // soft-edged square wave
      float s = std::clamp(0.5f + 3.f * std::sin(2 * float(kPi) * ph), 0.f, 1.f);
      float shade = std::clamp(Luma(l.fg(y, x)) / ml, 0.7f, 1.2f);
      cv::Vec3f c = (light * s + dark * (1 - s)) * shade;
      for (int k = 0; k < 3; ++k) c[k] = std::min(c[k], 255.f);
      l.fg(y, x) = c * w + l.fg(y, x) * (1 - w);
    }
}

void SideLight(Layer& l, int side, float factor) {
  for (int y = 0; y < l.fg.rows; ++y)
    for (int x = 0; x < l.fg.cols; ++x) {
      float along = (cv::Point2f(x, y) - l.g.mid).dot(l.g.u) / float(l.g.fw) * side;
      float t = 1.f / (1.f + std::exp(-along / 0.05f));  // 1 on the dark side
      l.fg(y, x) *= 1.f - (1.f - factor) * t;
    }
}

}  // namespace gradcap::corpus_maker
