// Colour difference (CIEDE2000) and the measurements taken on rendered,
// decoded images that labels and ground truth are derived from.
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "tests/photos/corpus_maker.h"

namespace gradcap::corpus_maker {

// ---------------------------------------------------------------- colour

namespace {

cv::Vec3f BgrToLab(cv::Vec3f bgr) {
  cv::Mat3f px(1, 1, cv::Vec3f(bgr[0] / 255.f, bgr[1] / 255.f, bgr[2] / 255.f)), lab;
  cv::cvtColor(px, lab, cv::COLOR_BGR2Lab);
  return lab(0, 0);
}

// CIEDE2000 (Sharma, Wu, Dalal 2005).
double DeltaE2000(cv::Vec3f lab1, cv::Vec3f lab2) {
  auto deg = [](double r) { return r * 180.0 / kPi; };
  auto rad = [](double d) { return d * kPi / 180.0; };
  double L1 = lab1[0], a1 = lab1[1], b1 = lab1[2], L2 = lab2[0], a2 = lab2[1], b2 = lab2[2];
  double C1 = std::hypot(a1, b1), C2 = std::hypot(a2, b2), Cb = (C1 + C2) / 2;
  double G = 0.5 * (1 - std::sqrt(std::pow(Cb, 7) / (std::pow(Cb, 7) + std::pow(25.0, 7))));
  double a1p = (1 + G) * a1, a2p = (1 + G) * a2;
  double C1p = std::hypot(a1p, b1), C2p = std::hypot(a2p, b2);
  auto hp = [&](double b, double ap) {
    if (b == 0 && ap == 0) return 0.0;
    double h = deg(std::atan2(b, ap));
    return h < 0 ? h + 360 : h;
  };
  double h1p = hp(b1, a1p), h2p = hp(b2, a2p);
  double dLp = L2 - L1, dCp = C2p - C1p, dhp = 0;
  if (C1p * C2p != 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    if (dhp < -180) dhp += 360;
  }
  double dHp = 2 * std::sqrt(C1p * C2p) * std::sin(rad(dhp / 2));
  double Lbp = (L1 + L2) / 2, Cbp = (C1p + C2p) / 2, hbp = h1p + h2p;
  if (C1p * C2p != 0) {
    if (std::fabs(h1p - h2p) <= 180) hbp = (h1p + h2p) / 2;
    else hbp = (h1p + h2p < 360) ? (h1p + h2p + 360) / 2 : (h1p + h2p - 360) / 2;
  }
  double T = 1 - 0.17 * std::cos(rad(hbp - 30)) + 0.24 * std::cos(rad(2 * hbp)) +
             0.32 * std::cos(rad(3 * hbp + 6)) - 0.20 * std::cos(rad(4 * hbp - 63));
  double dTheta = 30 * std::exp(-std::pow((hbp - 275) / 25, 2));
  double Rc = 2 * std::sqrt(std::pow(Cbp, 7) / (std::pow(Cbp, 7) + std::pow(25.0, 7)));
  double Sl = 1 + 0.015 * std::pow(Lbp - 50, 2) / std::sqrt(20 + std::pow(Lbp - 50, 2));
  double Sc = 1 + 0.045 * Cbp, Sh = 1 + 0.015 * Cbp * T;
  double Rt = -std::sin(rad(2 * dTheta)) * Rc;
  return std::sqrt(std::pow(dLp / Sl, 2) + std::pow(dCp / Sc, 2) + std::pow(dHp / Sh, 2) +
                   Rt * (dCp / Sc) * (dHp / Sh));
}

}  // namespace

double DeltaEBgr(cv::Vec3f a, cv::Vec3f b) { return DeltaE2000(BgrToLab(a), BgrToLab(b)); }

cv::Vec3f MedianColor(const cv::Mat& img, const cv::Mat1b& mask) {
  cv::Mat3f f;
  img.convertTo(f, CV_32F);
  std::vector<float> ch[3];
  for (int y = 0; y < f.rows; ++y)
    for (int x = 0; x < f.cols; ++x)
      if (mask(y, x))
        for (int c = 0; c < 3; ++c) ch[c].push_back(f(y, x)[c]);
  cv::Vec3f out(0, 0, 0);
  for (int c = 0; c < 3; ++c) {
    if (ch[c].empty()) return out;
    std::nth_element(ch[c].begin(), ch[c].begin() + ch[c].size() / 2, ch[c].end());
    out[c] = ch[c][ch[c].size() / 2];
  }
  return out;
}

// ---------------------------------------------------------------- rendered images

double BackgroundDeltaE(const cv::Mat3b& dec, const cv::Mat1f& occ) {
  cv::Mat1b bg = occ < 0.002f;
  cv::erode(bg, bg, cv::getStructuringElement(cv::MORPH_RECT, {9, 9}));
  if (cv::countNonZero(bg) < 500) return -1;
  return DeltaEBgr(MedianColor(dec, bg), kRefBlue);
}

double LeftRightRatio(const cv::Mat3b& dec, const Geom& g) {
  cv::Mat3f f;
  dec.convertTo(f, CV_32F, 1 / 255.0);
  cv::Mat3f lab;
  cv::cvtColor(f, lab, cv::COLOR_BGR2Lab);
  cv::Mat3b ycc;
  cv::cvtColor(dec, ycc, cv::COLOR_BGR2YCrCb);
  double sum[2] = {0, 0};
  int cnt[2] = {0, 0};
  for (int y = 0; y < dec.rows; ++y)
    for (int x = 0; x < dec.cols; ++x) {
      cv::Point2f d = cv::Point2f(x, y) - g.mid;
      double along = d.dot(g.u) / g.fw, down = d.dot(g.n) / g.fw;
      if (down < 0.08 || down > 0.4 || std::fabs(along) > 0.38 || std::fabs(along) < 0.06) continue;
      auto v = ycc(y, x);
      if (v[1] < 133 || v[1] > 180 || v[2] < 77 || v[2] > 135) continue;  // not skin
      int side = along < 0 ? 0 : 1;
      sum[side] += lab(y, x)[0];
      ++cnt[side];
    }
  if (cnt[0] < 50 || cnt[1] < 50) return -1;
  double l = sum[0] / cnt[0], r = sum[1] / cnt[1];
  return std::min(l, r) / std::max(l, r);
}

std::pair<double, double> FaceExposure(const cv::Mat3b& dec, const Geom& g) {
  cv::Mat3f f;
  dec.convertTo(f, CV_32F, 1 / 255.0);
  cv::Mat3f lab;
  cv::cvtColor(f, lab, cv::COLOR_BGR2Lab);
  double sum = 0;
  int n = 0, clipped = 0;
  for (int y = 0; y < dec.rows; ++y)
    for (int x = 0; x < dec.cols; ++x) {
      cv::Point2f d = cv::Point2f(x, y) - g.mid;
      double along = d.dot(g.u) / g.fw, down = d.dot(g.n) / g.fw;
      double e = std::pow(along / 0.36, 2) + std::pow((down - 0.2) / 0.38, 2);
      if (e > 1) continue;
      auto v = dec(y, x);
      sum += lab(y, x)[0];
      ++n;
      if (std::min({v[0], v[1], v[2]}) >= 250) ++clipped;  // white: all channels clipped
    }
  if (n == 0) return {-1, -1};
  return {sum / n, 100.0 * clipped / n};
}

}  // namespace gradcap::corpus_maker
