// Result builders, the list of check ids, and the checks that need only the
// file: image_format, image_size, jpeg_quality, file_size.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/logging.h"
#include "validator/checks.h"

namespace gradcap::validator {
namespace {

v1::CheckResult* Add(Results* out, std::string_view id, v1::Severity severity, std::string_view limit) {
  v1::CheckResult* r = out->Add();
  r->set_id(std::string(id));
  r->set_severity(severity);
  r->set_limit(std::string(limit));
  return r;
}

}  // namespace

void Pass(Results* out, std::string_view id, v1::Severity severity, double value, std::string_view limit) {
  v1::CheckResult* r = Add(out, id, severity, limit);
  r->set_status(v1::CHECK_PASS);
  r->set_value(value);
}

void Fail(Results* out, std::string_view id, v1::Severity severity, double value, std::string_view limit,
          std::string_view reason_zh, std::string_view reason_en) {
  v1::CheckResult* r = Add(out, id, severity, limit);
  r->set_status(v1::CHECK_FAIL);
  r->set_value(value);
  r->set_reason_zh(std::string(reason_zh));
  r->set_reason_en(std::string(reason_en));
}

void Undetermined(Results* out, std::string_view id, v1::Severity severity, std::string_view limit,
                  std::string_view reason_zh, std::string_view reason_en) {
  v1::CheckResult* r = Add(out, id, severity, limit);
  r->set_status(v1::CHECK_UNDETERMINED);
  r->set_reason_zh(std::string(reason_zh));
  r->set_reason_en(std::string(reason_en));
}

void AddMeasure(Results* out, std::string_view name, double value) {
  if (out->empty()) return;
  v1::Measure* m = out->Mutable(out->size() - 1)->add_measures();
  m->set_name(std::string(name));
  m->set_value(value);
}

const std::vector<std::string>& AllCheckIds() {
  static const std::vector<std::string> ids = {
      "image_format", "image_size", "jpeg_quality", "file_size", "single_face", "head_top", "eye_line",
      "face_width", "centered", "head_roll", "head_pose", "background_color", "background_uniform",
      "exposure", "lighting_uniform", "sharpness", "red_eye", "eyes_open", "mouth_closed",
      "hair_over_eyebrows", "ears_visible", "glasses_glare", "tinted_lenses", "frame_over_eyes", "headwear",
      "hair_bun", "hair_ornament", "earrings", "necklace", "clothing_color", "clothing_pattern",
      "clothing_style", "face_match"};
  return ids;
}

void CheckFile(const JpegInfo* info, size_t file_bytes, std::string_view format_error, const RuleSet& rules,
               Results* out) {
  if (!format_error.empty()) {
    Fail(out, "image_format", Severity::kReject, 0, "JPEG, 24-bit colour, decodes cleanly",
         absl::StrCat("图像格式错误：", Sv(format_error)), absl::StrCat("bad image file: ", Sv(format_error)));
  } else if (info != nullptr && info->orientation != 1) {
    // A portrait camera's capture: analysed upright, but a diploma photo
    // must be stored upright — upload systems ignore the tag and show it
    // turned. `validator frame` writes the crop upright.
    Fail(out, "image_format", Severity::kReject, info->orientation, "JPEG, 24-bit colour, decodes cleanly",
         absl::StrFormat("照片依赖 EXIF 方向标记（%d，存储为 %d × %d），请保存为正向图像（validator frame 会自动转正）",
                         info->orientation, info->width, info->height),
         absl::StrFormat("the photo relies on an EXIF orientation tag (%d; stored %d × %d): save it upright "
                         "(validator frame does)",
                         info->orientation, info->width, info->height));
  } else {
    Pass(out, "image_format", Severity::kReject, 1, "JPEG, 24-bit colour, decodes cleanly");
  }
  const std::string size_limit = absl::StrFormat("%d × %d px", rules.width, rules.height);
  // The size as shown: a quarter turn swaps the stored sides.
  const bool turned = info != nullptr && info->orientation >= 5;
  const int w = info == nullptr ? 0 : turned ? info->height : info->width;
  const int h = info == nullptr ? 0 : turned ? info->width : info->height;
  if (info == nullptr || info->width <= 0) {
    Undetermined(out, "image_size", Severity::kReject, size_limit, "无法读取尺寸", "size unreadable");
  } else if (w == rules.width && h == rules.height) {
    Pass(out, "image_size", Severity::kReject, w, size_limit);
  } else {
    Fail(out, "image_size", Severity::kReject, w, size_limit,
         absl::StrFormat("尺寸为 %d × %d，应为 %d × %d（可用 validator frame 裁切）", w, h, rules.width, rules.height),
         absl::StrFormat("size is %d × %d, must be %d × %d (validator frame crops it)", w, h, rules.width,
                         rules.height));
  }
  const std::string q_limit = absl::StrCat("≥ ", rules.min_jpeg_quality);
  if (info == nullptr || info->quality < 0) {
    Undetermined(out, "jpeg_quality", Severity::kReject, q_limit, "无量化表，无法估计压缩品质",
                 "no quantisation table to estimate the quality from");
  } else if (info->quality >= rules.min_jpeg_quality) {
    Pass(out, "jpeg_quality", Severity::kReject, info->quality, q_limit);
  } else {
    Fail(out, "jpeg_quality", Severity::kReject, info->quality, q_limit,
         absl::StrFormat("压缩品质约 %d，低于 %d，请以更高品质保存", info->quality, rules.min_jpeg_quality),
         absl::StrFormat("JPEG quality about %d, below %d: save at a higher quality", info->quality,
                         rules.min_jpeg_quality));
  }
  if (info != nullptr && info->quality >= 0) AddMeasure(out, "jpeg_quality", info->quality);
  const double kb = file_bytes / 1024.0;
  const std::string kb_limit = absl::StrFormat("%d–%d KB", rules.min_file_kb, rules.max_file_kb);
  if (kb >= rules.min_file_kb && kb <= rules.max_file_kb) {
    Pass(out, "file_size", Severity::kWarn, kb, kb_limit);
  } else {
    Fail(out, "file_size", Severity::kWarn, kb, kb_limit,
         absl::StrFormat("文件大小 %.1f KB，一般应在 %s", kb, kb_limit),
         absl::StrFormat("file is %.1f KB; the standard expects about %s", kb, kb_limit));
  }
  AddMeasure(out, "file_kb", kb);
}

}  // namespace gradcap::validator
