// What the operator reads: each refusal in Chinese and English, with what
// to do about it.
#pragma once

#include <string>

#include "proto/gradcap.pb.h"

namespace gradcap {

struct OperatorText {
  std::string zh;
  std::string en;
};

// An event the coordinator refused (Outcome.reason).
OperatorText ReasonText(v1::Reason reason);

// A QR that is obviously not a collection code (a web link, a WeChat or
// Alipay payment code): what it is, or empty when it may be a code.
std::string NotACodeReason(const std::string& payload);

}  // namespace gradcap
