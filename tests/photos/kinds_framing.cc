// The corpus's positives and the negatives that change the framing, the
// image size, the background, the number of faces or the file itself.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "tests/photos/corpus_maker.h"

namespace gradcap::corpus_maker {

void CorpusMaker::AddPositives() {
  const std::vector<std::string> positive_ids = {
      "franck_01829", "franck_02045", "franck_02159", "franck_02221", "franck_02683", "franck_02888", "franck_03909",
      "franck_03979", "franck_04000", "franck_04035", "franck_04117", "audrey", "sean"};
  for (const auto& id : positive_ids) {
    const Person& p = Get(id);
    Scene sc(BlueBackground());
    Layer l = Warp(p, StdPlace(p));
    sc.Put(l);
    Labels lb = Appearance(p);
    lb.Pass("background_uniform");
    corpus.Emit("pos_" + id + ".jpg", "positive", Src(p), sc, &l.g, lb).person = PersonOf(*p.spec);
  }
}

void CorpusMaker::AddWrongSizes() {
  struct Sz { int w, h; const char* tag; };
  auto ids = Pick(3);
  const Sz sizes[] = {{600, 800, "600x800"}, {480, 600, "480x600"}, {240, 320, "240x320"}};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 2; ++j) {
      const Person& p = Get(ids[(i + j) % ids.size()]);
      const Sz& s = sizes[i];
      Placement pl = StdPlace(p);
      double k = s.w / 480.0;
      pl.W = s.w, pl.H = s.h, pl.fw *= k, pl.head_top *= k, pl.cx *= k;
      Scene sc(BlueBackground(cv::Size(s.w, s.h)));
      Layer l = Warp(p, pl);
      sc.Put(l);
      Labels lb = Appearance(p);
      lb.Pass("background_uniform");
      if (s.w < 480) lb.Drop({"sharpness", "eyes_open", "mouth_closed"});
      corpus.Emit(ImageName("size", p.spec->id, s.tag), "wrong_size", Src(p), sc, &l.g, lb);
    }
  }
}

void CorpusMaker::AddGeometry() {
  auto geometric = [&](const std::string& kind, int n, const std::function<void(Placement&, int)>& change,
                       std::vector<std::string> ids = {}) {
    if (ids.empty()) ids = Pick(n);
    for (int i = 0; i < n; ++i) {
      const Person& p = Get(ids[i]);
      Placement pl = StdPlace(p);
      change(pl, i);
      Scene sc(BlueBackground());
      Layer l = Warp(p, pl);
      sc.Put(l);
      Labels lb = Appearance(p);
      lb.Pass("background_uniform");
      corpus.Emit(ImageName(kind, p.spec->id), kind, Src(p), sc, &l.g, lb);
    }
  };
  geometric("head_high", 3, [](Placement& pl, int i) {
    pl.eye_y.reset();
    pl.head_top = 22 + 6 * i;
  });
  geometric("head_low", 3, [](Placement& pl, int i) { pl.eye_y = 335 + 12 * i; });
  geometric("face_small", 3, [](Placement& pl, int i) {
    pl.fw = 130 + 10 * i;
    pl.eye_y.reset();
    pl.head_top = 75;
  }, {"sean", "audrey", "franck_01829"});
  geometric("face_large", 3, [](Placement& pl, int i) {
    pl.fw = 340 + 15 * i;
    pl.eye_y = 285;
  });
  geometric("off_center", 4, [](Placement& pl, int i) { pl.cx = 240 + (i % 2 ? 1 : -1) * (62 + 8 * i); });
  geometric("tilted", 3, [](Placement& pl, int i) { pl.roll = (i % 2 ? -1 : 1) * (11 + 2 * i); });
}

void CorpusMaker::AddBackgroundColors() {
  auto ids = Pick(4);
  struct Bg { cv::Vec3f bgr; const char* tag; };
  const Bg bgs[] = {{{255, 255, 255}, "white"}, {{150, 150, 150}, "grey"}, {{120, 50, 25}, "darkblue"},
                    {{225, 225, 232}, "offwhite"}};
  for (int i = 0; i < 4; ++i) {
    const Person& p = Get(ids[i]);
    Scene sc(SolidBackground(cv::Size(kW, kH), bgs[i].bgr, ++seed));
    Layer l = Warp(p, StdPlace(p));
    sc.Put(l);
    Labels lb = Appearance(p);
    lb.Pass("background_uniform");
    lb.Drop("clothing_color");  // judged against the measured background
    corpus.Emit(ImageName("bg_color", p.spec->id, bgs[i].tag), "background_color", Src(p), sc, &l.g, lb);
  }
}

void CorpusMaker::AddUnevenBackgrounds() {
  auto ids = Pick(4);
  for (int i = 0; i < 4; ++i) {
    const Person& p = Get(ids[i]);
    Layer l = Warp(p, StdPlace(p));
    cv::Mat3f bg = BlueBackground();
    const char* tag = "";
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x) {
        float f = 1;
        if (i == 0) tag = "vgradient", f = 1.15f - 0.6f * y / kH;  // light top, dark bottom
        else if (i == 1) tag = "hgradient", f = 0.55f + 0.6f * x / kW;
        else {
          // dark shadow behind one shoulder (soft-edged ellipse)
          tag = i == 2 ? "shadow_left" : "shadow_right";
          double cx = i == 2 ? 70 : 410, cy = 470, dx = (x - cx) / 150.0, dy = (y - cy) / 230.0;
          double r = std::sqrt(dx * dx + dy * dy);
          f = float(1 - 0.55 * std::clamp((1.25 - r) / 0.5, 0.0, 1.0));
        }
        bg(y, x) *= f;
        for (int k = 0; k < 3; ++k) bg(y, x)[k] = std::min(bg(y, x)[k], 255.f);
      }
    Scene sc(bg);
    sc.Put(l);
    Labels lb = Appearance(p);
    lb.Fail("background_uniform");
    lb.Drop("clothing_color");
    corpus.Emit(ImageName("bg_uneven", p.spec->id, tag), "background_uniform", Src(p), sc, &l.g, lb);
  }
}

