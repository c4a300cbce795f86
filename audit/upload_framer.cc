#include "audit/upload_framer.h"

#include "absl/strings/str_cat.h"
#include "validator/framing.h"
#include "validator/photo_input.h"
#include "validator/photo_validator.h"

namespace gradcap {

ValidatorFramer::ValidatorFramer(std::string model_path)
    : model_path_(std::move(model_path)), validator_(absl::UnknownError("not loaded")) {}

ValidatorFramer::~ValidatorFramer() = default;

absl::StatusOr<std::string> ValidatorFramer::Frame(const std::string& capture) const {
  std::call_once(loaded_, [this] { validator_ = validator::PhotoValidator::Create(model_path_, {}, {}, /*face_model_dir=*/""); });
  if (!validator_.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot load the framing model: ", validator_.status().message()));
  }
  absl::StatusOr<validator::Photo> photo = validator::DecodePhoto(capture);
  if (!photo.ok()) return photo.status();
  absl::StatusOr<validator::Framing> framing =
      validator::FramePhoto(photo->bgr, (*validator_)->landmarker(), (*validator_)->rules());
  if (!framing.ok()) return framing.status();
  return framing->jpeg;
}

}  // namespace gradcap
