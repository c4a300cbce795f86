#include "tests/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace gradcap::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string WaitForFile(const std::string& path, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string content = ReadFile(path);
    if (!content.empty()) return content.substr(0, content.find('\n'));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return "";
}

int RunCommand(const std::vector<std::string>& argv, std::string* out, int timeout_ms) {
  char tmpl[] = "/tmp/gradcap-cmd-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ::close(fd);
  ChildProcess child;
  if (!child.Start(argv, tmpl)) return -1;
  if (!child.Wait(timeout_ms)) child.Signal(SIGKILL), child.Wait(5000);
  if (out != nullptr) *out = ReadFile(tmpl);
  ::unlink(tmpl);
  return child.exit_status();
}

}  // namespace gradcap::testing
