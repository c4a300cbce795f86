// Placing a cut-out person in the output frame (Warp, StdPlace), compositing
// layers and shapes onto a scene, and plain backgrounds.
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "tests/photos/corpus_maker.h"

namespace gradcap::corpus_maker {

// ---------------------------------------------------------------- placement

namespace {

cv::Mat MakeAffine(const Person& p, const Placement& pl, double eye_y) {
  double s = pl.fw / p.fw;
  cv::Point2f c = (p.le + p.re) * 0.5f;
  double theta = std::atan2(p.re.y - p.le.y, p.re.x - p.le.x);
  double phi = -theta + pl.roll * kPi / 180;
  double a = s * std::cos(phi), b = s * std::sin(phi);
  cv::Mat m = (cv::Mat_<double>(2, 3) << a, -b, 0, b, a, 0);
  m.at<double>(0, 2) = pl.cx - (a * c.x - b * c.y);
  m.at<double>(1, 2) = eye_y - (b * c.x + a * c.y);
  return m;
}

}  // namespace

cv::Point2f Apply(const cv::Mat& m, cv::Point2f p) {
  return {float(m.at<double>(0, 0) * p.x + m.at<double>(0, 1) * p.y + m.at<double>(0, 2)),
          float(m.at<double>(1, 0) * p.x + m.at<double>(1, 1) * p.y + m.at<double>(1, 2))};
}

double HeadTop(const cv::Mat1f& a, double cx, double fw) {
  int x0 = std::max(0, int(cx - 0.8 * fw)), x1 = std::min(a.cols - 1, int(cx + 0.8 * fw));
  for (int y = 0; y < a.rows; ++y)
    for (int x = x0; x <= x1; ++x)
      if (a(y, x) >= 0.5f) {
        // sub-pixel: interpolate with the row above
        float above = y > 0 ? a(y - 1, x) : 0.f;
        return y - (a(y, x) - 0.5f) / std::max(1e-3f, a(y, x) - above);
      }
  return a.rows;
}

Layer Warp(const Person& p, const Placement& pl) {
  cv::Size sz(pl.W, pl.H);
  double eye_y;
  if (pl.eye_y) {
    eye_y = *pl.eye_y;
  } else {  // place by head top: measure at a trial height, then shift
    const double trial = 800;
    cv::Mat m = MakeAffine(p, pl, trial);
    cv::Mat1f a;
    cv::warpAffine(p.alpha, a, m, cv::Size(pl.W, pl.H + 1200), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    eye_y = trial + (pl.head_top - HeadTop(a, pl.cx, pl.fw));
  }
  cv::Mat m = MakeAffine(p, pl, eye_y);
  Layer l;
  cv::warpAffine(p.fg, l.fg, m, sz, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::warpAffine(p.alpha, l.alpha, m, sz, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
  Geom& g = l.g;
  g.m = m;
  g.le = Apply(m, p.le);
  g.re = Apply(m, p.re);
  g.mid = (g.le + g.re) * 0.5f;
  cv::Point2f d = g.re - g.le;
  g.u = d / float(cv::norm(d));
  g.n = cv::Point2f(-g.u.y, g.u.x);
  g.fw = pl.fw;
  g.roll = std::atan2(d.y, d.x) * 180 / kPi;
  g.head_top = HeadTop(l.alpha, g.mid.x, g.fw);
  g.chin_per_fw = p.spec->chin_per_fw;
  return l;
}

// Spec framing: face width ~place_fw, head top ~80, eye line <= 270. A
// person whose eyes sit far below the top of the hair gets a lower head top
// (>= 66) and then a smaller face (>= 200).
Placement StdPlace(const Person& p) {
  Placement pl;
  double k = p.k_top, F = p.spec->place_fw, ht = p.spec->place_head_top;
  if (ht + k * F > 270) ht = std::max(66.0, 270 - k * F);
  if (ht + k * F > 270) F = std::max(200.0, (270 - ht) / k);
  pl.fw = F;
  pl.eye_y = ht + k * F;
  return pl;
}

// ---------------------------------------------------------------- scene

void Scene::Put(const Layer& l) {
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x) {
      float a = l.alpha(y, x);
      if (a <= 0) continue;
      img(y, x) = l.fg(y, x) * a + img(y, x) * (1 - a);
      occ(y, x) = std::max(occ(y, x), a);
    }
}

void Scene::Paint(const cv::Mat1f& cov, const std::function<cv::Vec3f(int, int)>& color) {
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x) {
      float c = cov(y, x);
      if (c <= 0) continue;
      img(y, x) = color(x, y) * c + img(y, x) * (1 - c);
      occ(y, x) = std::max(occ(y, x), c);
    }
}

cv::Mat1f Coverage(cv::Size sz, const std::function<void(cv::Mat1b&)>& draw, double blur) {
  cv::Mat1b m(sz, uchar(0));
  draw(m);
  cv::Mat1f f;
  m.convertTo(f, CV_32F, 1 / 255.0);
  if (blur > 0) cv::GaussianBlur(f, f, cv::Size(0, 0), blur);
  return f;
}

cv::Mat3f SolidBackground(cv::Size sz, cv::Vec3f color, uint64_t seed) {
  cv::Mat3f bg(sz, color), noise(sz);
  cv::RNG rng(seed);
  rng.fill(noise, cv::RNG::NORMAL, 0, 1.0);
  return cv::Mat3f(bg + noise);
}

}  // namespace gradcap::corpus_maker
