// Times as the people of the day read them: China Standard Time (the
// schedule's zone), whatever zone the machine is in.
#pragma once

#include <cstdint>
#include <string>

namespace gradcap {

// "2024-09-21 09:12:05" for a Unix time in ms, in Asia/Shanghai (UTC+8 when
// the zone database is missing).
std::string LocalTimeText(int64_t ms);
// "2024-09-21 09" — the hour a time falls in.
std::string LocalHourText(int64_t ms);

}  // namespace gradcap
