// Labels and corpus output: the label set of one image, JPEG encoding, the
// labels that follow from the written bytes and the placement, labels.json.
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/photos/corpus_maker.h"

namespace gradcap::corpus_maker {

// ---------------------------------------------------------------- labels

const std::vector<std::string> kChecks = {
    "image_size", "image_format", "jpeg_quality", "file_size", "single_face", "head_top",
    "eye_line", "face_width", "centered", "head_roll", "head_pose", "background_color",
    "background_uniform", "exposure", "lighting_uniform", "sharpness", "red_eye", "eyes_open",
    "mouth_closed", "hair_over_eyebrows", "ears_visible", "glasses_glare", "tinted_lenses",
    "frame_over_eyes", "headwear", "hair_bun", "hair_ornament", "earrings", "necklace",
    "clothing_color", "clothing_pattern", "clothing_style"};

void Labels::Set(const std::string& id, const std::string& v) {
  if (std::find(kChecks.begin(), kChecks.end(), id) == kChecks.end()) Die("unknown check " + id);
  if (v != "pass" && v != "fail") Die("bad label value " + v);
  m[id] = v;
  off.erase(id);
}

void Labels::Drop(const std::string& id) {
  m.erase(id);
  off.insert(id);
}

void Labels::Drop(std::initializer_list<const char*> ids) {
  for (auto* id : ids) Drop(id);
}

void Labels::Band(const std::string& id, double v, double fail_lo, double pass_lo, double pass_hi,
                  double fail_hi) {
  if (off.count(id)) return;
  m.erase(id);
  if (v >= pass_lo && v <= pass_hi) Pass(id);
  else if (v <= fail_lo || v >= fail_hi) Fail(id);
}

void Labels::Apply(const std::string& spec) {
  std::istringstream in(spec);
  std::string tok;
  while (in >> tok) {
    auto eq = tok.find('=');
    if (eq == std::string::npos) Die("bad label spec " + tok);
    std::string id = tok.substr(0, eq), v = tok.substr(eq + 1);
    if (v == "?") Drop(id);
    else Set(id, v);
  }
}

Labels Appearance(const Person& p) {
  Labels l = p.appearance;
  l.Pass("single_face");
  return l;
}

std::string Src(const Person& p) { return p.spec->label; }

// ---------------------------------------------------------------- output

namespace {

std::string JsonEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

void WriteFile(const std::string& path, const std::vector<uchar>& bytes) {
  std::ofstream o(path, std::ios::binary);
  o.write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (!o) Die("cannot write " + path);
}

}  // namespace

std::vector<uchar> EncodeJpeg(const cv::Mat3f& img, int quality) {
  cv::Mat3b b;
  img.convertTo(b, CV_8U);
  std::vector<uchar> buf;
  cv::imencode(".jpg", b, buf, {cv::IMWRITE_JPEG_QUALITY, quality});
  return buf;
}

Case& Corpus::Emit(const std::string& file, const std::string& kind, const std::string& source,
                   const Scene& sc, const Geom* geom, Labels labels, int quality) {
  std::vector<uchar> bytes = EncodeJpeg(sc.img, quality);
  WriteFile(out + "/" + file, bytes);
  cv::Mat3b dec = cv::imdecode(bytes, cv::IMREAD_COLOR);
  Case c;
  c.file = file;
  c.kind = kind;
  c.source = source;
  bool std_size = sc.img.cols == kW && sc.img.rows == kH;
  labels.Set("image_size", std_size ? "pass" : "fail");
  labels.Pass("image_format");
  labels.Set("jpeg_quality", quality >= 75 ? "pass" : "fail");
  double kb = bytes.size() / 1024.0;
  labels.Band("file_size", kb, 18, 22, 58, 62);
  double de = BackgroundDeltaE(dec, sc.occ);
  if (de >= 0) {
    if (labels.Open("background_color")) labels.Band("background_color", de, -1, 0, 5, 15);
    c.truth.push_back({"background_delta_e", de});
  }
  if (geom && std_size) {
    const Geom& g = *geom;
    double ey = g.mid.y, dx = g.mid.x - 240;
    labels.Band("head_top", g.head_top, 40, 60, 100, 120);
    labels.Band("eye_line", ey, 190, 210, 290, 310);
    labels.Band("face_width", g.fw, 170, 190, 290, 310);
    labels.Band("centered", std::fabs(dx), -1, 0, 10, 40);
    labels.Band("head_roll", std::fabs(g.roll), -1, 0, 1, 9);
    c.truth.push_back({"eye_line", ey});
    c.truth.push_back({"face_width", g.fw});
    c.truth.push_back({"head_top", g.head_top});
    c.truth.push_back({"eye_center_x", g.mid.x});
    c.truth.push_back({"roll_deg", g.roll});
    auto [face_l, clip_pct] = FaceExposure(dec, g);
    c.truth.push_back({"face_lightness", face_l});
    c.truth.push_back({"face_clipped_pct", clip_pct});
    // exposure labels must agree with what was rendered
    if (labels.m.count("exposure")) {
      bool pass = labels.m.at("exposure") == "pass";
      bool ok = pass ? (clip_pct < 0.5 && face_l > 40 && face_l < 85) : (clip_pct > 20 || face_l < 25);
      if (!ok) Die("exposure label does not match face L* " + std::to_string(face_l) + ", clipped " +
                   std::to_string(clip_pct) + "% in " + file);
    }
    double r = LeftRightRatio(dec, g);
    if (r > 0) {
      if (labels.Open("lighting_uniform")) labels.Band("lighting_uniform", r, 0.5, 0.8, 1.0, 2);
      c.truth.push_back({"lighting_lr_ratio", r});
    }
    // a deliberate one-sided light must measure as one (< 0.6)
    if (labels.m.count("lighting_uniform") && labels.m.at("lighting_uniform") == "fail" && !(r > 0 && r < 0.6))
      Die("lighting ratio " + std::to_string(r) + " too even for " + file);
  }
  c.expect = labels;
  cases.push_back(c);
  ++per_kind[kind];
  return cases.back();
}

void Corpus::EmitBytes(const std::string& file, const std::string& kind, const std::string& source,
                       const std::vector<uchar>& bytes, Labels labels) {
  WriteFile(out + "/" + file, bytes);
  Case c;
  c.file = file;
  c.kind = kind;
  c.source = source;
  c.expect = labels;
  cases.push_back(c);
  ++per_kind[kind];
}

void Corpus::WriteLabels() const {
  std::ofstream o(out + "/labels.json");
  o << "{\"version\": 1, \"images\": [\n";
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    o << "  {\"file\": \"" << JsonEscape(c.file) << "\", \"kind\": \"" << c.kind
      << "\", \"source\": \"" << JsonEscape(c.source) << "\",";
    if (!c.person.empty())
      o << " \"person\": \"" << JsonEscape(c.person) << "\", \"held_out\": " << (HeldOut(c.person) ? "true" : "false")
        << ",";
    if (c.good) o << " \"good\": true,";
    o << "\n   \"expect\": {";
    bool first = true;
    for (const auto& id : kChecks) {
      auto it = c.expect.m.find(id);
      if (it == c.expect.m.end()) continue;
      o << (first ? "" : ", ") << "\"" << id << "\": \"" << it->second << "\"";
      first = false;
    }
    o << "}";
    if (!c.truth.empty()) {
      o << ",\n   \"truth\": {";
      for (size_t k = 0; k < c.truth.size(); ++k) {
        char num[32];
        std::snprintf(num, sizeof num, "%.1f", c.truth[k].second);
        if (c.truth[k].first.find("ratio") != std::string::npos)
          std::snprintf(num, sizeof num, "%.3f", c.truth[k].second);
        o << (k ? ", " : "") << "\"" << c.truth[k].first << "\": " << num;
      }
      o << "}";
    }
    o << "}" << (i + 1 < cases.size() ? "," : "") << "\n";
  }
  o << "]}\n";
  if (!o) Die("cannot write labels.json");
}

}  // namespace gradcap::corpus_maker
