// Internals of corpus_maker, shared by its files:
//   corpus_maker.cc      main(): options, the order of the steps; Die, Pick, ImageName
//   sources.cc           the source photographs and what was measured in them by hand
//   person.cc            face detection; cutting a person out of a source
//   scene.cc             placing a person in the frame, compositing, backgrounds
//   measure.cc           colour difference; measurements of rendered images
//   labels.cc            labels, JPEG output, labels.json
//   layer_edits.cc       clothing and lighting changes to a placed person
//   props.cc             glasses, hats, buns and jewellery drawn on top
//   kinds_framing.cc     positives; size, framing, background, face-count and file negatives
//   kinds_appearance.cc  negatives that change the person's look or the whole image
//   kinds_wide.cc        issue 13's wider set: every person in other light, tops, caps, cords
//   kinds_closeup.cc     real jewellery and sunglasses in close-up face crops
//   kinds_party.cc       real jewellery on faces cut from party photographs
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace gradcap::corpus_maker {

constexpr int kW = 480;
constexpr int kH = 640;
inline const cv::Vec3f kRefBlue(255, 197, 100);  // BGR of RGB(100,197,255)
constexpr double kPi = 3.14159265358979323846;

[[noreturn]] void Die(const std::string& msg);

// ---------------------------------------------------------------- colour (measure.cc)

// CIEDE2000 difference of two BGR colours (0..255).
double DeltaEBgr(cv::Vec3f a, cv::Vec3f b);

// Per-channel median of img (8UC3 or 32FC3) over mask != 0.
cv::Vec3f MedianColor(const cv::Mat& img, const cv::Mat1b& mask);

// ---------------------------------------------------------------- labels (labels.cc)

// The validator's checks, in labels.json order.
extern const std::vector<std::string> kChecks;

struct Labels {
  std::map<std::string, std::string> m;
  std::set<std::string> off;  // dropped on purpose: not labelled automatically either
  void Set(const std::string& id, const std::string& v);
  void Pass(const std::string& id) { Set(id, "pass"); }
  void Fail(const std::string& id) { Set(id, "fail"); }
  void Drop(const std::string& id);
  void Drop(std::initializer_list<const char*> ids);
  // Not set and not dropped: may be labelled from a measurement.
  bool Open(const std::string& id) const { return !m.count(id) && !off.count(id); }
  // pass if value is inside [pass_lo, pass_hi], fail if at or beyond fail_lo /
  // fail_hi, otherwise (too close to a limit to be sure) no label.
  void Band(const std::string& id, double v, double fail_lo, double pass_lo, double pass_hi,
            double fail_hi);
  // "eyes_open=fail mouth_closed=pass sharpness=?" ('?' drops the check).
  void Apply(const std::string& spec);
};

struct Case {
  std::string file, kind, source;
  bool good = false;  // made to be a photo a photographer accepts (the false-retake set)
  Labels expect;
  std::vector<std::pair<std::string, double>> truth;
  std::string person;  // empty: not one person of the sources (bad files, groups)
};

// ---------------------------------------------------------------- sources (sources.cc)

enum class Seg { kChroma, kGrabCut };

// Hand-measured in the source image (pixels): eye centres (pupils; image-left
// and image-right), face width cheek to cheek over inter-ocular distance, and
// chin distance below the eye line over face width. Measured on 2x-5x zooms with
// a 10 px grid; franck's width ratio is from franck_01829 (frontal), his chin
// ratio a compromise over the frames (it only places the necklace and bounds
// the clothing region). Positives are placed by StdPlace() (scene.cc).
struct SourceSpec {
  const char* id;
  const char* path;   // under --sources
  const char* label;  // "source" in labels.json
  Seg seg;
  cv::Point2f le, re;  // {0,0}: use Haar eyes
  float fw_per_iod;
  float chin_per_fw;
  float place_fw;        // face width to place positives at
  float place_head_top;  // head top to place positives at
  const char* labels;    // per-source appearance labels on top of the defaults
  std::vector<cv::Rect> bg_hints = {};  // grabCut: sure background (hand-marked)
  cv::Rect crop = {};   // group photos: the part of the source around this person
                        // (eyes, hints and lobes are in the crop's pixels); empty: all
  // Busy backgrounds: the person's outline traced by hand (crop pixels, on a 20 px
  // grid at 2.5-3x); grabCut then only decides a band along it.
  std::vector<cv::Point> outline = {};
  // Collage tiles cut close above the head: the top rows are background-free
  // (the head touches the cut), so they are faded out rather than repeated upward.
  bool close_top = false;
  // Where the clothes are, when the source shows little of them (a head cut
  // just below the chin): the colour the body is continued in. Empty: the
  // bottom rows' outer parts.
  cv::Rect cloth_hint = {};
};

// The person a source shows ("franck" for every franck frame), and whether that
// person is held out: never looked at while the validator's measures and limits
// were tuned (issue 13; photo_corpus_test reports the held-out split apart).
std::string PersonOf(const SourceSpec& spec);
bool HeldOut(const std::string& person);

// Appearance labels that hold for every person unless a source says otherwise.
extern const char* const kDefaultAppearance;
extern const std::vector<SourceSpec> kSources;

// Earlobes, hand-measured in the source (image-left, image-right; {0,0}: not
// visible).
struct Lobes {
  const char* id;
  cv::Point2f l, r;
};
// The earlobes measured in source `id`; nullptr if none were.
const Lobes* FindLobes(const std::string& id);

// ---------------------------------------------------------------- people (person.cc)

// Haar cascades shipped with OpenCV: faces, and eyes for sources without
// hand-measured eye centres.
struct Detector {
  cv::CascadeClassifier face, eye, eye_glasses;
  explicit Detector(const std::string& dir);
  static cv::Mat1b Gray(const cv::Mat3b& img);
  std::vector<cv::Rect> Faces(const cv::Mat3b& img);
  // Eye centres in the upper part of a face box: the best left and right
  // candidates, {0,0} when one side has none.
  std::pair<cv::Point2f, cv::Point2f> Eyes(const cv::Mat3b& img, const cv::Rect& f);
};

// A person cut out of a source, on a padded canvas whose border continues the
// clothing (so the body reaches the bottom edge at any placement).
struct Person {
  const SourceSpec* spec = nullptr;
  cv::Mat3f fg;     // foreground colour, BGR 0..255
  cv::Mat1f alpha;  // 0..1
  cv::Point2f le, re;
  float fw = 0;  // face width in canvas px
  float k_top = 0;  // eye line minus head top, over face width (measured on the cut-out)
  cv::Point2f offset;  // source pixel (0,0) on the canvas
  Labels appearance;
};

// Cuts the person of `spec` out of its source under `sources`. With `debug`
// set, prints the face and eyes found and writes the cut-out there.
Person MakePerson(const SourceSpec& spec, const std::string& sources, Detector& det,
                  const std::string& debug);

// ---------------------------------------------------------------- placement and scene (scene.cc)

struct Placement {
  int W = kW, H = kH;
  double fw = 225;        // face width, output px
  double head_top = 80;   // top of the head, unless eye_y is set
  std::optional<double> eye_y;  // eye line
  double cx = 240;        // eye midpoint x
  double roll = 0;        // degrees; positive: the image-right eye lower
};

struct Geom {
  cv::Mat m;                      // canvas -> output
  cv::Point2f le, re, mid, u, n;  // eyes; unit vectors along the eyes and down the face
  double fw = 0, roll = 0, head_top = 0, chin_per_fw = 0.68;
  cv::Point2f At(double along, double down) const {  // in face-width units from the eye midpoint
    return mid + u * float(along * fw) + n * float(down * fw);
  }
};

struct Layer {
  cv::Mat3f fg;
  cv::Mat1f alpha;
  Geom g;
};

// The affine map m applied to point p.
cv::Point2f Apply(const cv::Mat& m, cv::Point2f p);

// Top of the head: first row with alpha >= 0.5 within the head's columns.
double HeadTop(const cv::Mat1f& a, double cx, double fw);

// The person rendered at placement pl, with the geometry that follows.
Layer Warp(const Person& p, const Placement& pl);

// Spec framing for positives and most negatives (see scene.cc).
Placement StdPlace(const Person& p);

struct Scene {
  cv::Mat3f img;  // BGR 0..255
  cv::Mat1f occ;  // everything that is not background
  explicit Scene(const cv::Mat3f& bg) : img(bg.clone()), occ(bg.size(), 0.f) {}
  void Put(const Layer& l);
  // Paint colour (or a per-pixel colour image) through a coverage mask.
  void Paint(const cv::Mat1f& cov, const std::function<cv::Vec3f(int, int)>& color);
};

// Antialiased shape coverage: draw() paints 255 into an 8-bit mask.
cv::Mat1f Coverage(cv::Size sz, const std::function<void(cv::Mat1b&)>& draw, double blur = 0);

cv::Mat3f SolidBackground(cv::Size sz, cv::Vec3f color, uint64_t seed);

// ---------------------------------------------------------------- measurements (measure.cc)

// Median background colour of the decoded image, away from anything drawn.
double BackgroundDeltaE(const cv::Mat3b& dec, const cv::Mat1f& occ);

// Lightness of the darker cheek over the lighter one (skin pixels of the face
// band between the eye line and the mouth, split at the face midline).
double LeftRightRatio(const cv::Mat3b& dec, const Geom& g);

// Face skin lightness: mean L* and the share of blown-out pixels (all channels
// >= 250) over an ellipse from the brows to the mouth.
std::pair<double, double> FaceExposure(const cv::Mat3b& dec, const Geom& g);

// ---------------------------------------------------------------- corpus output (labels.cc)

std::vector<uchar> EncodeJpeg(const cv::Mat3f& img, int quality);

struct Corpus {
  std::string out;
  std::vector<Case> cases;
  std::map<std::string, int> per_kind;

  // Writes a rendered 8-bit image as JPEG and fills the labels that follow from
  // the bytes and the placement. geom == nullptr: no face geometry labels.
  Case& Emit(const std::string& file, const std::string& kind, const std::string& source,
             const Scene& sc, const Geom* geom, Labels labels, int quality = 90);
  void EmitBytes(const std::string& file, const std::string& kind, const std::string& source,
                 const std::vector<uchar>& bytes, Labels labels);
  void WriteLabels() const;
};

// Appearance labels that stay true whatever the framing.
Labels Appearance(const Person& p);

std::string Src(const Person& p);

// ---------------------------------------------------------------- person edits (layer_edits.cc)

// Clothing: person pixels that are not skin, below the chin or (shoulders)
// well beside and below the face.
cv::Mat1f ClothingMask(const Layer& l);

// Recolours the clothing to `color`, keeping its shading; `clean` smooths the
// mask first (whole garments, no specks; the first corpus's images without it).
void RecolorClothing(Layer& l, cv::Vec3f color, bool clean = false);

// The share of the torso region (below the neck, one face width wide: where
// clothing_color looks) that ClothingMask covers.
double TorsoClothingShare(const Layer& l);

// High-contrast stripes over the clothing: direction 0 horizontal, 1 vertical, 2 diagonal.
void StripeClothing(Layer& l, int period, int direction, cv::Vec3f dark, cv::Vec3f light);

// Darkens one side of the person (side -1: image-left) to `factor`.
void SideLight(Layer& l, int side, float factor);

// ---------------------------------------------------------------- props (props.cc)

// kTinted: near-black sunglasses; kBrownTint: a fashion tint that still shows the eyes.
enum class Lens { kPlain, kGlare, kTinted, kBrownTint };

void DrawGlasses(Scene& sc, const Geom& g, Lens lens, std::mt19937& rng);

// A dark cap: crown over the top of the hair, brim above the eyebrows.
void DrawHat(Scene& sc, const Geom& g, cv::Vec3f color);

// A bun: hair-coloured ellipse on the crown whose top is `rise` * fw above the
// top of the hair; it sinks into the hair by half as much again.
void DrawBun(Scene& sc, const Layer& l, double rise, std::mt19937& rng);

// Earrings hanging just below each visible earlobe.
void DrawEarrings(Scene& sc, const Person& p, const Layer& l, bool gold, double diameter);
// One round stud of `diameter` px centred at `c` (canvas pixels), with a highlight.
void DrawStud(Scene& sc, cv::Point2f c, bool gold, double diameter);

// A hair clip (a moulded bar 0.15 x 0.045 face widths, slanting toward the
// temple) on the hair 0.14 face widths inside the outline on one side (-1:
// image-left), 0.3 of the way from the top of the head down to the eyes.
// False when that row has no outline.
bool DrawHairClip(Scene& sc, const Layer& l, int side, cv::Vec3f colour);

// A hairband 0.045 face widths wide over the crown, 0.07 inside the outline,
// from temple to temple (down to 0.45 of the way to the eyes).
bool DrawHairband(Scene& sc, const Layer& l, cv::Vec3f colour);

// A thin bright chain hanging from both sides of the neck.
void DrawNecklace(Scene& sc, const Geom& g, bool gold);

// ---------------------------------------------------------------- the images (kinds_*.cc)

// What the image-making steps share. main() runs the Add* steps in a fixed
// order: each takes the next background seeds and draws from `rng` in turn, so
// that order fixes every image's bytes and the order of labels.json.
struct CorpusMaker {
  std::string sources;                   // --sources
  std::map<std::string, Person> people;  // by SourceSpec::id
  Corpus corpus;
  std::mt19937 rng{20240615};
  uint64_t seed = 100;   // noise seed of the last background made
  size_t next_base = 0;  // where Pick() continues in its list of bases

  const Person& Get(const std::string& id) const { return people.at(id); }
  // The reference blue with fresh noise.
  cv::Mat3f BlueBackground(cv::Size sz = cv::Size(kW, kH)) {
    return SolidBackground(sz, kRefBlue, ++seed);
  }
  // n different bases for derived negatives, in a seeded order (corpus_maker.cc).
  std::vector<std::string> Pick(int n);

  // kinds_framing.cc
  void AddPositives();
  void AddWrongSizes();         // the spec framing at another image size
  void AddGeometry();           // head high or low, face small or large, off centre, tilted
  void AddBackgroundColors();   // plain backgrounds other than the reference blue
  void AddUnevenBackgrounds();  // gradients and shadows on the reference blue
  void AddFaceCounts();         // two people, clothing only, real group and dog photographs
  void AddBadFiles();           // not a colour JPEG (image_format)
  // kinds_appearance.cc
  void AddLayerChanges();       // clothing recoloured or striped, one-sided light
  void AddProps();              // glasses, caps, buns, earrings, necklaces drawn on top
  void AddWholeImageChanges();  // under- and overexposure, blur, low JPEG quality
  void AddRealHat();            // Grace Hopper's cap
  // kinds_wide.cc (issue 13): every person on the reference blue at spec framing,
  // then in studio key+fill light, in white / black / coloured / navy / steel-blue
  // tops, under a one-sided light and under a beanie and a brimless cap.
  void AddWidePeople();
  // One person of it; `index` (its place in the list) picks the light's side,
  // the beanie's colour and the cord.
  void AddWidePerson(const std::string& id, int index);
  // Wide people added after the corpus's bytes were fixed (Tom Cruise, stop
  // 30), made last so that every image before keeps its bytes.
  void AddLatePeople();
  // kinds_closeup.cc: real earrings and sunglasses in tight face crops, pasted
  // on the reference blue and labelled only for what they show.
  void AddCloseUps();
  // Close-ups added after the corpus's bytes were fixed (stop 30), made last.
  void AddLateCloseUps();
  // kinds_wide.cc: a drawn stud on each held-out person's own visible earlobes.
  void AddWideStuds();
  // kinds_party.cc: real jewellery on faces cut from party photographs,
  // levelled and pasted on the reference blue, labelled only for jewellery.
  void AddParty();
  // kinds_wide.cc: a coloured hair clip or hairband on every person with hair.
  void AddWideHairOrnaments();
  // A clip and a band on one person's hair; `n` counts ornaments made (their colours).
  void AddHairOrnaments(const std::string& id, int* n);
};

// "kind_id[_extra].jpg"
std::string ImageName(const std::string& kind, const std::string& id, const std::string& extra = "");

}  // namespace gradcap::corpus_maker
