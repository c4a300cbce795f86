// Lists every face tests/faces/face_sets.h finds and whom identities.txt makes
// it: for labelling new photos (`build/tests/list_faces [--portraits DIR]`).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include <opencv2/imgcodecs.hpp>

#include "tests/faces/face_sets.h"

int main(int argc, char** argv) {
  auto landmarker = gradcap::validator::FaceLandmarker::Load(gradcap::validator::kDefaultLandmarkModel);
  if (!landmarker.ok()) return 2;
  auto faces = gradcap::testing::LoadLabelledFaces(gradcap::testing::kFaceSetsDir, FACES_DIR "/identities.txt",
                                                   **landmarker, argc == 2 ? std::atoi(argv[1]) : 60);
  if (!faces.ok()) {
    std::fprintf(stderr, "%s\n", std::string(faces.status().message()).c_str());
    return 2;
  }
  std::map<std::string, int> per_person;
  for (const auto& f : *faces) ++per_person[f.person];
  int i = 0;
  for (const auto& f : *faces) {
    std::printf("%3d %-40s %s\n", i, f.person.c_str(), f.where.c_str());
    if (argc == 3 && std::string(argv[1]) == "--portraits") {
      std::filesystem::create_directories(argv[2]);
      cv::imwrite(std::string(argv[2]) + "/" + std::to_string(i) + ".jpg", gradcap::testing::Portrait(f));
    }
    ++i;
  }
  std::printf("%zu faces, %zu people\n", faces->size(), per_person.size());
  return 0;
}