void CorpusMaker::AddFaceCounts() {
  const std::pair<const char*, const char*> pairs[] = {{"franck_02045", "audrey"}, {"sean", "franck_03909"}};
  for (auto [main_id, other_id] : pairs) {
    const Person& a = Get(main_id);
    const Person& b = Get(other_id);
    Placement pb = StdPlace(b);
    pb.fw = 165, pb.cx = 365, pb.head_top = 120, pb.eye_y.reset();
    Placement pa = StdPlace(a);
    pa.fw = 175, pa.cx = 150, pa.head_top = 90, pa.eye_y.reset();
    Scene sc(BlueBackground());
    Layer lbk = Warp(b, pb);
    sc.Put(lbk);
    Layer lfr = Warp(a, pa);
    sc.Put(lfr);
    Labels lb;
    lb.Fail("single_face");
    lb.Pass("background_uniform");
    corpus.Emit(std::string("two_faces_") + main_id + "_" + other_id + ".jpg", "single_face",
                Src(a) + " + " + Src(b), sc, nullptr, lb);
  }
  // clothing only: the head is above the frame
  for (const char* id : {"franck_02221", "sean"}) {
    const Person& p = Get(id);
    Placement pl = StdPlace(p);
    pl.eye_y = -pl.fw * (p.spec->chin_per_fw + 0.15);
    Scene sc(BlueBackground());
    Layer l = Warp(p, pl);
    sc.Put(l);
    Labels lb;
    lb.Fail("single_face");
    lb.Pass("background_uniform");
    corpus.Emit(std::string("no_face_clothing_") + id + ".jpg", "single_face", Src(p), sc, nullptr, lb);
  }
  // real photographs with several faces or none, cover-cropped to 480x640
  struct Nat { const char* path; const char* label; const char* file; cv::Rect crop; };
  const Nat nats[] = {
      {"dlib/dogs.jpg", "libdlib19.1 examples/faces/dogs.jpg", "no_face_dogs.jpg", {}},
      {"dlib/2008_001009.jpg", "libdlib19.1 examples/faces/2008_001009.jpg", "two_faces_2008_001009.jpg", {}},
      {"dlib/2009_004587.jpg", "libdlib19.1 examples/faces/2009_004587.jpg", "two_faces_2009_004587.jpg", {}},
      {"dlib/bald_guys.jpg", "libdlib19.1 examples/faces/bald_guys.jpg", "many_faces_bald_guys.jpg", {}},
  };
  for (const auto& n : nats) {
    cv::Mat3b src = cv::imread(sources + "/" + n.path, cv::IMREAD_COLOR);
    if (src.empty()) Die(std::string("cannot read ") + n.path);
    double s = std::max(double(kW) / src.cols, double(kH) / src.rows);
    cv::Mat3b big;
    cv::resize(src, big, cv::Size(), s, s, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    int x0 = (big.cols - kW) / 2, y0 = (big.rows - kH) / 2;
    cv::Mat3f f;
    big(cv::Rect(x0, y0, kW, kH)).convertTo(f, CV_32F);
    Scene sc(f);
    sc.occ.setTo(1.f);
    Labels lb;
    lb.Fail("single_face");
    corpus.Emit(n.file, "single_face", n.label, sc, nullptr, lb);
  }
}

void CorpusMaker::AddBadFiles() {
  const Person& p = Get("franck_02159");
  Scene sc(BlueBackground());
  Layer l = Warp(p, StdPlace(p));
  sc.Put(l);
  cv::Mat3b img8;
  sc.img.convertTo(img8, CV_8U);
  std::vector<uchar> jpg = EncodeJpeg(sc.img, 90);
  Labels fmt;
  fmt.Fail("image_format");
  corpus.EmitBytes("bad_empty.jpg", "bad_file", "empty file", {}, fmt);
  std::string text = "This is not a JPEG image, just text with a .jpg name.\n";
  corpus.EmitBytes("bad_text.jpg", "bad_file", "text file", std::vector<uchar>(text.begin(), text.end()), fmt);
  corpus.EmitBytes("bad_truncated.jpg", "bad_file", "first half of a positive JPEG (" + Src(p) + ")",
                   std::vector<uchar>(jpg.begin(), jpg.begin() + jpg.size() / 2), fmt);
  std::vector<uchar> png;
  cv::imencode(".png", img8, png);
  Labels sized = fmt;
  sized.Pass("image_size");
  corpus.EmitBytes("bad_png_named_jpg.jpg", "bad_file", "PNG bytes of a positive (" + Src(p) + ")", png, sized);
  cv::Mat1b grey;
  cv::cvtColor(img8, grey, cv::COLOR_BGR2GRAY);
  std::vector<uchar> gj;
  cv::imencode(".jpg", grey, gj, {cv::IMWRITE_JPEG_QUALITY, 90});
  corpus.EmitBytes("bad_greyscale.jpg", "bad_file", "greyscale JPEG of a positive (" + Src(p) + ")", gj, sized);
}

}  // namespace gradcap::corpus_maker
