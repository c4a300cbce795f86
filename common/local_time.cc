#include "common/local_time.h"

#include "absl/time/time.h"

namespace gradcap {
namespace {

const absl::TimeZone& DayZone() {
  static const absl::TimeZone zone = [] {
    absl::TimeZone z;
    return absl::LoadTimeZone("Asia/Shanghai", &z) ? z : absl::FixedTimeZone(8 * 3600);
  }();
  return zone;
}

}  // namespace

std::string LocalTimeText(int64_t ms) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(ms), DayZone());
}

std::string LocalHourText(int64_t ms) {
  return absl::FormatTime("%Y-%m-%d %H", absl::FromUnixMillis(ms), DayZone());
}

}  // namespace gradcap
