// The validator's framing (validator/framing.h) as the export's
// UploadFramer: the same crop `validator frame` makes — face ~230 px wide,
// eyes and head top in their bands, scaled to 480 × 640. The landmark model
// loads on the first capture that needs it (~2 s, ~100 MB).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "audit/export.h"

namespace gradcap {
namespace validator {
class PhotoValidator;
}

class ValidatorFramer final : public UploadFramer {
 public:
  explicit ValidatorFramer(std::string model_path);
  ~ValidatorFramer() override;
  absl::StatusOr<std::string> Frame(const std::string& capture) const override;

 private:
  std::string model_path_;
  mutable std::once_flag loaded_;
  mutable absl::StatusOr<std::unique_ptr<validator::PhotoValidator>> validator_;
};

}  // namespace gradcap
