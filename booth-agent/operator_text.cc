#include "booth-agent/operator_text.h"

#include <map>

#include "common/collection_code.h"

namespace gradcap {

OperatorText ReasonText(const std::string& reason) {
  static const std::map<std::string, OperatorText> kTexts = {
      {"unknown_code", {"不是采集码，请出示学信网图像采集码", "not a collection code: show the image-collection code"}},
      {"forged_code", {"采集码无效（被改动或伪造）", "invalid code (altered or forged)"}},
      {"expired_code", {"采集码已过期，请重新生成", "code expired: generate a new one"}},
      {"not_in_roster", {"名单中无此学生，请联系学院", "student not on the roster: ask the college"}},
      {"unpaid", {"未缴费，请先缴费", "not paid: pay the fee first"}},
      {"wrong_booth", {"不在本机位拍摄，请到本学院机位", "wrong booth: go to your college's booth"}},
      {"outside_schedule", {"不在本学院采集时间内", "outside your college's time slot"}},
      {"duplicate_scan", {"已刷码排队，请勿重复刷码", "already in a queue: do not scan twice"}},
      {"already_photographed", {"已拍摄，无需重复", "already photographed"}},
      {"photo_without_scan", {"无人刷码，先刷码再拍照", "nobody scanned: scan before the photo"}},
      {"shooting_no_mismatch", {"拍摄号不符，请按刷码顺序拍摄", "wrong number: shoot in scan order"}},
      {"not_signed", {"请先签名再拍照", "sign before the photo"}},
      {"nobody_waiting", {"队列为空", "nobody is waiting"}},
      {"retake_without_photo", {"尚未拍照，无法重拍", "nothing to retake yet"}},
      {"reason_required", {"请填写缺席原因", "give a reason for the absence"}},
      {"photo_digest_mismatch", {"照片传输损坏，请重拍", "photo damaged in transfer: retake"}},
      {"booth_mismatch", {"机位身份不符，请联系管理员", "booth identity mismatch: call the administrator"}},
      {"stale_epoch", {"本机发件箱已被替换，请联系管理员", "this outbox was replaced: call the administrator"}},
  };
  auto it = kTexts.find(reason);
  if (it != kTexts.end()) return it->second;
  return {"被拒绝：" + reason, "refused: " + reason};
}

std::string NotACodeReason(const std::string& payload) { return NotACollectionCodeReason(payload); }

}  // namespace gradcap
