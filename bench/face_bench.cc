// Face identity benchmark (issue: face identity that tells people apart):
//  1. descriptor time per face on one core, alignment (the 150-px chip) included,
//     p50/p99, against the baseline measured in the same run on the same photos:
//     dlib's HOG face detector + 68 landmarks (what the validator already pays);
//  2. genuine and impostor distance distributions on labelled real faces
//     (a folder per person, e.g. dlib's examples/johns) and on strangers (every face
//     in every photo of --strangers is a different person), the equal error rate,
//     and the false-match / false-non-match rates at the thresholds in
//     common/face_distance.h;
//  3. search time of the coordinator's FaceIndex against 20,000 stored descriptors
//     (real descriptors, each jittered) and its memory;
//  4. the validator's whole per-photo time on 480 × 640 photos with the network,
//     against the same photos without it, and the process's RSS with it.
//
//   build/bench/face_bench [--labelled DIR] [--strangers DIR,DIR] [--corpus DIR] [--rounds 3]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/bench_util.h"
#include "common/face_distance.h"
#include "common/sha256.h"
#include "coordinator/face_index.h"
#include "validator/compare_command.h"
#include "validator/face_network.h"
#include "validator/photo_input.h"
#include "validator/photo_validator.h"

ABSL_FLAG(std::string, labelled, "/usr/share/doc/libdlib19.1/examples/johns",
          "Real faces, a folder per person (dlib's labelled chips by default).");
ABSL_FLAG(std::string, strangers, "",
          "Comma-separated folders of photos in which every face is a different person, and nobody of --labelled "
          "(group photos welcome).");
ABSL_FLAG(std::string, corpus, PHOTO_CORPUS_DIR, "480 × 640 photos for the per-photo time.");
ABSL_FLAG(int, rounds, 3, "Passes for the timings.");
ABSL_FLAG(int, stored, 20000, "Descriptors in the search index.");
ABSL_FLAG(double, list_below, 0, "Also list the impostor pairs at or below this distance (which faces).");

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace gradcap;
using namespace gradcap::validator;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
using bench::Percentile;
std::string Read(const fs::path& p) { return bench::ReadBytes(p.string()); }
long RssKb() { return bench::RssKb(getpid()); }
std::vector<fs::path> Jpegs(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".JPG") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}
double Distance(const FaceVector& a, const FaceVector& b) {
  double s = 0;
  for (int i = 0; i < kFaceDescriptorDims; ++i) s += double(a[i] - b[i]) * double(a[i] - b[i]);
  return std::sqrt(s);
}
void PrintDistribution(const char* what, const std::vector<double>& d) {
  std::printf("  %-9s n=%-6zu min %.3f  p1 %.3f  p5 %.3f  p50 %.3f  p95 %.3f  p99 %.3f  max %.3f\n", what, d.size(),
              Percentile(d, 0), Percentile(d, 0.01), Percentile(d, 0.05), Percentile(d, 0.5), Percentile(d, 0.95), Percentile(d, 0.99), Percentile(d, 1));
}

struct Person {
  std::string name;
  std::vector<FaceVector> faces;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  cv::setNumThreads(1);
  if (!InitCrypto().ok()) return 2;
  const long rss0 = RssKb();
  auto landmarker = FaceLandmarker::Load(kDefaultLandmarkModel);
  const long rss_landmarks = RssKb();
  const auto t_load = Clock::now();
  auto network = FaceNetwork::Load(kDefaultFaceModelDir);
  const double load_ms = Ms(Clock::now() - t_load);
  if (!landmarker.ok() || !network.ok()) {
    std::fprintf(stderr, "face_bench: %s\n",
                 std::string((!landmarker.ok() ? landmarker.status() : network.status()).message()).c_str());
    return 2;
  }
  const long rss_network = RssKb();
  std::printf("face network %s: loaded in %.0f ms; RSS +%ld KB for the landmarks, +%ld KB for the network\n",
              (*network)->model().c_str(), load_ms, rss_landmarks - rss0, rss_network - rss_landmarks);

