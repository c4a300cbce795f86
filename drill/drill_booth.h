// One booth of a drill: its booth-agent process, its code-image folder, its
// tethered-camera hot folder and its operator line — and, from the agent's
// journal (booth-agent --journal_fd), what each input became. Every input is
// confirmed durable in the booth's outbox before the drill plays the next
// step, online or offline, so a drill plays the same way however fast its
// steps follow each other and whatever is killed in between.
//
// While the agent is down, files still land in its folders (the camera and
// the phones do not stop); when it starts again it takes that backlog in the
// order it was made and holds a photo taken meanwhile until the operator
// keeps it — the drill's operator keeps it (/keep), as a person at the booth
// would after looking. Commands cannot be typed into a stopped agent: they
// are refused at their step. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/subprocess.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

struct DrillBoothOptions {
  std::string booth;
  std::string work_dir;  // scan-B1/, hot-B1/, outbox-B1/ and booth-B1.log go here
  std::string booth_bin;
  std::string endpoint;  // the coordinator's booth socket
  int timeout_ms = 30000;
  // Run the agent as exec_prefix + its command (e.g. `ip netns exec NS`),
  // with extra_args after its own (e.g. --keys DIR).
  std::vector<std::string> exec_prefix;
  std::vector<std::string> extra_args;
};

// What one input became.
struct DrillInput {
  std::vector<uint64_t> seqs;  // events the booth made of it (empty: none)
  std::string note;            // why none, when the booth said
  bool waiting = false;        // the agent is down: taken when it starts again
};

class DrillBooth {
 public:
  explicit DrillBooth(DrillBoothOptions options);
  ~DrillBooth();

  // Starts the agent and takes the backlog of files written while it was
  // down (their steps get their seqs now).
  absl::Status Start();
  void Kill();
  void Stop();
  bool running();

  // A phone's screen shown to the code camera (a PNG), or a wedge scanner's
  // line when the payload does not fit a QR (`png` empty).
  absl::StatusOr<DrillInput> ShowCode(const std::string& png, const std::string& typed, int step);
  // A shot from the tethered camera; `shooting_no` (0: none) is said first
  // with /n, `retake` with /r.
  absl::StatusOr<DrillInput> Shoot(const std::string& jpeg, uint32_t shooting_no, bool retake, int step);
  // An operator command (/s, /a REASON, /offline, /online).
  absl::StatusOr<DrillInput> Type(const std::string& line, int step);

  // Waits until the booth has been shown the verdict recorded at
  // `verdict_log_seq` (or a later one).
  absl::Status AwaitVerdict(uint64_t verdict_log_seq);

  // Booth seq → the step whose input made it.
  const std::map<uint64_t, int>& steps() const { return step_of_; }
  uint64_t last_seq() const { return last_seq_; }
  bool offline() const { return offline_; }

 private:
  struct Pending {
    std::string kind;  // "scan_file" or "hot_file"
    std::string name;
    int step = -1;
  };
  std::string WriteFile(const char* folder, const std::string& extension, const std::string& bytes);
  // Reads journal lines until one for this input arrives.
  absl::StatusOr<v1::BoothJournalLine> AwaitLine(const std::string& input, const std::string& key);
  absl::StatusOr<v1::BoothJournalLine> NextLine();
  DrillInput Taken(const v1::BoothJournalLine& line, int step);

  DrillBoothOptions options_;
  ChildProcess process_;
  int files_ = 0;
  bool offline_ = false;
  uint64_t last_seq_ = 0;
  std::map<uint64_t, int> step_of_;
  std::vector<Pending> pending_;  // written while the agent was down
  std::vector<std::string> held_;  // start-up photos the journal said it holds
  uint64_t verdict_seen_ = 0;      // the latest verdict the booth was shown
};

}  // namespace gradcap
