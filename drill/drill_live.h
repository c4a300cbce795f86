// The supervisor view of a drill (`gradcap drill FILE --live HOST:PORT
// --users FILE`): a supervisor process subscribed to the drill's coordinator,
// and the drill's `hold` steps, which wait for a line on stdin while the
// floor stays up.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/subprocess.h"

namespace gradcap {

class DrillSupervisor {
 public:
  // Starts `supervisor_bin` serving `listen` for `users_file`, subscribed to
  // `live_endpoint`; returns once it serves (its URL is logged).
  absl::Status Start(const std::string& supervisor_bin, const std::string& listen,
                     const std::string& users_file, const std::string& live_endpoint,
                     const std::string& work_dir);
  void Stop();
  const std::string& url() const { return url_; }

 private:
  ChildProcess process_;
  std::string url_;
};

// Waits for a line on stdin; says why first. End of input: goes on at once.
void HoldForLine(int step, const std::string& why);

}  // namespace gradcap
