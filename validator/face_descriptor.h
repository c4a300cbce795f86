// A face descriptor for telling whether two photos show the same person —
// the identity checks of PHOTO-SPEC.md (face_match against the enrolment
// photo, face_duplicate across the day). No face-recognition model ships in
// Debian or npm for this stack, so it is the classic one (Ahonen et al.,
// 2006): the face aligned on its eye centres, light evened out, and uniform
// LBP histograms over a grid of cells, compared by Hellinger distance. It is
// made for what capture day offers — frontal faces, one backdrop, one light —
// and measured in the README; it is a signal for a person to look at, not a
// proof.
#pragma once

#include <optional>
#include <string>

#include "common/face_distance.h"
#include "validator/analysis.h"

namespace gradcap::validator {

// 6 × 7 cells × 59 uniform-LBP bins, each cell's square-rooted histogram
// quantised to a byte (kFaceDescriptorBytes); compare with FaceDistance.
// Empty when the photo has no face.
std::string FaceDescriptor(const Analysis& a);

}  // namespace gradcap::validator
