#include "common/subprocess.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace gradcap {

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

ChildProcess::~ChildProcess() {
  CloseStdin();
  CloseJournal();
  if (pid_ > 0 && status_ < 0) {
    ::kill(pid_, SIGKILL);
    Wait(5000);
  }
}

bool ChildProcess::Start(const std::vector<std::string>& argv, const std::string& log_path, bool stdin_pipe,
                         bool journal_pipe) {
  status_ = -1;
  CloseStdin();
  CloseJournal();
  int pipe_fds[2] = {-1, -1};
  int journal_fds[2] = {-1, -1};
  if (stdin_pipe && ::pipe2(pipe_fds, O_CLOEXEC) != 0) return false;
  if (journal_pipe && ::pipe2(journal_fds, O_CLOEXEC) != 0) {
    if (stdin_pipe) ::close(pipe_fds[0]), ::close(pipe_fds[1]);
    return false;
  }
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    for (int fd : {pipe_fds[0], pipe_fds[1], journal_fds[0], journal_fds[1]}) {
      if (fd >= 0) ::close(fd);
    }
    return false;
  }
  if (pid_ == 0) {
    // A child outlives no parent: a drill or test that is killed takes its
    // coordinator, booths and validators with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    if (stdin_pipe) {
      ::dup2(pipe_fds[0], STDIN_FILENO);
    } else {
      int devnull = ::open("/dev/null", O_RDONLY);
      if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    }
    if (journal_pipe) {
      // dup2 onto itself would keep close-on-exec set; clear it by hand then.
      if (journal_fds[1] == kJournalFd) {
        ::fcntl(kJournalFd, F_SETFD, 0);
      } else {
        ::dup2(journal_fds[1], kJournalFd);
      }
    }
    // Nothing else the parent holds leaks into the child (a test runner's
    // own descriptors, a sibling's pipes): only stdio and the journal.
    ::syscall(SYS_close_range, journal_pipe ? kJournalFd + 1 : 3u, ~0u, 0u);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (stdin_pipe) {
    ::close(pipe_fds[0]);
    stdin_fd_ = pipe_fds[1];
  }
  if (journal_pipe) {
    ::close(journal_fds[1]);  // the child holds the only write end: its exit is our end of file
    journal_fd_ = journal_fds[0];
    ::fcntl(journal_fd_, F_SETFL, ::fcntl(journal_fd_, F_GETFL) | O_NONBLOCK);
  }
  return true;
}

bool ChildProcess::WriteLine(const std::string& line) {
  if (stdin_fd_ < 0) return false;
  const std::string data = line + "\n";
  return ::write(stdin_fd_, data.data(), data.size()) == static_cast<ssize_t>(data.size());
}

void ChildProcess::CloseStdin() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

void ChildProcess::CloseJournal() {
  if (journal_fd_ >= 0) ::close(journal_fd_);
  journal_fd_ = -1;
  journal_partial_.clear();
}

std::optional<std::string> ChildProcess::ReadJournalLine(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (const size_t nl = journal_partial_.find('\n'); nl != std::string::npos) {
      std::string line = journal_partial_.substr(0, nl);
      journal_partial_.erase(0, nl + 1);
      return line;
    }
    if (journal_fd_ < 0) return std::nullopt;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{journal_fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;  // timed out (or poll failed)
    char buf[4096];
    const ssize_t n = ::read(journal_fd_, buf, sizeof buf);
    if (n > 0) {
      journal_partial_.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      ::close(journal_fd_);  // the child closed it; a last partial line is not a line
      journal_fd_ = -1;
    }
  }
}

void ChildProcess::Signal(int sig) {
  if (pid_ > 0 && status_ < 0) ::kill(pid_, sig);
}

bool ChildProcess::Wait(int timeout_ms) {
  if (pid_ <= 0) return true;
  if (status_ >= 0) return true;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int raw = 0;
    pid_t got = ::waitpid(pid_, &raw, WNOHANG);
    if (got == pid_) {
      status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool ChildProcess::running() { return pid_ > 0 && !Wait(0); }

}  // namespace gradcap
