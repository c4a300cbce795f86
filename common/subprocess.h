// Child processes of gradcap's own binaries: started with fork/exec, output
// appended to a log file, optionally fed through a stdin pipe and read
// through a journal pipe, stopped with real signals. Used by drills and by
// cross-process tests. Not thread-safe.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace gradcap {

// A TCP port on 127.0.0.1 that was free a moment ago (for a child to bind).
int FreeLoopbackPort();

class ChildProcess {
 public:
  // The file descriptor the child finds its journal pipe on.
  static constexpr int kJournalFd = 3;

  ChildProcess() = default;
  ~ChildProcess();  // SIGKILLs a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `argv[0]` with `argv`; stdout and stderr are appended to
  // `log_path`. With `stdin_pipe`, WriteLine feeds the child's stdin;
  // otherwise stdin is /dev/null. With `journal_pipe`, the child gets the
  // write end of a pipe as file descriptor 3 (kJournalFd; pass e.g.
  // `--journal_fd 3` in argv) and ReadJournalLine reads what it writes there.
  bool Start(const std::vector<std::string>& argv, const std::string& log_path, bool stdin_pipe = false,
             bool journal_pipe = false);
  // Writes one line to the child's stdin pipe; false when there is none.
  bool WriteLine(const std::string& line);
  // Closes the stdin pipe: the child reads end of file.
  void CloseStdin();
  // The next whole line the child wrote to its journal pipe, without the
  // newline, waiting up to `timeout_ms` for it. nullopt on timeout, and once
  // the child has closed the pipe (exited) with no whole line left. A partial
  // line stays buffered until the rest arrives.
  std::optional<std::string> ReadJournalLine(int timeout_ms);
  void Signal(int sig);
  // Waits up to `timeout_ms`; true once the child has exited (status set).
  bool Wait(int timeout_ms);
  bool running();
  // Exit code, or 128 + signal number; -1 while running or never started.
  int exit_status() const { return status_; }
  pid_t pid() const { return pid_; }

 private:
  void CloseJournal();
  pid_t pid_ = -1;
  int status_ = -1;
  int stdin_fd_ = -1;
  int journal_fd_ = -1;          // read end of the journal pipe
  std::string journal_partial_;  // bytes after the last whole line
};

}  // namespace gradcap
