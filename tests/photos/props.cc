// Props drawn on top of a placed person: glasses (plain, glare, tinted), a cap,
// a hair bun, earrings and a necklace. Shapes are drawn antialiased at 1/16 px.
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "tests/photos/corpus_maker.h"

namespace gradcap::corpus_maker {

namespace {

std::vector<cv::Point> Poly(const std::vector<cv::Point2f>& pts) {
  std::vector<cv::Point> out;
  for (auto& p : pts) out.push_back(cv::Point(std::lround(p.x * 16), std::lround(p.y * 16)));
  return out;
}

void Ellipse(cv::Mat1b& m, cv::Point2f c, cv::Size2f axes, double angle_deg, int thickness) {
  cv::ellipse(m, cv::Point(std::lround(c.x * 16), std::lround(c.y * 16)),
              cv::Size(std::lround(axes.width * 16), std::lround(axes.height * 16)), angle_deg, 0, 360,
              255, thickness, cv::LINE_AA, 4);
}

double AngleDeg(const Geom& g) { return std::atan2(g.u.y, g.u.x) * 180 / kPi; }

}  // namespace

void DrawGlasses(Scene& sc, const Geom& g, Lens lens, std::mt19937& rng) {
  cv::Size sz = sc.img.size();
  double ang = AngleDeg(g);
  double iod = cv::norm(g.re - g.le);
  cv::Size2f axes(iod * 0.42, iod * 0.30);
  cv::Point2f drop = g.n * float(iod * 0.04);
  cv::Point2f lc = g.le + drop, rc = g.re + drop;
  if (lens == Lens::kTinted || lens == Lens::kBrownTint) {
    auto cov = Coverage(sz, [&](cv::Mat1b& m) {
      Ellipse(m, lc, axes, ang, -1);
      Ellipse(m, rc, axes, ang, -1);
    }, 0.6);
    const bool brown = lens == Lens::kBrownTint;
    cov *= brown ? 0.7f : 0.88f;
    const cv::Vec3f color = brown ? cv::Vec3f(30, 52, 80) : cv::Vec3f(28, 26, 24);
    sc.Paint(cov, [&](int, int) { return color; });
  }
  float frame_t = std::max(2.f, float(iod * 0.035));
  auto frame = Coverage(sz, [&](cv::Mat1b& m) {
    int t = std::lround(frame_t);
    Ellipse(m, lc, axes, ang, t);
    Ellipse(m, rc, axes, ang, t);
    // bridge and temples
    cv::Point2f bl = lc + g.u * axes.width - g.n * float(axes.height * 0.35);
    cv::Point2f br = rc - g.u * axes.width - g.n * float(axes.height * 0.35);
    cv::polylines(m, std::vector<std::vector<cv::Point>>{Poly({bl, (bl + br) * 0.5f - g.n * float(iod * 0.03), br})},
                  false, 255, t, cv::LINE_AA, 4);
    cv::Point2f tl = lc - g.u * axes.width - g.n * float(axes.height * 0.3);
    cv::Point2f tr = rc + g.u * axes.width - g.n * float(axes.height * 0.3);
    cv::polylines(m, std::vector<std::vector<cv::Point>>{Poly({tl, tl - g.u * float(g.fw * 0.05)})}, false, 255, t,
                  cv::LINE_AA, 4);
    cv::polylines(m, std::vector<std::vector<cv::Point>>{Poly({tr, tr + g.u * float(g.fw * 0.05)})}, false, 255, t,
                  cv::LINE_AA, 4);
  });
  sc.Paint(frame, [](int, int) { return cv::Vec3f(22, 22, 26); });
  if (lens == Lens::kGlare) {
    std::uniform_real_distribution<float> jit(-0.08f, 0.08f);
    for (cv::Point2f c : {lc, rc}) {
      // a larger blob in the upper outer part of the lens and a small one below
      float side = c == lc ? -1.f : 1.f;
      cv::Point2f b1 = c + g.u * float(side * iod * (0.16 + jit(rng))) - g.n * float(iod * (0.13 + jit(rng)));
      cv::Point2f b2 = c - g.u * float(side * iod * (0.12 + jit(rng))) + g.n * float(iod * 0.14);
      auto cov = Coverage(sz, [&](cv::Mat1b& m) {
        Ellipse(m, b1, cv::Size2f(iod * 0.13, iod * 0.06), ang - 25 * side, -1);
        Ellipse(m, b2, cv::Size2f(iod * 0.06, iod * 0.035), ang - 25 * side, -1);
      }, 1.0);
      cov *= 1.6f;
      cv::min(cov, 1.f, cov);
      sc.Paint(cov, [](int, int) { return cv::Vec3f(255, 255, 255); });
    }
  }
}

void DrawHat(Scene& sc, const Geom& g, cv::Vec3f color) {
  cv::Size sz = sc.img.size();
  double ang = AngleDeg(g);
  double brim_down = -0.24;  // eyebrows are ~0.12 fw above the eye line
  cv::Point2f brim = g.At(0, brim_down);
  double top_up = (g.mid.y - g.head_top) / g.fw + 0.03;  // crown rises a little above the hair
  cv::Point2f crown_c = g.At(0, brim_down);
  auto cov = Coverage(sz, [&](cv::Mat1b& m) {
    // crown: upper half-ellipse from the brim line
    cv::ellipse(m, cv::Point(std::lround(crown_c.x * 16), std::lround(crown_c.y * 16)),
                cv::Size(std::lround(g.fw * 0.70 * 16), std::lround((top_up + brim_down) * g.fw * 16)), ang, 180,
                360, 255, -1, cv::LINE_AA, 4);
    // brim: flat ellipse
    Ellipse(m, brim, cv::Size2f(g.fw * 0.86, g.fw * 0.07), ang, -1);
  }, 0.7);
  sc.Paint(cov, [&](int x, int y) {
    double down = (cv::Point2f(x, y) - g.mid).dot(g.n) / g.fw;
    float shade = float(0.85 + 0.25 * std::clamp((down - brim_down + 0.6) / 0.6, 0.0, 1.0));
    return color * shade;
  });
}

namespace {

cv::Vec3f HairColor(const Layer& l) {
  cv::Mat1b band(l.alpha.size(), uchar(0));
  int y0 = std::max(0, int(l.g.head_top + 0.06 * l.g.fw)), y1 = std::max(y0 + 1, int(l.g.head_top + 0.2 * l.g.fw));
  int x0 = std::max(0, int(l.g.mid.x - 0.2 * l.g.fw)), x1 = std::min(l.alpha.cols, int(l.g.mid.x + 0.2 * l.g.fw));
  band(cv::Rect(x0, y0, x1 - x0, std::min(y1, l.alpha.rows) - y0)).setTo(255);
  band &= l.alpha > 0.95f;
  // the darker half: hair body rather than highlights
  std::vector<float> lum;
  for (int y = 0; y < band.rows; ++y)
    for (int x = 0; x < band.cols; ++x)
      if (band(y, x)) lum.push_back(0.114f * l.fg(y, x)[0] + 0.587f * l.fg(y, x)[1] + 0.299f * l.fg(y, x)[2]);
  if (lum.empty()) return cv::Vec3f(40, 50, 70);
  std::nth_element(lum.begin(), lum.begin() + lum.size() / 2, lum.end());
  float med = lum[lum.size() / 2];
  for (int y = 0; y < band.rows; ++y)
    for (int x = 0; x < band.cols; ++x)
      if (band(y, x) && 0.114f * l.fg(y, x)[0] + 0.587f * l.fg(y, x)[1] + 0.299f * l.fg(y, x)[2] > med) band(y, x) = 0;
  return MedianColor(l.fg, band);
}

}  // namespace

void DrawBun(Scene& sc, const Layer& l, double rise, std::mt19937& rng) {
  const Geom& g = l.g;
  cv::Vec3f hair = HairColor(l);
  double ry = g.fw * rise * 0.75, rx = g.fw * 0.26;
  cv::Point2f c(g.mid.x, g.head_top - g.fw * rise + ry);
  auto cov = Coverage(sc.img.size(), [&](cv::Mat1b& m) { Ellipse(m, c, cv::Size2f(rx, ry), 0, -1); }, 0.8);
  // wound hair: concentric arcs, some darker, some lighter
  cv::Mat1f shade(sc.img.size(), 0.f);
  std::uniform_real_distribution<float> u(0, 1);
  for (int i = 0; i < 70; ++i) {
    float r = 0.15f + 0.85f * u(rng);
    cv::Point2f off(float((u(rng) - 0.5) * rx * 0.2), float((u(rng) - 0.5) * ry * 0.2));
    float start = 360 * u(rng), span = 40 + 80 * u(rng);
    float v = u(rng) < 0.6f ? -1.f : 1.f;
    cv::ellipse(shade, c + off, cv::Size(std::max(1.0, rx * r), std::max(1.0, ry * r)), 0, start, start + span, v, 1,
                cv::LINE_AA);
  }
  cv::GaussianBlur(shade, shade, cv::Size(0, 0), 0.8);
  sc.Paint(cov, [&](int x, int y) {
    double dx = (x - c.x) / rx, dy = (y - c.y) / ry;
    double r2 = std::min(1.0, dx * dx + dy * dy);
    float f = float(1.1 - 0.3 * r2 - 0.1 * dy) * (1.f + 0.18f * std::clamp(shade(y, x), -1.f, 1.f));
    return hair * f;
  });
}

void DrawEarrings(Scene& sc, const Person& p, const Layer& l, bool gold, double diameter) {
  const Lobes* lobes = FindLobes(p.spec->id);
  if (!lobes) Die(std::string("no earlobes measured for ") + p.spec->id);
  const double r = diameter / 2;
  for (cv::Point2f lobe : {lobes->l, lobes->r}) {
    if (lobe == cv::Point2f(0, 0)) continue;
    DrawStud(sc, Apply(l.g.m, lobe + p.offset) + l.g.n * float(r * 0.8), gold, diameter);
  }
}

void DrawStud(Scene& sc, cv::Point2f c, bool gold, double diameter) {
  const cv::Vec3f base = gold ? cv::Vec3f(40, 175, 225) : cv::Vec3f(205, 205, 210);
  const double r = diameter / 2;
  auto cov = Coverage(sc.img.size(), [&](cv::Mat1b& m) { Ellipse(m, c, cv::Size2f(r, r), 0, -1); }, 0.5);
  sc.Paint(cov, [&](int x, int y) {
    double dx = (x - c.x + r * 0.35) / r, dy = (y - c.y + r * 0.35) / r;
    float hl = float(std::exp(-(dx * dx + dy * dy) * 3));  // highlight
    cv::Vec3f col = base * float(0.75 + 0.25 * (1 - hl)) + cv::Vec3f(255, 255, 255) * hl;
    for (int k = 0; k < 3; ++k) col[k] = std::min(col[k], 255.f);
    return col;
  });
}

void DrawNecklace(Scene& sc, const Geom& g, bool gold) {
  cv::Vec3f col = gold ? cv::Vec3f(60, 190, 235) : cv::Vec3f(225, 225, 230);
  double chin = g.chin_per_fw;
  std::vector<cv::Point2f> pts;
  for (double t = -1; t <= 1.0001; t += 0.02) {
    double along = t * 0.30, down = chin + 0.10 + 0.32 * (1 - t * t);
    pts.push_back(g.At(along, down));
  }
  auto cov = Coverage(sc.img.size(), [&](cv::Mat1b& m) {
    cv::polylines(m, std::vector<std::vector<cv::Point>>{Poly(pts)}, false, 255, 2, cv::LINE_AA, 4);
    // beads every few pixels make it read as a chain
    for (size_t i = 0; i < pts.size(); i += 2) Ellipse(m, pts[i], cv::Size2f(2.2f, 2.2f), 0, -1);
  });
  sc.Paint(cov, [&](int, int) { return col; });
}

namespace {

// The person's outline on row y, on one side (-1: image-left): the outermost
// column whose coverage is at least half; -1 when the row has none.
int OutlineX(const cv::Mat1f& alpha, int y, int side) {
  if (y < 0 || y >= alpha.rows) return -1;
  if (side < 0) {
    for (int x = 0; x < alpha.cols; ++x)
      if (alpha(y, x) >= 0.5f) return x;
  } else {
    for (int x = alpha.cols - 1; x >= 0; --x)
      if (alpha(y, x) >= 0.5f) return x;
  }
  return -1;
}

}  // namespace

bool DrawHairClip(Scene& sc, const Layer& l, int side, cv::Vec3f colour) {
  const Geom& g = l.g;
  const double eyes_y = g.mid.y;
  const int y = int(std::lround(g.head_top + 0.3 * (eyes_y - g.head_top)));
  const int edge = OutlineX(l.alpha, y, side);
  if (edge < 0) return false;
  const cv::Point2f c(float(edge - side * 0.14 * g.fw), float(y));
  const cv::Size2f half(float(0.075 * g.fw), float(0.022 * g.fw));
  const double angle = side < 0 ? -35 : 35;  // along the hair, down toward the temple
  auto cov = Coverage(sc.img.size(), [&](cv::Mat1b& m) { Ellipse(m, c, half, angle, -1); }, 0.6);
  sc.Paint(cov, [&](int x, int yy) {
    // a moulded bar: lit along its upper edge
    const double t = ((yy - c.y) / half.height + 1) / 2;
    return colour * float(1.1 - 0.3 * std::clamp(t, 0.0, 1.0));
  });
  return true;
}

bool DrawHairband(Scene& sc, const Layer& l, cv::Vec3f colour) {
  const Geom& g = l.g;
  const double eyes_y = g.mid.y;
  const double inset = 0.07 * g.fw;
  // Over the crown from one temple to the other, following the outline inside
  // it, down to 0.45 of the way from the top of the head to the eyes.
  const int top = int(std::ceil(g.head_top + inset)), bottom = int(g.head_top + 0.45 * (eyes_y - g.head_top));
  std::vector<cv::Point2f> left, right;
  for (int y = top; y <= bottom; ++y) {
    const int a = OutlineX(l.alpha, y, -1), b = OutlineX(l.alpha, y, 1);
    if (a < 0 || b < 0 || b - a < 4 * inset) continue;
    left.push_back(cv::Point2f(float(a + inset), float(y)));
    right.push_back(cv::Point2f(float(b - inset), float(y)));
  }
  if (left.size() < 5) return false;
  std::vector<cv::Point2f> path(left.rbegin(), left.rend());
  path.insert(path.end(), right.begin(), right.end());
  const int thickness = std::max(3, int(std::lround(0.045 * g.fw)));
  auto cov = Coverage(sc.img.size(), [&](cv::Mat1b& m) {
    cv::polylines(m, std::vector<std::vector<cv::Point>>{Poly(path)}, false, 255, thickness, cv::LINE_AA, 4);
  }, 0.6);
  sc.Paint(cov, [&](int, int) { return colour; });
  return true;
}

}  // namespace gradcap::corpus_maker