  // 1. Descriptor time on the 480 × 640 corpus photos.
  std::vector<cv::Mat> photos;
  std::vector<std::string> photo_bytes;
  for (const fs::path& p : Jpegs(absl::GetFlag(FLAGS_corpus))) {
    std::string bytes = Read(p);
    auto photo = DecodePhoto(bytes);
    if (photo.ok() && photo->bgr.cols == 480 && photo->bgr.rows == 640) {
      photos.push_back(photo->bgr);
      photo_bytes.push_back(std::move(bytes));
    }
  }
  std::vector<double> describe_ms, detect_ms;
  for (int r = 0; r < absl::GetFlag(FLAGS_rounds); ++r) {
    for (const cv::Mat& bgr : photos) {
      const auto t0 = Clock::now();
      const std::vector<Face> faces = (*landmarker)->Find(bgr);
      const auto t1 = Clock::now();
      if (faces.empty()) continue;
      (void)(*network)->Describe(bgr, faces.front());
      const auto t2 = Clock::now();
      detect_ms.push_back(Ms(t1 - t0));
      describe_ms.push_back(Ms(t2 - t1));
    }
  }
  std::printf("\n1. descriptor per face, one core, chip included (%zu faces × %d rounds)\n",
              describe_ms.size() / std::max(1, absl::GetFlag(FLAGS_rounds)), absl::GetFlag(FLAGS_rounds));
  std::printf("  descriptor       p50 %6.1f ms  p99 %6.1f ms\n", Percentile(describe_ms, 0.5), Percentile(describe_ms, 0.99));
  std::printf("  baseline (HOG detector + 68 landmarks) p50 %6.1f ms  p99 %6.1f ms  -> descriptor/baseline p50 %.2f×\n",
              Percentile(detect_ms, 0.5), Percentile(detect_ms, 0.99), Percentile(describe_ms, 0.5) / std::max(1e-9, Percentile(detect_ms, 0.5)));

  // 2. Distances.
  std::vector<Person> people;
  std::set<std::string> seen_digests;
  size_t identical = 0, unreadable = 0;
  for (const auto& e : fs::directory_iterator(absl::GetFlag(FLAGS_labelled))) {
    if (!e.is_directory()) continue;
    Person person{e.path().filename().string(), {}};
    for (const fs::path& p : Jpegs(e.path())) {
      const std::string bytes = Read(p);
      if (!seen_digests.insert(ToHex(Sha256(bytes))).second) {
        ++identical;  // byte-identical copies say nothing about the network
        continue;
      }
      auto d = DescribePhoto(bytes, **landmarker, **network);
      if (d.ok()) {
        person.faces.push_back(*d);
      } else {
        ++unreadable;
      }
    }
    if (!person.faces.empty()) people.push_back(std::move(person));
  }
  std::vector<FaceVector> strangers;
  std::vector<std::string> stranger_names;
  for (absl::string_view dir : absl::StrSplit(absl::GetFlag(FLAGS_strangers), ',', absl::SkipEmpty())) {
    for (const fs::path& p : Jpegs(std::string(dir))) {
      auto photo = DecodePhoto(Read(p));
      if (!photo.ok()) continue;
      cv::Mat image = photo->bgr;
      for (const Face& f : (*landmarker)->Find(image, std::max(image.cols, image.rows))) {
        if (f.box.width < 60) continue;  // too small to be anyone's diploma photo
        strangers.push_back((*network)->Describe(image, f));
        stranger_names.push_back(absl::StrFormat("%s@%.0f,%.0f(%.0fpx)", p.filename().string(), f.box.x, f.box.y,
                                                 f.box.width));
      }
    }
  }
  std::vector<double> genuine, impostor;
  for (size_t i = 0; i < people.size(); ++i) {
    for (size_t a = 0; a < people[i].faces.size(); ++a) {
      for (size_t b = a + 1; b < people[i].faces.size(); ++b) {
        genuine.push_back(Distance(people[i].faces[a], people[i].faces[b]));
      }
      for (size_t j = i + 1; j < people.size(); ++j) {
        for (const FaceVector& other : people[j].faces) impostor.push_back(Distance(people[i].faces[a], other));
      }
      for (size_t k = 0; k < strangers.size(); ++k) {
        impostor.push_back(Distance(people[i].faces[a], strangers[k]));
        if (impostor.back() <= absl::GetFlag(FLAGS_list_below)) {
          std::printf("  impostor %.3f: %s #%zu — %s\n", impostor.back(), people[i].name.c_str(), a,
                      stranger_names[k].c_str());
        }
      }
    }
  }
  for (size_t a = 0; a < strangers.size(); ++a) {
    for (size_t b = a + 1; b < strangers.size(); ++b) {
      impostor.push_back(Distance(strangers[a], strangers[b]));
      if (impostor.back() <= absl::GetFlag(FLAGS_list_below)) {
        std::printf("  impostor %.3f: %s — %s\n", impostor.back(), stranger_names[a].c_str(), stranger_names[b].c_str());
      }
    }
  }
  size_t labelled_faces = 0;
  for (const Person& p : people) labelled_faces += p.faces.size();
  std::printf("\n2. distances: %zu people, %zu labelled faces (%zu byte-identical copies left out, %zu without a "
              "face), %zu strangers' faces\n",
              people.size(), labelled_faces, identical, unreadable, strangers.size());
  PrintDistribution("genuine", genuine);
  PrintDistribution("impostor", impostor);
  double eer = 1, eer_at = 0;
  for (double t = 0.2; t <= 1.0; t += 0.005) {
    const double fmr = double(std::count_if(impostor.begin(), impostor.end(), [&](double d) { return d <= t; })) /
                       std::max<size_t>(1, impostor.size());
    const double fnmr = double(std::count_if(genuine.begin(), genuine.end(), [&](double d) { return d > t; })) /
                        std::max<size_t>(1, genuine.size());
    if (std::abs(fmr - fnmr) < std::abs(eer - 0) && fmr >= fnmr) {
      eer = (fmr + fnmr) / 2;
      eer_at = t;
      break;
    }
  }
  std::printf("  equal error rate %.4f at %.3f\n", eer, eer_at);
  for (double t : {0.40, kFaceDuplicateDistance, kFaceSameDistance, 0.55, 0.60, kFaceDifferentDistance, 0.70}) {
    const size_t fm = std::count_if(impostor.begin(), impostor.end(), [&](double d) { return d <= t; });
    const size_t fnm = std::count_if(genuine.begin(), genuine.end(), [&](double d) { return d > t; });
    std::printf("  at %.2f%s: false matches %zu of %zu (%.5f), false non-matches %zu of %zu (%.4f)\n", t,
                t == kFaceDuplicateDistance ? " (duplicate)"
                : t == kFaceSameDistance    ? " (same)"
                : t == kFaceDifferentDistance ? " (different)"
                                              : "",
                fm,
                impostor.size(), double(fm) / std::max<size_t>(1, impostor.size()), fnm, genuine.size(),
                double(fnm) / std::max<size_t>(1, genuine.size()));
  }

