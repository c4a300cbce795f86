// Face detection and cutting a person out of a source photograph: chroma key
// for the blue-screen franck frames, grabCut for the others. The cut-out is
// padded so that the clothing continues past the source's edges.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tests/photos/corpus_maker.h"

namespace gradcap::corpus_maker {

// ---------------------------------------------------------------- detection

Detector::Detector(const std::string& dir) {
  if (!face.load(dir + "/haarcascade_frontalface_alt2.xml") ||
      !eye.load(dir + "/haarcascade_eye.xml") ||
      !eye_glasses.load(dir + "/haarcascade_eye_tree_eyeglasses.xml"))
    Die("cannot load Haar cascades from " + dir);
}

cv::Mat1b Detector::Gray(const cv::Mat3b& img) {
  cv::Mat1b g;
  cv::cvtColor(img, g, cv::COLOR_BGR2GRAY);
  cv::equalizeHist(g, g);
  return g;
}

std::vector<cv::Rect> Detector::Faces(const cv::Mat3b& img) {
  std::vector<cv::Rect> fs;
  int min = std::max(24, std::min(img.cols, img.rows) / 6);
  face.detectMultiScale(Gray(img), fs, 1.05, 4, 0, cv::Size(min, min));
  std::sort(fs.begin(), fs.end(), [](const cv::Rect& a, const cv::Rect& b) {
    return a.area() != b.area() ? a.area() > b.area() : (a.x != b.x ? a.x < b.x : a.y < b.y);
  });
  return fs;
}

std::pair<cv::Point2f, cv::Point2f> Detector::Eyes(const cv::Mat3b& img, const cv::Rect& f) {
  cv::Rect up = cv::Rect(f.x, f.y + f.height / 8, f.width, f.height / 2) & cv::Rect(0, 0, img.cols, img.rows);
  cv::Mat1b g = Gray(img)(up).clone();
  std::vector<cv::Rect> es;
  cv::Size mn(f.width * 0.12, f.width * 0.12), mx(f.width * 0.35, f.width * 0.35);
  eye.detectMultiScale(g, es, 1.05, 3, 0, mn, mx);
  if (es.size() < 2) eye_glasses.detectMultiScale(g, es, 1.05, 3, 0, mn, mx);
  cv::Point2f l(0, 0), r(0, 0);
  float lbest = 1e9f, rbest = 1e9f, cx = f.x + f.width / 2.f;
  for (auto& e : es) {
    cv::Point2f c(up.x + e.x + e.width / 2.f, up.y + e.y + e.height / 2.f);
    // Prefer candidates near the canonical eye positions of a Haar face box.
    cv::Point2f want(c.x < cx ? f.x + 0.3f * f.width : f.x + 0.7f * f.width, f.y + 0.38f * f.height);
    float d = cv::norm(c - want);
    if (c.x < cx && d < lbest) lbest = d, l = c;
    if (c.x >= cx && d < rbest) rbest = d, r = c;
  }
  return {l, r};
}

// ---------------------------------------------------------------- cut-out

namespace {

// Largest connected component of `hard` that touches the bottom row, holes filled.
cv::Mat1b BodyComponent(const cv::Mat1b& hard) {
  cv::Mat1i lab;
  cv::Mat stats, cent;
  int n = cv::connectedComponentsWithStats(hard, lab, stats, cent, 8, CV_32S);
  int best = -1, best_area = 0;
  for (int i = 1; i < n; ++i) {
    bool bottom = false;
    for (int x = 0; x < hard.cols && !bottom; ++x) bottom = lab(hard.rows - 1, x) == i;
    int area = stats.at<int>(i, cv::CC_STAT_AREA);
    if (bottom && area > best_area) best = i, best_area = area;
  }
  if (best < 0) Die("no person touching the bottom edge");
  cv::Mat1b body = (lab == best);
  // Fill holes: background is what a flood from the border reaches.
  cv::Mat1b inv = 255 - body, pad;
  cv::copyMakeBorder(inv, pad, 1, 1, 1, 1, cv::BORDER_CONSTANT, 255);
  cv::floodFill(pad, cv::Point(0, 0), 128);
  cv::Mat1b outside = pad(cv::Rect(1, 1, body.cols, body.rows)) == 128;
  return cv::Mat1b(255 - outside);
}

// Blue-screen key for the franck frames: key = B - max(G, R) is ~110-125 on the
// screen and below ~30 on the man. Colour is un-mixed against the local screen
// colour, then blue spill is clamped (B <= max(G, R)).
void ChromaKey(const cv::Mat3b& src, cv::Mat3f& fg, cv::Mat1f& alpha) {
  cv::Mat3f f;
  src.convertTo(f, CV_32F);
  cv::Mat1f key(src.size());
  for (int y = 0; y < f.rows; ++y)
    for (int x = 0; x < f.cols; ++x) {
      auto v = f(y, x);
      key(y, x) = v[0] - std::max(v[1], v[2]);
    }
  const float kBg = 95, kFg = 35;
  alpha = cv::Mat1f(src.size());
  for (int y = 0; y < f.rows; ++y)
    for (int x = 0; x < f.cols; ++x) alpha(y, x) = std::clamp((kBg - key(y, x)) / (kBg - kFg), 0.f, 1.f);
  cv::Mat1b hard = alpha > 0.5f;
  cv::morphologyEx(hard, hard, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
  cv::Mat1b body = BodyComponent(hard);  // drops the black object at the left edge
  cv::Mat1b near, core;
  cv::dilate(body, near, cv::getStructuringElement(cv::MORPH_ELLIPSE, {7, 7}));
  cv::erode(body, core, cv::getStructuringElement(cv::MORPH_ELLIPSE, {9, 9}));
  for (int y = 0; y < f.rows; ++y)
    for (int x = 0; x < f.cols; ++x) {
      if (!near(y, x)) alpha(y, x) = 0;
      if (core(y, x)) alpha(y, x) = 1;
    }
  cv::GaussianBlur(alpha, alpha, cv::Size(0, 0), 0.7);
  // Local screen colour: average of sure-screen pixels nearby.
  cv::Mat1f screen;
  cv::Mat(key > 90.f).convertTo(screen, CV_32F, 1 / 255.0);
  cv::Mat3f sc;
  cv::Mat screen3;
  cv::merge(std::vector<cv::Mat>{screen, screen, screen}, screen3);
  cv::multiply(f, screen3, sc);
  cv::Mat3f scb;
  cv::Mat1f wb;
  cv::blur(sc, scb, cv::Size(81, 81));
  cv::blur(screen, wb, cv::Size(81, 81));
  cv::Vec3f global = MedianColor(src, key > 90.f);
  fg = cv::Mat3f(src.size());
  for (int y = 0; y < f.rows; ++y)
    for (int x = 0; x < f.cols; ++x) {
      float a = alpha(y, x);
      cv::Vec3f bg = wb(y, x) > 0.02f ? scb(y, x) / wb(y, x) : global;
      cv::Vec3f c = f(y, x);
      if (a > 0.05f && a < 1.f) c = (c - (1 - a) * bg) / a;
      for (int k = 0; k < 3; ++k) c[k] = std::clamp(c[k], 0.f, 255.f);
      c[0] = std::min(c[0], std::max(c[1], c[2]));  // despill
      fg(y, x) = c;
    }
}

// grabCut from the face box: probable person = a head ellipse around the face
// box plus a torso widening down to the bottom edge; face and chest cores are
// sure person; the top edge, the side edges above the shoulders and any
// hand-marked rectangles are sure background.
// With a hand-traced outline: inside it (less a band) is sure person, outside
// (plus the band) sure background, the band either way — the tracing is good
// to a few pixels; grabCut finds the hair's edge within them.
cv::Mat1b OutlineMask(const cv::Mat3b& src, const std::vector<cv::Point>& outline, int band) {
  cv::Mat1b inside(src.size(), uchar(0));
  cv::fillPoly(inside, std::vector<std::vector<cv::Point>>{outline}, 255);
  cv::Mat1b core, near;
  const cv::Mat k = cv::getStructuringElement(cv::MORPH_ELLIPSE, {2 * band + 1, 2 * band + 1});
  cv::erode(inside, core, k);
  cv::dilate(inside, near, k);
  cv::Mat1b mask(src.size(), cv::GC_BGD);
  mask.setTo(cv::GC_PR_BGD, near);
  mask.setTo(cv::GC_PR_FGD, inside);
  mask.setTo(cv::GC_FGD, core);
  return mask;
}

void GrabCutPerson(const cv::Mat3b& src, const cv::Rect& face, const std::vector<cv::Rect>& bg_hints,
                   const std::vector<cv::Point>& outline, cv::Mat3f& fg, cv::Mat1f& alpha) {
  cv::Rect all(0, 0, src.cols, src.rows);
  cv::Mat1b mask(src.size(), cv::GC_PR_BGD);
  if (!outline.empty()) {
    mask = OutlineMask(src, outline, std::max(3, face.width / 14));
  } else {
  auto fill = [&](cv::Rect r, int v) { mask(r & all).setTo(v); };
  double fx = face.x, fy = face.y, w = face.width, h = face.height;
  cv::ellipse(mask, cv::Point(fx + 0.5 * w, fy + 0.42 * h), cv::Size(0.66 * w, 0.88 * h), 0, 0, 360,
              cv::GC_PR_FGD, -1);
  std::vector<cv::Point> torso = {{int(fx + 0.1 * w), int(fy + 0.95 * h)}, {int(fx + 0.9 * w), int(fy + 0.95 * h)},
                                  {int(fx + 1.9 * w), int(fy + 1.6 * h)},  {int(fx + 1.9 * w), src.rows},
                                  {int(fx - 0.9 * w), src.rows},           {int(fx - 0.9 * w), int(fy + 1.6 * h)}};
  cv::fillConvexPoly(mask, torso, cv::GC_PR_FGD);
  cv::ellipse(mask, cv::Point(fx + 0.5 * w, fy + 0.55 * h), cv::Size(0.3 * w, 0.38 * h), 0, 0, 360, cv::GC_FGD, -1);
  fill(cv::Rect(fx + 0.25 * w, fy + 1.25 * h, 0.5 * w, src.rows), cv::GC_FGD);
  fill(cv::Rect(0, 0, src.cols, 2), cv::GC_BGD);
  fill(cv::Rect(0, 0, 3, fy + 0.9 * h), cv::GC_BGD);
  fill(cv::Rect(src.cols - 3, 0, 3, fy + 0.9 * h), cv::GC_BGD);
  }
  // Hand-marked background, with an outline too (a neighbour's face at the
  // frame's edge, inside the outline's band).
  for (const auto& r : bg_hints) mask(r & all).setTo(cv::GC_BGD);
  cv::Mat bgd, fgd;
  cv::setRNGSeed(7);
  cv::grabCut(src, mask, cv::Rect(), bgd, fgd, 6, cv::GC_INIT_WITH_MASK);
  cv::Mat1b hard = (mask == cv::GC_FGD) | (mask == cv::GC_PR_FGD);
  cv::morphologyEx(hard, hard, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
  cv::morphologyEx(hard, hard, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
  cv::Mat1b body = BodyComponent(hard);
  body.convertTo(alpha, CV_32F, 1 / 255.0);
  cv::GaussianBlur(alpha, alpha, cv::Size(0, 0), 1.0);
  src.convertTo(fg, CV_32F);
  // The cut's edge pixels still carry the old background (a dark room leaves
  // a dark rim around an earlobe or a jaw, which no photo taken before the
  // blue backdrop has): within 2 px of the edge the colour is taken from the
  // nearest pixel further inside.
  cv::Mat1b inner;
  cv::erode(body, inner, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
  if (cv::countNonZero(inner) == 0) return;  // nothing inside to take colours from
  cv::Mat dist, label;
  cv::distanceTransform(~inner, dist, label, cv::DIST_L2, cv::DIST_MASK_5, cv::DIST_LABEL_PIXEL);
  std::vector<cv::Point> at(inner.total() + 1);
  for (int y = 0; y < inner.rows; ++y)
    for (int x = 0; x < inner.cols; ++x)
      if (inner(y, x)) at[label.at<int>(y, x)] = {x, y};
  for (int y = 0; y < inner.rows; ++y)
    for (int x = 0; x < inner.cols; ++x)
      if (!inner(y, x) && alpha(y, x) > 0) fg(y, x) = fg(at[label.at<int>(y, x)]);
}

}  // namespace

Person MakePerson(const SourceSpec& spec, const std::string& sources, Detector& det,
                  const std::string& debug) {
  std::string path = sources + "/" + spec.path;
  cv::Mat3b src = cv::imread(path, cv::IMREAD_COLOR);
  if (src.empty()) Die("cannot read " + path);
  if (spec.crop.area() > 0) {
    if ((spec.crop & cv::Rect(0, 0, src.cols, src.rows)) != spec.crop) Die(std::string("crop outside ") + spec.path);
    src = src(spec.crop).clone();
  }
  auto faces = det.Faces(src);
  if (faces.empty()) Die(std::string("no face found in ") + spec.path);
  const cv::Rect face = faces[0];
  auto [hl, hr] = det.Eyes(src, face);
  Person p;
  p.spec = &spec;
  p.le = spec.le;
  p.re = spec.re;
  if (p.le == cv::Point2f(0, 0)) {
    if (hl == cv::Point2f(0, 0) || hr == cv::Point2f(0, 0)) Die(std::string("no eyes in ") + spec.path);
    p.le = hl, p.re = hr;
  }
  if (!debug.empty())
    std::printf("%-14s face %d,%d %dx%d  eyes hand (%.0f,%.0f) (%.0f,%.0f)  haar (%.0f,%.0f) (%.0f,%.0f)\n",
                spec.id, face.x, face.y, face.width, face.height, p.le.x, p.le.y, p.re.x, p.re.y,
                hl.x, hl.y, hr.x, hr.y);
  cv::Mat3f fg;
  cv::Mat1f alpha;
  if (spec.seg == Seg::kChroma) ChromaKey(src, fg, alpha);
  else GrabCutPerson(src, face, spec.bg_hints, spec.outline, fg, alpha);
  if (spec.close_top) {
    alpha.row(0).setTo(0.f);
    alpha.row(1).setTo(0.f);
    alpha.row(2) *= 0.5f;
  }
  p.fw = spec.fw_per_iod * cv::norm(p.re - p.le);

  // Continue the clothing past the source edges: clothing colour (median of the
  // bottom rows) with a little noise; the last rows/columns of the body fade into it.
  // The colour is taken at the outer parts of the bottom rows (shoulders, not
  // the collar or shirt front).
  float eye_x = (p.le.x + p.re.x) / 2, eye_y = (p.le.y + p.re.y) / 2, body_y = eye_y + 0.9f * p.fw;
  cv::Mat1b bottom(src.size(), uchar(0));
  for (int y = src.rows * 92 / 100; y < src.rows; ++y)
    for (int x = 0; x < src.cols; ++x)
      bottom(y, x) = alpha(y, x) > 0.9f && std::fabs(x - eye_x) > 0.45f * p.fw ? 255 : 0;
  if (cv::countNonZero(bottom) < 200) bottom(cv::Rect(0, src.rows * 92 / 100, src.cols, src.rows - src.rows * 92 / 100)) = 255;
  if (spec.cloth_hint.area() > 0) {
    bottom.setTo(0);
    bottom(spec.cloth_hint & cv::Rect(0, 0, src.cols, src.rows)) = 255;
  }
  cv::Vec3f cloth = MedianColor(fg, bottom);
  const int kFade = 56;
  for (int y = 0; y < fg.rows; ++y)
    for (int x = 0; x < fg.cols; ++x) {
      if (y < body_y) continue;
      int d = std::min({fg.rows - 1 - y, x, fg.cols - 1 - x});
      if (d >= kFade) continue;
      float t = 1 - d / float(kFade), w = t * t * (3 - 2 * t);
      fg(y, x) = fg(y, x) * (1 - w) + cloth * w;
    }
  int pt = src.rows * 3 / 10, pb = src.rows, ps = src.cols * 6 / 10;
  cv::copyMakeBorder(alpha, p.alpha, pt, pb, ps, ps, cv::BORDER_REPLICATE);
  // Past the side edges the body's outline keeps going down and out (a
  // shoulder slope of 1:2) instead of running out horizontally.
  {
    cv::Mat1f edge_l = p.alpha.col(ps).clone(), edge_r = p.alpha.col(ps + src.cols - 1).clone();
    for (int y = 0; y < p.alpha.rows; ++y)
      for (int k = 1; k <= ps; ++k) {
        float sy = y - 0.5f * k;
        int y0 = int(std::floor(sy));
        float t = sy - y0;
        auto at = [&](const cv::Mat1f& e, int yy) { return yy < 0 ? 0.f : e(std::min(yy, e.rows - 1), 0); };
        p.alpha(y, ps - k) = at(edge_l, y0) * (1 - t) + at(edge_l, y0 + 1) * t;
        p.alpha(y, ps + src.cols - 1 + k) = at(edge_r, y0) * (1 - t) + at(edge_r, y0 + 1) * t;
      }
  }
  // Below the source the body widens like shoulders do (0.8 px per row)
  // instead of going straight down from where the bottom edge cut it.
  {
    const int W = p.alpha.cols, last = pt + src.rows - 1;
    std::vector<float> dist(W, 1e9f);
    for (int x = 0, d = 1 << 20; x < W; ++x) {
      d = p.alpha(last, x) >= 0.5f ? 0 : d + 1;
      dist[x] = d;
    }
    for (int x = W - 1, d = 1 << 20; x >= 0; --x) {
      d = p.alpha(last, x) >= 0.5f ? 0 : d + 1;
      dist[x] = std::min(dist[x], float(d));
    }
    for (int y = last + 1; y < p.alpha.rows; ++y)
      for (int x = 0; x < W; ++x)
        p.alpha(y, x) = std::max(p.alpha(y, x), std::clamp(0.8f * (y - last) - dist[x] + 0.5f, 0.f, 1.f));
  }
  cv::copyMakeBorder(fg, p.fg, pt, pb, ps, ps, cv::BORDER_CONSTANT, cloth);
  cv::Mat3f noise(p.fg.size());
  cv::RNG rng(1234);
  rng.fill(noise, cv::RNG::NORMAL, 0, 2.0);
  cv::Mat1b inner(p.fg.size(), uchar(255));
  inner(cv::Rect(ps, pt, src.cols, src.rows)).setTo(0);
  cv::add(p.fg, noise, p.fg, inner);
  p.offset = cv::Point2f(ps, pt);
  p.le += p.offset;
  p.re += p.offset;

  p.appearance.Apply(kDefaultAppearance);
  p.appearance.Apply(spec.labels);

  if (!debug.empty()) {
    cv::Mat3f grey(p.fg.size(), cv::Vec3f(128, 128, 128)), out(p.fg.size());
    for (int y = 0; y < out.rows; ++y)
      for (int x = 0; x < out.cols; ++x) out(y, x) = p.fg(y, x) * p.alpha(y, x) + grey(y, x) * (1 - p.alpha(y, x));
    cv::Mat3b o8;
    out.convertTo(o8, CV_8U);
    cv::circle(o8, p.le, 3, {0, 0, 255}, -1);
    cv::circle(o8, p.re, 3, {0, 0, 255}, -1);
    cv::imwrite(debug + "/cut_" + spec.id + ".png", o8);
  }
  return p;
}

}  // namespace gradcap::corpus_maker
