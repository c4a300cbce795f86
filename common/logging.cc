#include "common/logging.h"

#include <cstdio>
#include <ctime>
#include <mutex>

#include "common/clock.h"

namespace gradcap {

void LogLine(LogLevel level, std::string_view component, std::string_view message) {
  static std::mutex mu;
  const int64_t ms = SystemClock::Get()->NowMs();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  const char* name = level == LogLevel::kInfo ? "INFO" : level == LogLevel::kWarning ? "WARN" : "ERROR";
  std::lock_guard<std::mutex> lock(mu);
  std::fprintf(stderr, "%s.%03dZ %s %.*s: %.*s\n", when, static_cast<int>(ms % 1000), name,
               static_cast<int>(component.size()), component.data(),
               static_cast<int>(message.size()), message.data());
}

}  // namespace gradcap
