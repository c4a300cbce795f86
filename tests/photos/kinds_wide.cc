// Issue 13's wider set: every person of the sources on the reference blue at
// spec framing, then one change at a time that the first corpus did not have
// and that real capture days do — studio key+fill light (good), white, black
// and coloured tops (good), navy and steel-blue tops, a one-sided light, a
// beanie and a brimless cap. Each image names its person, so the test can
// report people never used to tune the validator apart (HeldOut()).
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "tests/photos/corpus_maker.h"

namespace gradcap::corpus_maker {
namespace {

// A soft key light from one side and a fill from the other: the far side gets
// `fill` of the near side's level (sRGB scale), changing smoothly over about a
// third of a face width — as a studio's two lights leave a face, with no hard
// shadow edge.
void KeyFill(Layer& l, int dark_side, float fill) {
  for (int y = 0; y < l.fg.rows; ++y)
    for (int x = 0; x < l.fg.cols; ++x) {
      float along = (cv::Point2f(x, y) - l.g.mid).dot(l.g.u) / float(l.g.fw) * dark_side;
      float t = 1.f / (1.f + std::exp(-along / 0.16f));
      l.fg(y, x) *= 1.f - (1.f - fill) * t;
    }
}

double Angle(const Geom& g) { return std::atan2(g.u.y, g.u.x) * 180 / kPi; }

// A knitted beanie: a dome over the hair whose rim sits across the forehead,
// `rim` face widths above the eye line; no brim, no ledge in the outline.
void DrawBeanie(Scene& sc, const Geom& g, cv::Vec3f color, double rim) {
  const double top_up = (g.mid.y - g.head_top) / g.fw + 0.02;
  const cv::Point2f c = g.At(0, -rim);
  auto cov = Coverage(sc.img.size(), [&](cv::Mat1b& m) {
    cv::ellipse(m, cv::Point(std::lround(c.x * 16), std::lround(c.y * 16)),
                cv::Size(std::lround(g.fw * 0.62 * 16), std::lround((top_up - rim) * g.fw * 16)), Angle(g), 180, 360,
                255, -1, cv::LINE_AA, 4);
    // the turned-up rim: a band as wide as the dome's base
    cv::Point2f a = g.At(-0.62, -rim), b = g.At(0.62, -rim), up = g.At(0.62, -rim - 0.1), up2 = g.At(-0.62, -rim - 0.1);
    std::vector<cv::Point> band = {a, b, up, up2};
    cv::fillConvexPoly(m, band, 255, cv::LINE_AA);
  }, 0.7);
  sc.Paint(cov, [&](int x, int y) {
    // knit ribs: a faint vertical ripple
    double along = (cv::Point2f(x, y) - g.mid).dot(g.u) / g.fw;
    float rib = float(0.92 + 0.08 * std::cos(along * 2 * kPi * 14));
    return color * rib;
  });
}

// A brimless round cap (a sailor's or a nurse's): a flat-topped white crown
// with a dark band at the bottom, sitting on the upper forehead.
void DrawBrimlessCap(Scene& sc, const Geom& g, double rim) {
  const double top_up = (g.mid.y - g.head_top) / g.fw + 0.04;
  auto cov_crown = Coverage(sc.img.size(), [&](cv::Mat1b& m) {
    std::vector<cv::Point> crown = {g.At(-0.58, -rim), g.At(0.58, -rim), g.At(0.52, -top_up), g.At(-0.52, -top_up)};
    cv::fillConvexPoly(m, crown, 255, cv::LINE_AA);
  }, 0.7);
  sc.Paint(cov_crown, [&](int, int) { return cv::Vec3f(236, 238, 240); });
  auto cov_band = Coverage(sc.img.size(), [&](cv::Mat1b& m) {
    std::vector<cv::Point> band = {g.At(-0.58, -rim), g.At(0.58, -rim), g.At(0.57, -rim - 0.08), g.At(-0.57, -rim - 0.08)};
    cv::fillConvexPoly(m, band, 255, cv::LINE_AA);
  }, 0.7);
  sc.Paint(cov_band, [&](int, int) { return cv::Vec3f(60, 35, 25); });
}

// How much of a drawn cord shows, in face widths: in all, and its longest
// stretch in one piece.
struct CordShown {
  double total = 0, longest = 0;
};

// A cord or a fine chain hung from the sides of the neck down to a small
// pendant, seen only where it lies on skin (a top hides the rest), shaded as
// the skin under it is.
CordShown DrawCord(Scene& sc, const Geom& g, cv::Vec3f color, int width, double half_width, double drop) {
  auto lab_of = [](cv::Vec3f bgr) {
    cv::Mat3f px(1, 1, bgr / 255.f), lab;
    cv::cvtColor(px, lab, cv::COLOR_BGR2Lab);
    return lab(0, 0);
  };
  const cv::Rect image(0, 0, sc.img.cols, sc.img.rows);
  cv::Vec3f skin_bgr(0, 0, 0);
  for (double side : {-0.22, 0.22}) {
    const cv::Point2f c = g.At(side, 0.32);
    const int r = std::max(2, int(0.04 * g.fw));
    const cv::Scalar m = cv::mean(sc.img(cv::Rect(int(c.x) - r, int(c.y) - r, 2 * r, 2 * r) & image));
    skin_bgr += 0.5f * cv::Vec3f(float(m[0]), float(m[1]), float(m[2]));
  }
  const cv::Vec3f skin = lab_of(skin_bgr);
  const double skin_hue = std::atan2(skin[2], skin[1]), skin_chroma = std::hypot(skin[1], skin[2]);
  const double chin = g.chin_per_fw;
  std::vector<cv::Point> path;
  for (double t = -1; t <= 1.0001; t += 0.02) {
    const cv::Point2f q = g.At(half_width * t, chin + 0.08 + drop * (1 - std::pow(std::abs(t), 1.3)));
    path.push_back(cv::Point(std::lround(q.x * 16), std::lround(q.y * 16)));
  }
  cv::Mat1f cov = Coverage(sc.img.size(), [&](cv::Mat1b& m) {
    cv::polylines(m, std::vector<std::vector<cv::Point>>{path}, false, 255, width, cv::LINE_AA, 4);
  });
  cv::Mat1f shade(cov.size(), 1.f);
  double shown = 0;
  for (int y = 0; y < cov.rows; ++y)
    for (int x = 0; x < cov.cols; ++x) {
      if (cov(y, x) <= 0) continue;
      const cv::Vec3f c = lab_of(sc.img(y, x));
      const double hue_off = std::abs(std::remainder(std::atan2(c[2], c[1]) - skin_hue, 2 * kPi)) * 180 / kPi;
      const double chroma = std::hypot(c[1], c[2]);
      const bool on_skin = sc.occ(y, x) > 0.5 && hue_off < 25 && chroma > 0.5 * skin_chroma &&
                           chroma < 1.6 * skin_chroma + 4 && c[0] > 0.55 * skin[0] && c[0] < 1.15 * skin[0] + 3;
      if (!on_skin) cov(y, x) = 0;
      shade(y, x) = std::clamp(c[0] / skin[0], 0.5f, 1.1f);
      shown += cov(y, x);
    }
  sc.Paint(cov, [&](int x, int y) { return color * shade(y, x); });
  CordShown out{shown / width / g.fw, 0};
  double stretch = 0;
  for (size_t i = 1; i < path.size(); ++i) {
    const cv::Point q(path[i].x / 16, path[i].y / 16);
    const bool seen = image.contains(q) && cov(q) > 0.3f;
    stretch = seen ? stretch + cv::norm(path[i] - path[i - 1]) / 16.0 : 0;
    out.longest = std::max(out.longest, stretch / g.fw);
  }
  // The pendant hangs only where the cord's lowest point lies on the skin:
  // a cord that goes under the top takes its pendant with it.
  const cv::Point2f low = g.At(0, chin + 0.08 + drop);
  const cv::Point lowest(std::clamp(int(low.x), 0, cov.cols - 1), std::clamp(int(low.y), 0, cov.rows - 1));
  if (cv::countNonZero(cov(cv::Rect(lowest.x - 2, lowest.y - 2, 5, 5) & image) > 0.f) == 0) return out;
  auto pendant = Coverage(sc.img.size(), [&](cv::Mat1b& m) {
    const cv::Point2f c = g.At(0, chin + 0.08 + drop + 0.035);
    cv::ellipse(m, cv::Point(std::lround(c.x * 16), std::lround(c.y * 16)),
                cv::Size(std::lround(0.025 * g.fw * 16), std::lround(0.04 * g.fw * 16)), Angle(g), 0, 360, 255, -1,
                cv::LINE_AA, 4);
  }, 0.5);
  sc.Paint(pendant, [&](int, int) { return cv::Vec3f(165, 200, 170); });  // pale jade
  return out;
}

}  // namespace

void CorpusMaker::AddWidePeople() {
  const std::vector<std::string> ids = {"trk_left", "trk_mid", "trk_right",    "astronaut", "fa6_w1",
                                        "fa6_w2",   "franck_01829", "audrey", "sean",
                                        "bald_vin", "bald_statham", "bald_bruce", "bald_rock", "ocv_goatee", "ocv_cord",
                                        "cage", "bieber"};
  int n = 0;
  for (const auto& id : ids) AddWidePerson(id, n++);
}

void CorpusMaker::AddLatePeople() {
  // Numbered on from AddWidePeople's 17 (which side the light falls from,
  // which beanie and cord).
  int n = 17;
  for (const char* id : {"cruise"}) AddWidePerson(id, n++);
  // and a clip and a band each, the colours numbered on from AddWideHairOrnaments's 26
  int ornament = 26;
  for (const char* id : {"cruise"}) AddHairOrnaments(id, &ornament);
}

void CorpusMaker::AddWidePerson(const std::string& id, int index) {
  int n = index;
  const Person& p = Get(id);
  const std::string person = PersonOf(*p.spec);
  // The people whose source photo is itself acceptable (facing the camera,
  // no jewellery, mouth closed): their good edits make the false-retake set.
  // Statham's source is side-lit (lighting_uniform fails), the Rock wears a stud and a chain,
  // ocv_cord smiles with his teeth and wears a cord necklace, ocv_goatee's head is turned,
  // Bieber wears studs, Cruise smiles with his teeth.
  const bool acceptable = person != "astronaut" && person != "fa6_w1" && person != "fa6_w2" &&
                          person != "bald_statham" && person != "bald_rock" && person != "ocv_cord" &&
                          person != "ocv_goatee" && person != "bieber" && person != "cruise";
  auto emit = [&](const std::string& kind, const std::string& tag, bool good,
                  const std::function<void(Layer&, Labels&)>& edit_layer,
                  const std::function<void(Scene&, const Layer&, Labels&)>& edit_scene) -> Case& {
    Layer l = Warp(p, StdPlace(p));
    Labels lb = Appearance(p);
    lb.Pass("background_uniform");
    if (edit_layer) edit_layer(l, lb);
    Scene sc(BlueBackground());
    sc.Put(l);
    if (edit_scene) edit_scene(sc, l, lb);
    Case& c = corpus.Emit(ImageName("wide_" + kind, id, tag), "wide_" + kind, Src(p), sc, &l.g, lb);
    c.person = person;
    c.good = good && acceptable;
    return c;
  };
  const int side = n++ % 2 ? 1 : -1;
  if (p.spec->seg == Seg::kGrabCut || id == "franck_01829") {
    // the first corpus has the positives of franck, audrey and sean already
    if (id != "franck_01829" && id != "audrey" && id != "sean") emit("positive", "", true, nullptr, nullptr);
  }
  // Studio key+fill, 2:1 and 3:1 in light (0.73 and 0.62 of the level in sRGB):
  // an ordinary portrait, not a 阴阳脸.
  // (Not on a source already lit from one side: its key+fill would be neither.)
  const bool side_lit = !p.appearance.Open("lighting_uniform");
  for (float fill : {0.73f, 0.62f}) {
    if (side_lit) break;
    emit("keyfill", std::to_string(int(fill * 100)), true, [&](Layer& l, Labels& lb) {
      KeyFill(l, side, fill);
      lb.Pass("lighting_uniform");
      lb.Drop("exposure");
    }, nullptr);
  }
  // No fill: the far side in deep shadow with a hard edge down the nose.
  emit("one_sided", "", false, [&](Layer& l, Labels& lb) {
    SideLight(l, -side, 0.3f);
    lb.Fail("lighting_uniform");
    lb.Drop("exposure");
  }, nullptr);
  // Navy and a darker steel blue are of the backdrop's hue but stand apart
  // from it: the operator decides (clothing_color warns), so no label. Sky
  // blue merges with the backdrop: a retake — when it covers the torso.
  struct Top { const char* tag; cv::Vec3f bgr; const char* label; bool good; };
  const Top tops[] = {{"white", {238, 240, 242}, "pass", true}, {"black", {28, 26, 26}, "pass", true},
                      {"maroon", {45, 30, 130}, "pass", true},  {"navy", {85, 40, 22}, "?", false},
                      {"steel", {180, 130, 70}, "?", false},    {"skyblue", {236, 186, 98}, "fail", false}};
  // ocv_goatee's pale neck in the beard's shadow (YCrCb Cr 132-137) and his
  // warm grey T-shirt (Cr 130-136) are one colour to ClothingMask: a recolour
  // paints his neck in blotches, so he gets no recoloured tops; nor does Cage,
  // whose shaded neck above the collar a recolour took for shirt too.
  for (const Top& t : tops) {
    if (person == "ocv_goatee" || person == "cage") break;
    emit("top", t.tag, t.good, [&](Layer& l, Labels& lb) {
      RecolorClothing(l, t.bgr, /*clean=*/true);
      const bool covers = TorsoClothingShare(l) >= 0.4;
      lb.Apply(std::string("clothing_color=") + (covers ? t.label : "?"));
      lb.Drop("necklace");  // a recoloured top can swallow or reveal a chain
    }, nullptr);
  }
  // Brown fashion tint on each face (eyes still visible through it): tinted_lenses
  // on people whose eye sockets and brows were never tuned on.
  emit("brown_tint", "", false, nullptr, [&](Scene& sc, const Layer& l, Labels& lb) {
    DrawGlasses(sc, l.g, Lens::kBrownTint, rng);
    lb.Fail("tinted_lenses");
    lb.Pass("glasses_glare");
    lb.Drop({"eyes_open", "frame_over_eyes"});
  });
  const cv::Vec3f beanie[] = {{40, 40, 150}, {70, 70, 72}, {30, 30, 30}, {120, 90, 40}};
  emit("beanie", "", false, nullptr, [&](Scene& sc, const Layer& l, Labels& lb) {
    DrawBeanie(sc, l.g, beanie[n % 4], 0.3);
    lb.Fail("headwear");
    lb.Drop({"hair_bun", "hair_ornament", "hair_over_eyebrows", "ears_visible", "head_top"});
  });
  emit("brimless_cap", "", false, nullptr, [&](Scene& sc, const Layer& l, Labels& lb) {
    DrawBrimlessCap(sc, l.g, 0.45);
    lb.Fail("headwear");
    lb.Drop({"hair_bun", "hair_ornament", "hair_over_eyebrows", "ears_visible", "head_top"});
  });
  // A red string (红绳, with a jade pendant: common on capture day), a black
  // cord, a fine gold or silver chain, on whatever neck and chest skin the
  // top leaves bare. A necklace however little of it shows; where almost
  // none does (a turtleneck, a buttoned collar) no label.
  struct Cord { const char* tag; cv::Vec3f bgr; int width; };
  const Cord cords[] = {{"red", {40, 40, 170}, 3}, {"black", {30, 30, 32}, 2}, {"gold", {60, 175, 225}, 2},
                        {"silver", {215, 215, 220}, 2}};
  if (person != "ocv_cord" && person != "bald_rock") {
    const Cord& cord = cords[n % 4];
    CordShown shown;
    Case& c = emit("cord", cord.tag, false, nullptr, [&](Scene& sc, const Layer& l, Labels& lb) {
      shown = DrawCord(sc, l.g, cord.bgr, cord.width, 0.27 + 0.01 * (n % 3), 0.3 + 0.04 * (n % 4));
      lb.Apply(shown.total >= 0.25 ? "necklace=fail" : "necklace=?");
    });
    c.truth.push_back({"cord_shown", shown.total});
    c.truth.push_back({"cord_longest_piece", shown.longest});
  }
}

// Studs drawn on the held-out people's own earlobes (r9, stop 25): the drawn
// earrings of the first corpus are all on franck and Audrey, so how `earrings`
// does on other ears, skin and light was never measured. The lobes were read
// by eye on each person's wide_positive image at 3x with a 10 px grid (the
// wide kinds all share that placement), where a stud would pierce the lobe;
// a lobe hidden, in deep shadow or too blurred to place is left out.
void CorpusMaker::AddWideStuds() {
  struct Studs { const char* id; std::vector<cv::Point2f> lobes; };
  const Studs studs[] = {
      {"trk_mid", {{133, 319}, {353, 321}}},
      {"trk_right", {{117, 340}}},
      {"bald_bruce", {{114, 343}, {350, 343}}},
      {"cage", {{135, 349}, {343, 350}}},
      {"ocv_goatee", {{375, 336}}},
  };
  int n = 0;
  for (const Studs& s : studs) {
    const Person& p = Get(s.id);
    Layer l = Warp(p, StdPlace(p));
    Labels lb = Appearance(p);
    lb.Pass("background_uniform");
    Scene sc(BlueBackground());
    sc.Put(l);
    const bool gold = n++ % 2 == 0;
    const double diameter = 0.045 * l.g.fw;  // about 10 px at a 225 px face
    for (const cv::Point2f& lobe : s.lobes) DrawStud(sc, lobe, gold, diameter);
    lb.Fail("earrings");
    Case& c = corpus.Emit(ImageName("wide_stud", s.id, gold ? "gold" : "silver"), "wide_stud", Src(p), sc, &l.g, lb);
    c.person = PersonOf(*p.spec);
  }
}

namespace {

struct Colour {
  const char* name;
  cv::Vec3f bgr;
};
const Colour kOrnamentColours[] = {{"red", {40, 40, 200}}, {"pink", {170, 120, 240}}, {"yellow", {40, 200, 235}},
                                   {"white", {235, 235, 238}}, {"green", {70, 170, 60}}};

}  // namespace

void CorpusMaker::AddWideHairOrnaments() {
  // Everyone with hair at the temples (the bald men have none to hold a clip).
  const char* people[] = {"franck_01829", "audrey", "sean", "trk_left", "trk_mid", "trk_right", "astronaut",
                          "fa6_w1", "fa6_w2", "cage", "bieber", "ocv_goatee", "ocv_cord"};
  int n = 0;
  for (const char* id : people) AddHairOrnaments(id, &n);
}

void CorpusMaker::AddHairOrnaments(const std::string& id, int* n) {
  const Person& p = Get(id);
  for (bool band : {false, true}) {
    Layer l = Warp(p, StdPlace(p));
    Labels lb = Appearance(p);
    lb.Pass("background_uniform");
    Scene sc(BlueBackground());
    sc.Put(l);
    const Colour& c = kOrnamentColours[(*n)++ % 5];
    const bool drawn = band ? DrawHairband(sc, l, c.bgr) : DrawHairClip(sc, l, *n % 2 ? 1 : -1, c.bgr);
    if (!drawn) Die("no hair outline to draw on for " + id);
    lb.Fail("hair_ornament");
    lb.Drop({"headwear", "hair_bun"});  // a band over the crown is neither; not labelled either way
    Case& cs = corpus.Emit(ImageName(band ? "wide_hairband" : "wide_hair_clip", id, c.name),
                           band ? "wide_hairband" : "wide_hair_clip", Src(p), sc, &l.g, lb);
    cs.person = PersonOf(*p.spec);
  }
}

}  // namespace gradcap::corpus_maker
