// A picture of what the validator saw, for tuning a booth or a rule: the
// background tinted, the person outlined, the 68 landmarks, the measured
// lines and the limit bands.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "validator/face_landmarks.h"
#include "validator/rules.h"

namespace gradcap::validator {

// Writes DIR/<basename of name>.debug.png.
absl::Status WriteDebugOverlay(std::string_view jpeg, const FaceLandmarker& landmarker, const RuleSet& rules,
                               const std::string& name, const std::string& dir);

}  // namespace gradcap::validator
