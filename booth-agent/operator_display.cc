#include "booth-agent/operator_display.h"

#include "absl/strings/str_cat.h"

namespace gradcap {
namespace {

constexpr const char* kDigits[10][5] = {
    {"█████", "█   █", "█   █", "█   █", "█████"}, {"  █  ", " ██  ", "  █  ", "  █  ", " ███ "},
    {"█████", "    █", "█████", "█    ", "█████"}, {"█████", "    █", " ████", "    █", "█████"},
    {"█   █", "█   █", "█████", "    █", "    █"}, {"█████", "█    ", "█████", "    █", "█████"},
    {"█████", "█    ", "█████", "█   █", "█████"}, {"█████", "    █", "   █ ", "  █  ", "  █  "},
    {"█████", "█   █", "█████", "█   █", "█████"}, {"█████", "█   █", "█████", "    █", "█████"},
};

}  // namespace

std::string LargeNumber(uint32_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (int row = 0; row < 5; ++row) {
    out += "    ";
    for (char d : digits) absl::StrAppend(&out, kDigits[d - '0'][row], "  ");
    out += "\n";
  }
  return out;
}

std::string RenderBoothView(const BoothView& v) {
  std::string out = absl::StrCat("机位 Booth ", v.booth, v.colleges.empty() ? "" : "   ", v.colleges, "\n");
  absl::StrAppend(&out, v.online ? "在线 online" : "离线 offline", " — ", v.waiting_in_outbox,
                  " waiting to send\n\n");
  if (v.queue.empty()) {
    absl::StrAppend(&out, "下一位 Next: (队列为空 queue empty — scan a code)\n\n");
  } else {
    const v1::QueueEntry& head = v.queue.front();
    absl::StrAppend(&out, "下一位 Next: ", head.masked_name(),
                    head.state() == v1::QUEUE_TO_SIGN ? "   请先签名 sign first" : "", "\n", LargeNumber(head.shooting_no()), "\n");
    absl::StrAppend(&out, "队列 Queue:");
    for (size_t i = 0; i < v.queue.size() && i < 12; ++i) {
      absl::StrAppend(&out, "  ", v.queue[i].shooting_no(), " ", v.queue[i].masked_name());
    }
    if (v.queue.size() > 12) absl::StrAppend(&out, "  … +", v.queue.size() - 12);
    out += "\n\n";
  }
  if (v.retake_next) out += "下一张为重拍 The next photo is a RETAKE\n";
  if (!v.held_photo.empty()) {
    absl::StrAppend(&out, "待确认照片 HELD PHOTO ", v.held_photo, "  拍摄于 taken ", v.held_photo_taken,
                    " (本机未运行时 while the agent was not running)\n",
                    "    /keep 发送 send it   /drop 搁置 set it aside (held/)\n");
  }
  if (!v.last_verdict_zh.empty()) {
    absl::StrAppend(&out, v.last_verdict_ok ? "上一条 Last: " : "上一条 Last: ✗ ", v.last_verdict_zh, " / ",
                    v.last_verdict_en, "\n");
  }
  if (const v1::PhotoVerdict& pv = v.photo_verdict; pv.verdict() != v1::VERDICT_PENDING) {
    if (pv.verdict() == v1::VERDICT_PASS) {
      absl::StrAppend(&out, "照片 Photo #", pv.shooting_no(), " ", pv.masked_name(), ": 合格 PASS");
    } else {
      absl::StrAppend(&out, "照片 Photo #", pv.shooting_no(), " ", pv.masked_name(), ": ✗ 不合格，请重拍 RETAKE (/r)");
    }
    for (const v1::CheckResult& c : pv.problems()) {
      absl::StrAppend(&out, "\n    ", c.severity() == v1::SEVERITY_REJECT ? "✗ " : "! ", c.reason_zh(), " / ", c.reason_en());
    }
    out += "\n";
  }
  for (const std::string& m : v.messages) absl::StrAppend(&out, "  · ", m, "\n");
  out +=
      "\n/s 签名 sign   /r 重拍 retake   /a 原因 absent   /p 拍照 camera photo   /n N 照片号 photo number\n";
  if (!v.held_photo.empty()) out += "/keep 发送待确认照片 send the held photo   /drop 搁置 set it aside\n";
  return out;
}

}  // namespace gradcap
