// Child processes of gradcap's own binaries: started with fork/exec, output
// appended to a log file, optionally fed through a stdin pipe, stopped with
// real signals. Used by drills and by cross-process tests. Not thread-safe.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace gradcap {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // SIGKILLs a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `argv[0]` with `argv`; stdout and stderr are appended to
  // `log_path`. With `stdin_pipe`, WriteLine feeds the child's stdin;
  // otherwise stdin is /dev/null.
  bool Start(const std::vector<std::string>& argv, const std::string& log_path, bool stdin_pipe = false);
  // Writes one line to the child's stdin pipe; false when there is none.
  bool WriteLine(const std::string& line);
  void Signal(int sig);
  // Waits up to `timeout_ms`; true once the child has exited (status set).
  bool Wait(int timeout_ms);
  bool running();
  // Exit code, or 128 + signal number; -1 while running or never started.
  int exit_status() const { return status_; }
  pid_t pid() const { return pid_; }

 private:
  void CloseStdin();
  pid_t pid_ = -1;
  int status_ = -1;
  int stdin_fd_ = -1;
};

}  // namespace gradcap
