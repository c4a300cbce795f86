#include "validator/light_profile.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <vector>

namespace gradcap::validator {
namespace {

constexpr int kBins = 16;          // along −0.4 … 0.4 face widths, 0.05 each
constexpr double kBinWidth = 0.05;
// A bin's skin level counts when at least 12 of its pixels, and this share
// of its face pixels, read as skin: where a beard or hair covers the outer
// cheek, the few dark pixels that happen to match the skin's chromaticity
// (near-neutral once scaled down to their lightness) are no level of the
// skin. With 12 pixels alone a bearded man's shaded cheek read 0.74 or 0.33
// as two or one such bins qualified under a slightly stronger tone curve
// (r16); at 5 % he reads 0.69-0.75 throughout, the side's face pixels as a
// whole (the fallback below) judging it.
constexpr double kMinSkinShare = 0.05;

double Median(std::vector<float>& v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}


}  // namespace

LightProfile MeasureLightProfile(const Analysis& a, const FaceRegions& fr) {
  const FaceGeometry& g = *a.geo;
  const double fw = g.face_width;
  cv::Point2f u = g.eye_right - g.eye_left;
  u /= std::max(1e-3f, float(cv::norm(u)));
  const cv::Point2f n(-u.y, u.x);
  const cv::Point2f mid(float(g.midline_x), float(g.eye_line));
  // Skin by its chromaticity: a shadow scales L* and a*b* alike.
  const double sa = fr.skin[1], sb = fr.skin[2];
  // Also every face pixel, for a side so dark that its skin no longer looks like skin.
  std::array<std::vector<float>, kBins> bins, any;
  const int x0 = std::max(0, int(mid.x - 0.45 * fw)), x1 = std::min(a.lab.cols, int(mid.x + 0.45 * fw));
  const int y0 = std::max(0, int(mid.y - 0.1 * fw)), y1 = std::min(a.lab.rows, int(mid.y + 0.6 * fw));
  const cv::Mat lips = PolygonMask(a.bgr, *a.face(), {48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59});
  for (int y = y0; y < y1; ++y) {
    const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(y);
    const uint8_t* person = a.person.ptr<uint8_t>(y);
    const uint8_t* lip = lips.ptr<uint8_t>(y);
    for (int x = x0; x < x1; ++x) {
      const cv::Point2f d = cv::Point2f(float(x), float(y)) - mid;
      const double along = d.dot(u) / fw, down = d.dot(n) / fw;
      if (down < 0.08 || down > 0.45 || std::abs(along) >= 0.4 || !person[x] || lip[x]) continue;
      any[std::clamp(int((along + 0.4) / kBinWidth), 0, kBins - 1)].push_back(l[x][0]);
      const double k = l[x][0] / std::max(1.0, double(fr.skin[0]));  // a shadow scales a*b* with L*
      if (std::hypot(l[x][1] - k * sa, l[x][2] - k * sb) > 9 || l[x][0] < 4) continue;
      bins[std::clamp(int((along + 0.4) / kBinWidth), 0, kBins - 1)].push_back(l[x][0]);
    }
  }
  std::array<double, kBins> level;
  std::array<bool, kBins> ok;
  for (int i = 0; i < kBins; ++i) {
    ok[i] = bins[i].size() >= std::max<size_t>(12, size_t(kMinSkinShare * any[i].size()));
    level[i] = ok[i] ? Median(bins[i]) : 0;
  }
  auto centre = [](int i) { return -0.4 + (i + 0.5) * kBinWidth; };
  // Median level of the skin in the outer cheek bins of one side (sign −1:
  // image-left), or of every face pixel there when no bin has enough skin.
  auto outer = [&](int sign) -> std::optional<double> {
    std::vector<float> skin, all;
    for (int i = 0; i < kBins; ++i) {
      const double c = centre(i) * sign;
      if (c < 0.2) continue;
      if (ok[i]) skin.push_back(float(level[i]));
      all.insert(all.end(), any[i].begin(), any[i].end());
    }
    if (!skin.empty()) return Median(skin);
    if (all.size() >= 40) return Median(all);
    return std::nullopt;
  };
  const auto left = outer(-1), right = outer(1);
  LightProfile p;
  if (!left || !right) return p;
  p.measured = true;
  p.dark_left = *left < *right;
  p.side_ratio = std::min(*left, *right) / std::max({*left, *right, 1e-3});
  return p;
}

}  // namespace gradcap::validator
