// Test helper: real child processes (the gradcap binaries) started with
// fork/exec, their output appended to a log file, killed with real signals.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace gradcap::testing {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // SIGKILLs a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `argv[0]` with `argv`; stdout and stderr are appended to `log_path`.
  bool Start(const std::vector<std::string>& argv, const std::string& log_path);
  void Signal(int sig);
  // Waits up to `timeout_ms`; true once the child has exited (status set).
  bool Wait(int timeout_ms);
  bool running();
  // Exit code, or 128 + signal number; -1 while running or never started.
  int exit_status() const { return status_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();

// Waits until `path` exists and is non-empty; returns its first line.
std::string WaitForFile(const std::string& path, int timeout_ms);

// Runs a command to completion; returns its exit status and captures stdout.
int RunCommand(const std::vector<std::string>& argv, std::string* out, int timeout_ms = 60000);

std::string ReadFile(const std::string& path);

}  // namespace gradcap::testing
