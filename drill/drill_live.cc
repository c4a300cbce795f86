#include "drill/drill_live.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/file_util.h"
#include "common/logging.h"

namespace gradcap {

absl::Status DrillSupervisor::Start(const std::string& supervisor_bin, const std::string& listen,
                                    const std::string& users_file, const std::string& live_endpoint,
                                    const std::string& work_dir) {
  if (!std::filesystem::is_regular_file(supervisor_bin)) {
    return absl::NotFoundError(absl::StrCat("cannot find the supervisor at ", supervisor_bin));
  }
  const std::string ready = work_dir + "/supervisor.ready";
  std::filesystem::remove(ready);
  if (!process_.Start({supervisor_bin, "--coordinator", live_endpoint, "--listen", listen, "--users",
                       users_file, "--ready_file", ready},
                      work_dir + "/supervisor.log")) {
    return absl::UnavailableError("cannot start the supervisor");
  }
  for (int i = 0; i < 400; ++i) {
    if (absl::StatusOr<std::string> url = ReadWholeFile(ready); url.ok() && !url->empty()) {
      url_ = std::string(absl::StripTrailingAsciiWhitespace(*url));
      LogInfo("drill", "supervisor view at ", url_, " (users from ", users_file, ")");
      return absl::OkStatus();
    }
    if (!process_.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  std::string log = ReadWholeFile(work_dir + "/supervisor.log").value_or("");
  return absl::UnavailableError(absl::StrCat("the supervisor did not start: ", log));
}

void DrillSupervisor::Stop() {
  if (!process_.running()) return;
  process_.Signal(SIGTERM);
  process_.Wait(5000);
}

void HoldForLine(int step, const std::string& why) {
  LogInfo("drill", "step ", step, ": holding (", why, "): a line on stdin goes on");
  std::string line;
  if (!std::getline(std::cin, line)) LogInfo("drill", "step ", step, ": stdin ended: going on");
}

}  // namespace gradcap
