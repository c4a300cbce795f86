#include "live/live_text.h"

#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/codes.h"

namespace gradcap {
namespace {

// HH:MM:SS in China time (the day's clocks are Beijing time).
std::string ClockText(int64_t ms) {
  if (ms <= 0) return "--:--:--";
  const int64_t seconds = ms / 1000 + 8 * 3600;
  return absl::StrFormat("%02d:%02d:%02d", (seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
}

void AppendBooth(const v1::BoothState& booth, const LiveTextOptions& options, std::string* out) {
  absl::StrAppend(
      out, absl::StrFormat("%-6s %s  当前 now #%-4u 等待 waiting %-3d 待上传 outbox %-3u 拒扫 refused %-3u "
                           "心跳 heard %s  [%s]\n",
                           booth.booth(), booth.online() ? "在线 online " : "离线 OFFLINE",
                           booth.current_shooting_no(), booth.queue_size(), booth.outbox_depth(),
                           booth.refused_scans(), ClockText(booth.last_heard_ms()),
                           absl::StrJoin(booth.colleges(), ",")));
  if (booth.queue_size() > 0) {
    std::vector<std::string> queue;
    for (int i = 0; i < booth.queue_size() && i < options.queue_shown; ++i) {
      queue.push_back(absl::StrCat("#", booth.queue(i).shooting_no(), " ", booth.queue(i).masked_name()));
    }
    if (booth.queue_size() > options.queue_shown)
      queue.push_back(absl::StrCat("… +", booth.queue_size() - options.queue_shown));
    absl::StrAppend(out, "       排队 queue: ", absl::StrJoin(queue, "  "), "\n");
  }
  for (const v1::PhotoVerdict& photo : booth.recent()) {
    std::vector<std::string> problems;
    for (const v1::CheckResult& check : photo.problems()) problems.push_back(check.id());
    absl::StrAppend(out, "       照片 photo #", photo.shooting_no(), " ", photo.masked_name(), " ",
                    CodeName(photo.verdict()),
                    problems.empty() ? "" : absl::StrCat(" (", absl::StrJoin(problems, ", "), ")"), "\n");
  }
}

}  // namespace

std::string FormatLiveText(const LiveState& state, LinkState link, const LiveTextOptions& options) {
  std::string out =
      absl::StrCat("gradcap watch ", options.endpoint, "  run ", state.run(), "  seq ", state.seq(), "  ",
                   ClockText(state.now_ms()), "  ", LinkStateName(link), "\n\n");
  absl::StrAppend(&out, "机位 Booths (", state.booths().size(), ")\n");
  for (const auto& [id, booth] : state.booths()) AppendBooth(booth, options, &out);
  int open = 0;
  std::string alerts;
  for (const auto& [id, alert] : state.alerts()) {
    if (alert.acknowledged()) continue;
    ++open;
    absl::StrAppend(&alerts, "  ", ClockText(alert.raised_at_ms()), " ", CodeName(alert.alert().kind()), " ",
                    alert.alert().booth(), " ", alert.college(), " ", alert.alert().detail(), "  [", id,
                    "]\n");
  }
  absl::StrAppend(&out, "\n警报 Open alerts (", open, ")\n", alerts);
  absl::StrAppend(&out, "\n学院 Colleges\n");
  for (const auto& [name, c] : state.colleges()) {
    absl::StrAppend(
        &out, absl::StrFormat("  %s  名单 roster %u  扫码 scanned %u  已拍 photographed %u  合格 passed %u  "
                              "缺席 absent %u  等待 waiting %u  未到 not scanned %u%s\n",
                              name, c.roster(), c.scanned(), c.photographed(), c.passed(), c.absent(),
                              c.waiting(), c.not_scanned(), c.closed() ? "  已核准 CLOSED" : ""));
  }
  return out;
}

}  // namespace gradcap
