#include "tests/code_frames.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/collection_code.h"
#include "common/qr_code.h"
#include "common/zxing_codes.h"

namespace gradcap::testing {

CodeFrames::CodeFrames(uint64_t seed, bool legacy_gc1)
    : rng_(seed), key_(NewCodeKey("k1", 0)), legacy_gc1_(legacy_gc1) {}

std::string CodeFrames::Payload() {
  v1::CodeBody body;
  body.set_student_no("S2021" + std::to_string(100 + Uniform(0, 899)));
  body.set_college("信息工程学院");
  body.set_cohort("2021");
  body.set_issued_at_ms(1'726'880'000'000);
  body.set_expires_at_ms(1'900'000'000'000);
  return legacy_gc1_ ? SealLegacyCode(body, key_) : SealCode(body, key_);
}

cv::Mat CodeFrames::PhoneScreen(const std::string& payload) {
  // As each was issued: GC1 at level M, GC2 at level Q.
  std::string png = RenderCodeScreenPng(payload, "****8746", legacy_gc1_ ? QrEcc::kM : QrEcc::kQ).value();
  return cv::imdecode(std::vector<uchar>(png.begin(), png.end()), cv::IMREAD_COLOR);
}

cv::Mat CodeFrames::Background() {
  cv::Mat bg(1080, 1920, CV_8UC3);
  cv::randu(bg, cv::Scalar(60, 60, 60), cv::Scalar(200, 200, 200));
  cv::GaussianBlur(bg, bg, cv::Size(0, 0), 25);
  for (int i = 0; i < 12; ++i) {  // clutter: a booth, a desk, hands
    cv::rectangle(bg, cv::Rect(Uniform(0, 1800), Uniform(0, 1000), Uniform(20, 300), Uniform(20, 300)),
                  cv::Scalar(Uniform(0, 255), Uniform(0, 255), Uniform(0, 255)), cv::FILLED);
  }
  return bg;
}

// Places `screen` in the frame: scale so the QR is `qr_px` wide, rotate by
// `degrees`, move each corner by up to `jitter` of its size.
cv::Mat CodeFrames::Place(const cv::Mat& screen, double qr_px, double degrees, double jitter) {
  cv::Mat frame = Background();
  const double scale = qr_px / 600.0;  // the QR is about 600 px wide on the 720 px screen
  const cv::Point2f center(Uniform(700, 1220), Uniform(420, 660));
  std::vector<cv::Point2f> src = {{0, 0}, {719, 0}, {719, 1279}, {0, 1279}}, dst;
  const double rad = degrees * CV_PI / 180;
  for (const cv::Point2f& p : src) {
    double x = (p.x - 360) * scale, y = (p.y - 640) * scale;
    x += Normal() * jitter * 720 * scale;
    y += Normal() * jitter * 720 * scale;
    dst.emplace_back(center.x + x * std::cos(rad) - y * std::sin(rad), center.y + x * std::sin(rad) + y * std::cos(rad));
  }
  cv::warpPerspective(screen, frame, cv::getPerspectiveTransform(src, dst), frame.size(), cv::INTER_AREA,
                      cv::BORDER_TRANSPARENT);
  return frame;
}

std::vector<Sample> CodeFrames::Group(const std::string& name) {
  std::vector<Sample> out;
  for (int i = 0; i < kPerGroup; ++i) {
    const std::string payload = Payload();
    cv::Mat screen = PhoneScreen(payload);
    Sample s{{}, payload};
    if (name == "clean") {
      s.frame = Place(screen, Uniform(200, 500), 0, 0);
    } else if (name == "small") {
      // Held far from the camera: about 2 px per module.
      s.frame = Place(screen, Uniform(110, 170), Uniform(-10, 10), 0);
    } else if (name == "tiny") {
      s.frame = Place(screen, Uniform(80, 110), Uniform(-10, 10), 0);
    } else if (name == "rotated") {
      s.frame = Place(screen, Uniform(220, 450), Uniform(-45, 45), 0);
    } else if (name == "perspective") {
      s.frame = Place(screen, Uniform(250, 450), Uniform(-15, 15), 0.06);
    } else if (name == "blurred") {
      s.frame = Place(screen, Uniform(280, 450), Uniform(-20, 20), 0);
      const double sigma = 0.8 + 0.1 * Uniform(0, 10);
      cv::GaussianBlur(s.frame, s.frame, cv::Size(0, 0), sigma);
    } else if (name == "jpeg") {
      s.frame = Place(screen, Uniform(220, 450), Uniform(-30, 30), 0.02);
      std::vector<uchar> bytes;
      cv::imencode(".jpg", s.frame, bytes, {cv::IMWRITE_JPEG_QUALITY, Uniform(15, 40)});
      s.frame = cv::imdecode(bytes, cv::IMREAD_COLOR);
    } else if (name == "glare") {
      // A specular spot on the glossy screen, over part of the code.
      cv::Mat glare(screen.size(), CV_32FC1, cv::Scalar(0));
      const cv::Point spot(Uniform(220, 500), Uniform(300, 700));
      cv::circle(glare, spot, Uniform(50, 110), cv::Scalar(1.0), cv::FILLED);
      cv::GaussianBlur(glare, glare, cv::Size(0, 0), 18);
      cv::Mat lit;
      screen.convertTo(lit, CV_32FC3);
      std::vector<cv::Mat> ch;
      cv::split(lit, ch);
      for (cv::Mat& c : ch) c = c + glare.mul(255.0 - c) * 0.95;
      cv::merge(ch, lit);
      lit.convertTo(screen, CV_8UC3);
      s.frame = Place(screen, Uniform(280, 450), Uniform(-20, 20), 0.02);
    } else if (name == "low_contrast") {
      // A dim screen: black is dark grey, white is mid grey.
      screen.convertTo(screen, CV_8UC3, 0.35, 95);
      s.frame = Place(screen, Uniform(260, 450), Uniform(-20, 20), 0.02);
    } else if (name == "dim") {
      // A phone at its lowest brightness under booth lights: 30 grey levels
      // between black and white, plus sensor noise.
      screen.convertTo(screen, CV_8UC3, 0.12, 105);
      s.frame = Place(screen, Uniform(260, 450), Uniform(-20, 20), 0.02);
      cv::Mat noise(s.frame.size(), CV_16SC3), wide;
      cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(4));
      s.frame.convertTo(wide, CV_16SC3);
      wide += noise;
      wide.convertTo(s.frame, CV_8UC3);
    } else if (name == "overexposed") {
      // Auto-exposure set for the room, not the screen: the white of the
      // screen saturates and bleeds into the dark modules, which shrink
      // (bloom), and the black is lifted by the glow around it.
      s.frame = Place(screen, Uniform(220, 420), Uniform(-20, 20), 0.02);
      cv::Mat lum;
      s.frame.convertTo(lum, CV_32FC3, 1.0 / 255);
      cv::Mat glow;
      cv::GaussianBlur(lum, glow, cv::Size(0, 0), 1.2 + 0.1 * Uniform(0, 8));
      const double gain = 1.8 + 0.1 * Uniform(0, 8);
      lum = glow * gain;
      cv::min(lum, 1.0, lum);
      lum.convertTo(s.frame, CV_8UC3, 255);
    } else if (name == "moire") {
      // The screen's pixel grid beating with the camera's: bright and dark
      // bands across the code, out of phase in R, G and B.
      cv::Mat stripes(screen.size(), CV_32FC3);
      const double period = 5 + Uniform(0, 40) / 10.0, angle = Uniform(0, 180) * CV_PI / 180;
      const double depth = 0.25 + 0.05 * Uniform(0, 4);
      for (int y = 0; y < screen.rows; ++y)
        for (int x = 0; x < screen.cols; ++x) {
          const double t = (x * std::cos(angle) + y * std::sin(angle)) * 2 * CV_PI / period;
          stripes.at<cv::Vec3f>(y, x) = cv::Vec3f(1 - depth * (0.5 + 0.5 * std::sin(t)),
                                                  1 - depth * (0.5 + 0.5 * std::sin(t + 2.1)),
                                                  1 - depth * (0.5 + 0.5 * std::sin(t + 4.2)));
        }
      cv::Mat lit;
      screen.convertTo(lit, CV_32FC3);
      lit = lit.mul(stripes);
      lit.convertTo(screen, CV_8UC3);
      s.frame = Place(screen, Uniform(160, 300), Uniform(-20, 20), 0.02);
    } else if (name == "motion") {
      // The hand still moving when the frame is taken: a streak 6–14 px long.
      s.frame = Place(screen, Uniform(250, 450), Uniform(-20, 20), 0.02);
      const int len = Uniform(6, 14);
      cv::Mat kernel = cv::Mat::zeros(len, len, CV_32F);
      const double a = Uniform(0, 180) * CV_PI / 180;
      for (int i = 0; i < len; ++i) {
        const double t = i - (len - 1) / 2.0;
        const int x = cvRound((len - 1) / 2.0 + t * std::cos(a)), y = cvRound((len - 1) / 2.0 + t * std::sin(a));
        kernel.at<float>(std::clamp(y, 0, len - 1), std::clamp(x, 0, len - 1)) += 1.0f;
      }
      kernel /= cv::sum(kernel)[0];
      cv::filter2D(s.frame, s.frame, -1, kernel);
    } else if (name == "inverted") {
      // A phone that inverts colours (Android's colour inversion, a browser's
      // forced dark mode): light modules on a dark screen.
      cv::bitwise_not(screen, screen);
      s.frame = Place(screen, Uniform(200, 450), Uniform(-20, 20), 0.02);
    } else if (name == "noisy") {
      s.frame = Place(screen, Uniform(230, 450), Uniform(-30, 30), 0.03);
      cv::Mat noise(s.frame.size(), CV_16SC3);
      cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(Uniform(8, 18)));
      cv::Mat wide;
      s.frame.convertTo(wide, CV_16SC3);
      wide += noise;
      wide.convertTo(s.frame, CV_8UC3);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Sample> CodeFrames::Negatives() {
  std::vector<Sample> out;
  for (int i = 0; i < kPerGroup / 2; ++i) out.push_back({Background(), ""});
  for (auto symbology : {OtherSymbology::kEan13, OtherSymbology::kCode128, OtherSymbology::kDataMatrix}) {
    for (int i = 0; i < 3; ++i) {
      std::string text =
          symbology == OtherSymbology::kEan13 ? "690123456789" : "GC1.k1.notaqr" + std::to_string(i);
      ModuleMatrix m = EncodeOtherSymbol(symbology, text, 400, 200, 10).value();
      cv::Mat code(m.height, m.width, CV_8UC1, m.pixels.data());
      cv::Mat bgr;
      cv::cvtColor(code, bgr, cv::COLOR_GRAY2BGR);
      cv::Mat frame = Background();
      bgr.copyTo(frame(cv::Rect(Uniform(100, 1400), Uniform(100, 800), bgr.cols, bgr.rows)));
      out.push_back({frame, ""});
    }
  }
  return out;
}

int CodeFrames::Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
double CodeFrames::Normal() { return std::normal_distribution<double>(0, 0.5)(rng_); }



}  // namespace gradcap::testing
