// Negatives that change how the person looks (clothing, lighting, props) or
// the whole image (exposure, blur, JPEG quality), and a real hat.
#include <opencv2/imgproc.hpp>

#include "tests/photos/corpus_maker.h"

namespace gradcap::corpus_maker {

void CorpusMaker::AddLayerChanges() {
  auto layered = [&](const std::string& kind, int n, const std::function<std::string(Layer&, Labels&, int)>& change) {
    auto ids = Pick(n);
    for (int i = 0; i < n; ++i) {
      const Person& p = Get(ids[i]);
      Layer l = Warp(p, StdPlace(p));
      Labels lb = Appearance(p);
      lb.Pass("background_uniform");
      std::string tag = change(l, lb, i);
      Scene sc(BlueBackground());
      sc.Put(l);
      auto& c = corpus.Emit(ImageName(kind, p.spec->id, tag), kind, Src(p), sc, &l.g, lb);
      if (kind == "clothing_color") {
        cv::Mat1b m = ClothingMask(l) > 0.5f;
        double de = DeltaEBgr(MedianColor(l.fg, m), kRefBlue);
        if (de > 10) Die("clothing too far from the background blue in " + c.file);
        c.truth.push_back({"clothing_delta_e", de});
      }
    }
  };
  layered("clothing_color", 3, [&](Layer& l, Labels& lb, int i) {
    // darker versions of the reference blue at a chosen distance, one a little greener
    const double want[] = {4, 7, 9};
    const cv::Vec3f tint[] = {{0, 0, 0}, {0, 0, 0}, {-10, 4, -6}};
    double lo = 0.5, hi = 1.0;
    for (int it = 0; it < 40; ++it) {
      double f = (lo + hi) / 2;
      (DeltaEBgr(kRefBlue * float(f) + tint[i], kRefBlue) > want[i] ? lo : hi) = f;
    }
    RecolorClothing(l, kRefBlue * float(lo) + tint[i]);
    lb.Fail("clothing_color");
    return std::string("blue") + std::to_string(i + 1);
  });
  layered("clothing_pattern", 3, [&](Layer& l, Labels& lb, int i) {
    const int period[] = {8, 12, 6};
    StripeClothing(l, period[i], i, cv::Vec3f(30, 30, 35), cv::Vec3f(235, 235, 235));
    lb.Fail("clothing_pattern");
    const char* dir[] = {"hstripes", "vstripes", "dstripes"};
    return std::string(dir[i]);
  });
  layered("lighting_uniform", 3, [&](Layer& l, Labels& lb, int i) {
    SideLight(l, i % 2 ? 1 : -1, 0.30f + 0.04f * i);
    lb.Drop("exposure");
    lb.Fail("lighting_uniform");
    return std::string(i % 2 ? "dark_right" : "dark_left");
  });
}

void CorpusMaker::AddProps() {
  const Person* cur = nullptr;  // the person being drawn on
  auto propped = [&](const std::string& kind, int n, const std::function<std::string(Scene&, Layer&, Labels&, int)>& draw,
                     std::vector<std::string> ids = {}) {
    if (ids.empty()) ids = Pick(n);
    for (int i = 0; i < n; ++i) {
      const Person& p = Get(ids[i]);
      cur = &p;
      Placement pl = StdPlace(p);
      if (kind == "headwear") *pl.eye_y += 12;  // room for the crown above the hair
      Layer l = Warp(p, pl);
      Scene sc(BlueBackground());
      sc.Put(l);
      Labels lb = Appearance(p);
      lb.Pass("background_uniform");
      std::string tag = draw(sc, l, lb, i);
      Geom g = l.g;
      g.head_top = HeadTop(sc.occ, g.mid.x, g.fw);  // a hat or bun is the new top
      corpus.Emit(ImageName(kind, p.spec->id, tag), kind, Src(p), sc, &g, lb);
    }
  };
  propped("glasses_glare", 3, [&](Scene& sc, Layer& l, Labels& lb, int) {
    DrawGlasses(sc, l.g, Lens::kGlare, rng);
    lb.Fail("glasses_glare");
    lb.Pass("tinted_lenses");
    lb.Drop({"eyes_open", "exposure"});  // the blobs are clipped white
    return std::string();
  });
  propped("tinted_lenses", 3, [&](Scene& sc, Layer& l, Labels& lb, int) {
    DrawGlasses(sc, l.g, Lens::kTinted, rng);
    lb.Fail("tinted_lenses");
    lb.Pass("glasses_glare");
    lb.Drop("eyes_open");
    return std::string();
  });
  propped("glasses_plain", 3, [&](Scene& sc, Layer& l, Labels& lb, int) {
    DrawGlasses(sc, l.g, Lens::kPlain, rng);
    lb.Pass("glasses_glare");
    lb.Pass("tinted_lenses");
    return std::string();
  });
  propped("headwear", 3, [&](Scene& sc, Layer& l, Labels& lb, int i) {
    const cv::Vec3f colors[] = {{40, 32, 28}, {35, 35, 38}, {70, 30, 35}};
    DrawHat(sc, l.g, colors[i]);
    lb.Fail("headwear");
    lb.Drop({"hair_bun", "hair_ornament"});
    return std::string("cap");
  });
  propped("hair_bun", 3, [&](Scene& sc, Layer& l, Labels& lb, int i) {
    DrawBun(sc, l, 0.22 + 0.03 * i, rng);
    lb.Fail("hair_bun");
    return std::string();
  });
  propped("earrings", 3, [&](Scene& sc, Layer& l, Labels& lb, int i) {
    DrawEarrings(sc, *cur, l, i % 2 == 0, 9 + 1.5 * i);
    lb.Fail("earrings");
    return std::string(i % 2 == 0 ? "gold" : "silver");
  }, {"franck_01829", "audrey", "franck_02221"});
  propped("necklace", 3, [&](Scene& sc, Layer& l, Labels& lb, int i) {
    DrawNecklace(sc, l.g, i % 2 == 0);
    lb.Fail("necklace");
    return std::string(i % 2 == 0 ? "gold" : "silver");
  }, {"franck_02159", "audrey", "franck_04035"});
}

void CorpusMaker::AddWholeImageChanges() {
  auto global = [&](const std::string& kind, int n, const std::function<std::string(cv::Mat3f&, Labels&, int)>& change,
                    int quality = 90) {
    auto ids = Pick(n);
    for (int i = 0; i < n; ++i) {
      const Person& p = Get(ids[i]);
      Layer l = Warp(p, StdPlace(p));
      Scene sc(BlueBackground());
      sc.Put(l);
      Labels lb = Appearance(p);
      std::string tag = change(sc.img, lb, i);
      corpus.Emit(ImageName(kind, p.spec->id, tag), kind, Src(p), sc, &l.g, lb, quality);
    }
  };
  global("exposure_dark", 2, [&](cv::Mat3f& img, Labels& lb, int i) {
    cv::Mat3f t = img / 255.f;
    cv::pow(t, 2.0 + 0.4 * i, t);
    img = t * (255.f * 0.55f);
    lb.Fail("exposure");
    lb.Drop({"eyes_open", "mouth_closed", "sharpness", "clothing_color", "lighting_uniform"});
    return std::string();
  });
  global("exposure_blown", 2, [&](cv::Mat3f& img, Labels& lb, int i) {
    img = img * (1.9f + 0.2f * i) + cv::Scalar(25, 25, 25);
    cv::min(img, cv::Scalar::all(255), img);
    lb.Fail("exposure");
    lb.Drop({"eyes_open", "mouth_closed", "sharpness", "clothing_color", "lighting_uniform", "clothing_pattern"});
    return std::string();
  });
  global("blur", 3, [&](cv::Mat3f& img, Labels& lb, int i) {
    cv::GaussianBlur(img, img, cv::Size(0, 0), 4.0 + i);
    lb.Fail("sharpness");
    lb.Pass("background_uniform");
    lb.Drop({"eyes_open", "mouth_closed"});
    return std::string("sigma") + std::to_string(4 + i);
  });
  global("jpeg_quality", 3, [&](cv::Mat3f&, Labels& lb, int) {
    lb.Pass("background_uniform");
    lb.Drop("sharpness");
    return std::string("q30");
  }, 30);
}

void CorpusMaker::AddRealHat() {
  const Person& p = Get("grace");
  Scene sc(BlueBackground());
  Layer l = Warp(p, StdPlace(p));
  sc.Put(l);
  Labels lb = Appearance(p);
  lb.Pass("background_uniform");
  corpus.Emit("headwear_grace_hopper.jpg", "headwear", Src(p), sc, &l.g, lb);
}

}  // namespace gradcap::corpus_maker
