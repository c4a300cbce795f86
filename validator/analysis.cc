#include "validator/analysis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace gradcap::validator {
namespace {

// Nose-tip drop below the eye line / eye distance of a frontal face (calibrated on the corpus).
constexpr double kFrontalNoseDrop = 0.6;

// The camera's grain: how far L* strays from the mean of its four
// neighbours on the flat backdrop (pixels whose whole 3 × 3 neighbourhood is
// backdrop), as a robust σ (1.4826 × the median absolute difference, over
// √1.25 for the neighbours' own share). Lighting gradients and the person's
// edge do not enter it; 0 when too little backdrop shows.
double Grain(const cv::Mat& lab, const cv::Mat& background) {
  cv::Mat inner;
  cv::erode(background, inner, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  std::vector<float> d;
  d.reserve(cv::countNonZero(inner));
  for (int y = 1; y + 1 < lab.rows; ++y) {
    const uint8_t* m = inner.ptr<uint8_t>(y);
    const cv::Vec3f *up = lab.ptr<cv::Vec3f>(y - 1), *row = lab.ptr<cv::Vec3f>(y), *down = lab.ptr<cv::Vec3f>(y + 1);
    for (int x = 1; x + 1 < lab.cols; ++x) {
      if (!m[x]) continue;
      d.push_back(std::abs(row[x][0] - 0.25f * (up[x][0] + down[x][0] + row[x - 1][0] + row[x + 1][0])));
    }
  }
  if (d.size() < 1000) return 0;
  std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
  return 1.4826 * d[d.size() / 2] / std::sqrt(1.25);
}

// Background: pixels near the colour of the top and side borders, or reached
// from them by a flood fill that follows slow gradients, kept only where
// connected to the top, left or right edge. Everything else is foreground.
void Segment(Analysis& a) {
  const int w = a.bgr.cols, h = a.bgr.rows;
  cv::Mat sample = cv::Mat::zeros(h, w, CV_8U);
  sample(cv::Rect(0, 0, w, std::max(2, h / 25))).setTo(255);
  sample(cv::Rect(0, 0, std::max(2, w / 20), h / 2)).setTo(255);
  sample(cv::Rect(w - std::max(2, w / 20), 0, std::max(2, w / 20), h / 2)).setTo(255);
  const cv::Vec3f border = MedianLab(a.lab, sample);

  // Near the border colour: background for sure (ΔE < 18); within reach of
  // the flood fill that follows slow gradients (ΔE < 30); beyond: never
  // background, so a blurred edge cannot carry the fill into the person.
  cv::Mat candidate(h, w, CV_8U);
  cv::Mat fill = cv::Mat::zeros(h + 2, w + 2, CV_8U);
  for (int y = 0; y < h; ++y) {
    const cv::Vec3f* l = a.lab.ptr<cv::Vec3f>(y);
    uint8_t* c = candidate.ptr<uint8_t>(y);
    uint8_t* barrier = fill.ptr<uint8_t>(y + 1) + 1;
    for (int x = 0; x < w; ++x) {
      const double de = DeltaE76(l[x], border);
      c[x] = de < 18 ? 255 : 0;
      barrier[x] = de < 30 ? 0 : 1;
    }
  }
  cv::Mat blurred;
  cv::GaussianBlur(a.bgr, blurred, {5, 5}, 0);
  auto seed = [&](int x, int y) {
    if (candidate.at<uint8_t>(y, x) && !fill.at<uint8_t>(y + 1, x + 1)) {
      cv::floodFill(blurred, fill, {x, y}, {}, nullptr, cv::Scalar::all(3), cv::Scalar::all(3),
                    8 | cv::FLOODFILL_MASK_ONLY | (255 << 8));
    }
  };
  for (int x = 0; x < w; x += 8) seed(x, 0);
  for (int y = 0; y < h * 6 / 10; y += 8) {
    seed(0, y);
    seed(w - 1, y);
  }
  fill = fill == 255;
  cv::Mat combined = candidate | fill(cv::Rect(1, 1, w, h));

  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(combined, labels, stats, centroids, 4);
  std::vector<uint8_t> keep(n, 0);
  for (int i = 1; i < n; ++i) {
    const int x0 = stats.at<int>(i, cv::CC_STAT_LEFT), y0 = stats.at<int>(i, cv::CC_STAT_TOP);
    const int x1 = x0 + stats.at<int>(i, cv::CC_STAT_WIDTH), y1 = y0 + stats.at<int>(i, cv::CC_STAT_HEIGHT);
    keep[i] = (y0 == 0 || x0 == 0 || x1 == w) && stats.at<int>(i, cv::CC_STAT_AREA) > 50 ? 255 : 0;
    (void)y1;
  }
  a.background = cv::Mat::zeros(h, w, CV_8U);
  for (int y = 0; y < h; ++y) {
    const int* lab = labels.ptr<int>(y);
    uint8_t* b = a.background.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) b[x] = keep[lab[x]];
  }
  a.background_fraction = cv::countNonZero(a.background) / double(w * h);
  a.background_lab = a.background_fraction > 0.01 ? MedianLab(a.lab, a.background) : border;
  a.grain = Grain(a.lab, a.background);

  // The person: the foreground blob under the face (or the largest one).
  cv::Mat fg = ~a.background;
  cv::morphologyEx(fg, fg, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
  const int m = cv::connectedComponentsWithStats(fg, labels, stats, centroids, 8);
  int main_label = 0;
  if (a.face()) {
    const cv::Point c(std::clamp(int(a.face()->points[30].x), 0, w - 1),
                      std::clamp(int(a.face()->points[30].y), 0, h - 1));
    main_label = labels.at<int>(c);
  }
  if (main_label == 0) {
    int best = 0;
    for (int i = 1; i < m; ++i) {
      if (stats.at<int>(i, cv::CC_STAT_AREA) > best) {
        best = stats.at<int>(i, cv::CC_STAT_AREA);
        main_label = i;
      }
    }
  }
  a.person = cv::Mat::zeros(h, w, CV_8U);
  // Stray objects: other blobs of some size — above the chin. Below it, beside
  // the person, a blob is a piece of a top whose colour is near the backdrop's
  // (the split cannot join it to the person); clothing_color judges that.
  // Inside the head's own box (±0.6 face widths, a face width above the eyes
  // down to the chin) a blob is a piece of the head the split cut off — a face
  // filling the frame, blown hair — not an object on the backdrop.
  const double below = a.geo ? a.geo->chin_y : h;
  cv::Rect2d head;
  if (a.geo) {
    const FaceGeometry& g = *a.geo;
    head = cv::Rect2d(g.midline_x - 0.6 * g.face_width, g.eye_line - g.face_width, 1.2 * g.face_width,
                      g.chin_y - g.eye_line + g.face_width);
  }
  int stray = 0;
  for (int i = 1; i < m; ++i) {
    if (i == main_label || stats.at<int>(i, cv::CC_STAT_AREA) <= 30) continue;
    const cv::Point2d c(centroids.at<double>(i, 0), centroids.at<double>(i, 1));
    if (c.y > below || head.contains(c)) continue;
    stray += stats.at<int>(i, cv::CC_STAT_AREA);
  }
  if (main_label > 0) a.person = labels == main_label;
  a.stray_object_fraction = stray / double(w * h);
}

// Yaw from where the nose tip sits between the two sides of the face: with
// the sides W apart and the tip D in front of them, r = 1/2 + (D/W)·tan(yaw);
// D/W ≈ 0.68 for adult faces. Pitch from the drop of the nose tip below the
// eye line against the distance between the eyes; faces differ by about
// ±10° in that ratio, so pitch is only coarse. Both are measured in the
// frame of the eye line, so roll does not leak into them.
void HeadPose(const Face& f, FaceGeometry& g) {
  const cv::Point2f mid = (g.eye_left + g.eye_right) / 2;
  const cv::Point2f u = g.eye_right - g.eye_left;
  const double iod = std::max(1.0, cv::norm(u));
  const cv::Point2f ux = u / float(iod), uy(-ux.y, ux.x);
  auto along = [&](const cv::Point2f& p) { return (p - mid).dot(ux); };
  auto down = [&](const cv::Point2f& p) { return (p - mid).dot(uy); };
  const double left = along(f.points[0]), right = along(f.points[16]);
  const double r = (along(f.points[30]) - left) / std::max(1.0, right - left);
  g.yaw_deg = std::atan((r - 0.5) / 0.68) * 180 / kPi;
  const double q = down(f.points[30]) / iod;
  g.pitch_deg = std::asin(std::clamp((q - kFrontalNoseDrop) / 0.75, -1.0, 1.0)) * 180 / kPi;
}

int HeadTop(const Analysis& a, const FaceGeometry& g) {
  const int w = a.person.cols;
  const int x0 = std::clamp(int(g.midline_x - 0.4 * g.face_width), 0, w - 1);
  const int x1 = std::clamp(int(g.midline_x + 0.4 * g.face_width), x0 + 1, w);
  const int need = std::max(3, int(0.05 * g.face_width));
  int run = 0;
  for (int y = 0; y < std::min<int>(a.person.rows, int(g.eye_line)); ++y) {
    const int count = cv::countNonZero(a.person(cv::Range(y, y + 1), cv::Range(x0, x1)));
    run = count >= need ? run + 1 : 0;
    if (run == 2) return y - 1;
  }
  return -1;
}

}  // namespace

cv::Point2f Mean(const Face& face, int from, int to) {
  cv::Point2f s(0, 0);
  for (int i = from; i <= to; ++i) s += face.points[i];
  return s / float(to - from + 1);
}

cv::Vec3f BgrToLab(const cv::Vec3b& bgr) {
  cv::Mat px(1, 1, CV_32FC3, cv::Scalar(bgr[0] / 255.0, bgr[1] / 255.0, bgr[2] / 255.0));
  cv::cvtColor(px, px, cv::COLOR_BGR2Lab);
  return px.at<cv::Vec3f>(0, 0);
}

double DeltaE76(const cv::Vec3f& a, const cv::Vec3f& b) {
  const double dl = a[0] - b[0], da = a[1] - b[1], db = a[2] - b[2];
  return std::sqrt(dl * dl + da * da + db * db);
}

double ToSegment(const cv::Vec3f& c, const cv::Vec3f& from, const cv::Vec3f& to) {
  const cv::Vec3f d = to - from;
  const double len2 = d.dot(d);
  const double t = len2 > 0 ? std::clamp((c - from).dot(d) / len2, 0.0, 1.0) : 0.0;
  return cv::norm(c - (from + float(t) * d));
}

double DeltaE2000(const cv::Vec3f& lab1, const cv::Vec3f& lab2) {
  const double l1 = lab1[0], a1 = lab1[1], b1 = lab1[2];
  const double l2 = lab2[0], a2 = lab2[1], b2 = lab2[2];
  const double c1 = std::hypot(a1, b1), c2 = std::hypot(a2, b2);
  const double cbar = (c1 + c2) / 2;
  const double c7 = std::pow(cbar, 7);
  const double gfac = 0.5 * (1 - std::sqrt(c7 / (c7 + std::pow(25.0, 7))));
  const double a1p = (1 + gfac) * a1, a2p = (1 + gfac) * a2;
  const double c1p = std::hypot(a1p, b1), c2p = std::hypot(a2p, b2);
  auto hue = [](double b, double ap) {
    if (b == 0 && ap == 0) return 0.0;
    double h = std::atan2(b, ap) * 180 / kPi;
    return h < 0 ? h + 360 : h;
  };
  const double h1p = hue(b1, a1p), h2p = hue(b2, a2p);
  const double dlp = l2 - l1, dcp = c2p - c1p;
  double dhp = 0;
  if (c1p * c2p != 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    if (dhp < -180) dhp += 360;
  }
  const double dhp_big = 2 * std::sqrt(c1p * c2p) * std::sin(dhp * kPi / 360);
  const double lbar = (l1 + l2) / 2, cbarp = (c1p + c2p) / 2;
  double hbarp = h1p + h2p;
  if (c1p * c2p != 0) {
    if (std::abs(h1p - h2p) > 180) hbarp += (h1p + h2p < 360) ? 360 : -360;
    hbarp /= 2;
  }
  const double t = 1 - 0.17 * std::cos((hbarp - 30) * kPi / 180) + 0.24 * std::cos(2 * hbarp * kPi / 180) +
                   0.32 * std::cos((3 * hbarp + 6) * kPi / 180) - 0.20 * std::cos((4 * hbarp - 63) * kPi / 180);
  const double dtheta = 30 * std::exp(-std::pow((hbarp - 275) / 25, 2));
  const double c7p = std::pow(cbarp, 7);
  const double rc = 2 * std::sqrt(c7p / (c7p + std::pow(25.0, 7)));
  const double sl = 1 + 0.015 * std::pow(lbar - 50, 2) / std::sqrt(20 + std::pow(lbar - 50, 2));
  const double sc = 1 + 0.045 * cbarp, sh = 1 + 0.015 * cbarp * t;
  const double rt = -std::sin(2 * dtheta * kPi / 180) * rc;
  const double x = dlp / sl, y = dcp / sc, z = dhp_big / sh;
  return std::sqrt(x * x + y * y + z * z + rt * y * z);
}

cv::Vec3f MedianLab(const cv::Mat& lab, const cv::Mat& mask) {
  std::vector<float> ch[3];
  const int step = lab.total() > 60000 ? 2 : 1;
  for (int y = 0; y < lab.rows; y += step) {
    const cv::Vec3f* l = lab.ptr<cv::Vec3f>(y);
    const uint8_t* m = mask.empty() ? nullptr : mask.ptr<uint8_t>(y);
    for (int x = 0; x < lab.cols; x += step) {
      if (m && !m[x]) continue;
      for (int c = 0; c < 3; ++c) ch[c].push_back(l[x][c]);
    }
  }
  cv::Vec3f out(0, 0, 0);
  for (int c = 0; c < 3; ++c) {
    if (ch[c].empty()) return out;
    auto mid = ch[c].begin() + ch[c].size() / 2;
    std::nth_element(ch[c].begin(), mid, ch[c].end());
    out[c] = *mid;
  }
  return out;
}

cv::Mat PolygonMask(const cv::Mat& like, const Face& face, std::initializer_list<int> indices) {
  std::vector<cv::Point> poly;
  for (int i : indices) poly.emplace_back(cvRound(face.points[i].x), cvRound(face.points[i].y));
  cv::Mat mask = cv::Mat::zeros(like.rows, like.cols, CV_8U);
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(255));
  return mask;
}