  // 3. Search against `stored` descriptors.
  std::vector<FaceVector> real;
  for (const Person& p : people) real.insert(real.end(), p.faces.begin(), p.faces.end());
  real.insert(real.end(), strangers.begin(), strangers.end());
  if (real.empty()) {
    std::fprintf(stderr, "face_bench: no faces\n");
    return 2;
  }
  std::mt19937 rng(7);
  std::normal_distribution<float> jitter(0.f, 0.04f);
  FaceIndex index;
  const int stored = absl::GetFlag(FLAGS_stored);
  const long rss_before_index = RssKb();
  for (int i = 0; i < stored; ++i) {
    FaceVector v = real[size_t(i) % real.size()];
    for (float& x : v) x += jitter(rng);
    index.Put("S" + std::to_string(i), (*network)->model(), EncodeFaceDescriptor(v.data()));
  }
  const long rss_after_index = RssKb();
  std::vector<double> search_ms;
  size_t hits = 0;
  for (int q = 0; q < 1000; ++q) {
    FaceVector v = real[size_t(q * 7919) % real.size()];
    for (float& x : v) x += jitter(rng);
    const std::string d = EncodeFaceDescriptor(v.data());
    const auto t0 = Clock::now();
    hits += index.Within((*network)->model(), d, kFaceDuplicateDistance, "").size();
    search_ms.push_back(Ms(Clock::now() - t0));
  }
  std::printf("\n3. search: %zu descriptors, %zu KB of rows (RSS +%ld KB); 1,000 searches p50 %.2f ms  p99 %.2f ms  "
              "(%.1f matches each)\n",
              index.size(), index.bytes() / 1024, rss_after_index - rss_before_index, Percentile(search_ms, 0.5),
              Percentile(search_ms, 0.99), double(hits) / 1000);

  // 4. The validator's whole per-photo time, with and without the network.
  auto with = PhotoValidator::Create(kDefaultLandmarkModel, {}, {}, kDefaultFaceModelDir);
  auto without = PhotoValidator::Create(kDefaultLandmarkModel, {}, {}, "");
  if (!with.ok() || !without.ok()) return 2;
  std::vector<double> with_ms, without_ms;
  for (int r = 0; r < absl::GetFlag(FLAGS_rounds); ++r) {
    for (const std::string& bytes : photo_bytes) {
      auto t0 = Clock::now();
      (void)(*without)->Validate(bytes);
      without_ms.push_back(Ms(Clock::now() - t0));
      t0 = Clock::now();
      (void)(*with)->Validate(bytes);
      with_ms.push_back(Ms(Clock::now() - t0));
    }
  }
  std::printf("\n4. per 480 × 640 photo, all checks, one core (%zu photos × %d rounds)\n", photo_bytes.size(),
              absl::GetFlag(FLAGS_rounds));
  std::printf("  with the network    p50 %6.1f ms  p99 %6.1f ms\n", Percentile(with_ms, 0.5), Percentile(with_ms, 0.99));
  std::printf("  without (baseline)  p50 %6.1f ms  p99 %6.1f ms  -> with/without p50 %.2f×, p99 %.2f×\n",
              Percentile(without_ms, 0.5), Percentile(without_ms, 0.99), Percentile(with_ms, 0.5) / std::max(1e-9, Percentile(without_ms, 0.5)),
              Percentile(with_ms, 0.99) / std::max(1e-9, Percentile(without_ms, 0.99)));
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("  process peak RSS %ld MB (landmarks + network + two validators)\n", ru.ru_maxrss / 1024);
  return 0;
}
