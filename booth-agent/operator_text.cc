#include "booth-agent/operator_text.h"

#include "common/codes.h"
#include "common/collection_code.h"

namespace gradcap {

OperatorText ReasonText(v1::Reason reason) {
  switch (reason) {
    case v1::REASON_UNKNOWN_CODE:
      return {"不是采集码，请出示学信网图像采集码", "not a collection code: show the image-collection code"};
    case v1::REASON_FORGED_CODE:
      return {"采集码无效（被改动或伪造）", "invalid code (altered or forged)"};
    case v1::REASON_EXPIRED_CODE:
      return {"采集码已过期，请重新生成", "code expired: generate a new one"};
    case v1::REASON_NOT_IN_ROSTER:
      return {"名单中无此学生，请联系学院", "student not on the roster: ask the college"};
    case v1::REASON_UNPAID:
      return {"未缴费，请先缴费", "not paid: pay the fee first"};
    case v1::REASON_WRONG_BOOTH:
      return {"不在本机位拍摄，请到本学院机位", "wrong booth: go to your college's booth"};
    case v1::REASON_WRONG_SHARD:
      return {"本学院不在本采集点拍摄，请到本学院机位", "your college shoots at another site: go to its booth"};
    case v1::REASON_OUTSIDE_SCHEDULE:
      return {"不在本学院采集时间内", "outside your college's time slot"};
    case v1::REASON_DUPLICATE_SCAN:
      return {"已刷码排队，请勿重复刷码", "already in a queue: do not scan twice"};
    case v1::REASON_ALREADY_PHOTOGRAPHED:
      return {"已拍摄，无需重复", "already photographed"};
    case v1::REASON_PHOTO_WITHOUT_SCAN:
      return {"无人刷码，先刷码再拍照", "nobody scanned: scan before the photo"};
    case v1::REASON_SHOOTING_NO_MISMATCH:
      return {"拍摄号不符，请按刷码顺序拍摄", "wrong number: shoot in scan order"};
    case v1::REASON_NOT_SIGNED:
      return {"请先签名再拍照", "sign before the photo"};
    case v1::REASON_NOBODY_WAITING:
      return {"队列为空", "nobody is waiting"};
    case v1::REASON_RETAKE_WITHOUT_PHOTO:
      return {"尚未拍照，无法重拍", "nothing to retake yet"};
    case v1::REASON_REASON_REQUIRED:
      return {"请填写缺席原因", "give a reason for the absence"};
    case v1::REASON_PHOTO_DIGEST_MISMATCH:
      return {"照片传输损坏，请重拍", "photo damaged in transfer: retake"};
    default:
      return {"被拒绝：" + CodeName(reason), "refused: " + CodeName(reason)};
  }
}

std::string NotACodeReason(const std::string& payload) { return NotACollectionCodeReason(payload); }

}  // namespace gradcap