Analysis Analyze(const cv::Mat& original, const FaceLandmarker& landmarker, const RuleSet& rules) {
  Analysis a;
  const double aspect = double(original.cols) / original.rows;
  const double want = double(rules.width) / rules.height;
  if (std::abs(aspect / want - 1) < 0.01) {
    a.framed = true;
    a.scale = double(rules.width) / original.cols;
  } else {
    a.scale = std::min(1.0, 800.0 / std::max(original.cols, original.rows));
  }
  if (a.scale == 1.0) {
    a.bgr = original;
  } else {
    cv::resize(original, a.bgr, {}, a.scale, a.scale, a.scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    if (a.framed) cv::resize(a.bgr, a.bgr, {rules.width, rules.height});
  }
  cv::Mat f;
  a.bgr.convertTo(f, CV_32FC3, 1.0 / 255);
  cv::cvtColor(f, a.lab, cv::COLOR_BGR2Lab);
  cv::cvtColor(a.bgr, a.gray, cv::COLOR_BGR2GRAY);

  a.faces = landmarker.Find(a.bgr, 480);
  if (a.face()) {
    const Face& fc = *a.face();
    FaceGeometry g;
    g.eye_left = Mean(fc, 36, 41);
    g.eye_right = Mean(fc, 42, 47);
    g.eye_line = (g.eye_left.y + g.eye_right.y) / 2;
    const cv::Point2f d = g.eye_right - g.eye_left;
    g.roll_deg = std::atan2(d.y, d.x) * 180 / kPi;
    const cv::Point2f u = d / std::max(1e-3f, float(cv::norm(d)));
    const cv::Point2f jaw = fc.points[16] - fc.points[0];
    g.face_width = std::abs(jaw.dot(u));
    // The midline where it crosses the eye line (between the eyes and down
    // the nose bridge), so a tilted head is not read as off-centre.
    const cv::Point2f between = (g.eye_left + g.eye_right) / 2;
    g.midline_x = (between.x + (fc.points[27].x + fc.points[28].x) / 2) / 2;
    g.brow_top = a.bgr.rows;
    for (int i = 17; i <= 26; ++i) g.brow_top = std::min<double>(g.brow_top, fc.points[i].y);
    g.chin_y = fc.points[8].y;
    HeadPose(fc, g);
    a.geo = g;
  }
  Segment(a);
  if (a.geo) a.geo->head_top = HeadTop(a, *a.geo);
  if (a.geo && std::getenv("GRADCAP_VALIDATOR_TRACE")) {
    const FaceGeometry& g = *a.geo;
    std::fprintf(stderr,
                 "trace: eye_line %.1f face_width %.1f midline %.1f roll %.1f yaw %.1f pitch %.1f "
                 "head_top %d%s\n",
                 g.eye_line, g.face_width, g.midline_x, g.roll_deg, g.yaw_deg, g.pitch_deg, g.head_top,
                 a.face()->lighting_normalised ? " (face found on the CLAHE copy)" : "");
  }
  return a;
}

}  // namespace gradcap::validator
