// The booth's journal (booth-agent --journal_fd N), for drills and tests: one
// line of JSON per input the agent has consumed, written once that input is
// durably handled — the events it made are in the outbox (Append returned
// OK), or the command took effect, or the agent refused it on the spot:
//
//   {"input":"line","text":"/n 3","seqs":[]}
//   {"input":"line","text":"/s","seqs":[7]}
//   {"input":"line","text":"https://qr.alipay.com/x","seqs":[],"note":"not a collection code: ..."}
//   {"input":"scan_file","name":"000001.png","seqs":[5]}
//   {"input":"hot_file","name":"000002.jpg","seqs":[6]}
//   {"input":"frame","name":"frame 12","seqs":[3]}      a video or camera frame that showed a code
//   {"held":"000003.jpg"}                               a start-up photo waiting for /keep or /drop
//   {"verdict_log_seq":41,"shooting_no":3}             a verdict reached the booth (its log record)
//   {"started":"B1","epoch":1726880400000,"last_seq":4}  first, once the sources are open: files
//                                                       arriving after it are live, not backlog
//
// `seqs` are the outbox seqs of the events the input made, which are the
// event ids the coordinator sees for this booth and epoch; empty when it made
// none, and then "note" says why. "name" also appears on /keep and /drop
// lines (the photo they decided). Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gradcap {

struct JournalEntry {
  std::string input;  // "line", "scan_file", "hot_file" or "frame"
  std::string text;   // line: the line as read (without the newline)
  std::string name;   // the file or frame; on /keep and /drop lines, the photo
  std::vector<uint64_t> seqs;
  std::string note;  // what happened when nothing was sent
};

std::string JournalJson(const JournalEntry& entry);
std::string HeldJournalJson(const std::string& name);
// A photo's verdict reached the booth (the operator sees it now).
std::string VerdictJournalJson(uint64_t verdict_log_seq, uint32_t shooting_no);
std::string StartedJournalJson(const std::string& booth, uint64_t epoch, uint64_t last_seq);

// Writes journal lines to a file descriptor the agent was given (not owned).
// A reader that has gone away stops the journal, never the booth.
class Journal {
 public:
  explicit Journal(int fd) : fd_(fd) {}
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  bool enabled() const { return fd_ >= 0; }
  // Writes `json` and a newline, whole (waits while the pipe is full).
  void Write(const std::string& json);

 private:
  int fd_;
};

}  // namespace gradcap
