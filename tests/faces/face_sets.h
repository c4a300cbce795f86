// Real faces and who they are, for the face-identity tests and bench: the
// photographs tests/faces/fetch-face-sets.sh fetches, every face found in
// them, and tests/faces/identities.txt saying who is who. Each face is also
// framed as a 480 × 640 diploma photo (on the reference blue where the source
// photo ends), so it can go through the validator and a drill.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "validator/face_landmarks.h"

namespace gradcap::testing {

inline constexpr char kFaceSetsDir[] = "/var/cache/gradcap/test-data/face-sets";

struct LabelledFace {
  std::string person;  // who: the same string means the same person
  std::string where;   // "dlib/bald_guys.jpg@1437,95 (310 px)"
  validator::Face face;  // in `image`'s pixels
  float source_px = 0;   // the face's width in the file's own pixels
  cv::Mat image;         // the source photo (shared between its faces)
};

// Every face of at least `min_face_px` in the sets under `root`, labelled:
// johns/<person>/*.jpg by folder; other photos by identities.txt — a face
// takes the person of the first line whose point lies inside its box; a face
// no line names is a person of its own; a face named "-" is no face. Files identities.txt skips (drawings,
// masks, repeats of one photo) are left out.
absl::StatusOr<std::vector<LabelledFace>> LoadLabelledFaces(const std::string& root,
                                                           const std::string& identities_file,
                                                           const validator::FaceLandmarker& landmarker,
                                                           int min_face_px = 60);

// The face framed as a diploma photo: 480 × 640, the face ~200 px wide,
// centred; outside the source photo the reference blue.
cv::Mat Portrait(const LabelledFace& face);

}  // namespace gradcap::testing
