#include "supervisor/http_client_for_tests.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gradcap::testing {
namespace {

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

enum class Read { kData, kTimeout, kClosed };

// Reads what arrives before the deadline.
Read ReadSomeOf(int fd, std::string* out, int64_t deadline_ms) {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  if (now >= deadline_ms) return Read::kTimeout;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(deadline_ms - now)) <= 0) return Read::kTimeout;
  char buf[65536];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return Read::kClosed;
  out->append(buf, static_cast<size_t>(n));
  return Read::kData;
}

bool ReadSome(int fd, std::string* out, int64_t deadline_ms) {
  return ReadSomeOf(fd, out, deadline_ms) == Read::kData;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Request(const std::string& method, const std::string& path, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers, int port, bool close) {
  std::string text = absl::StrCat(method, " ", path, " HTTP/1.1\r\nHost: 127.0.0.1:", port, "\r\n");
  for (const auto& [name, value] : headers) absl::StrAppend(&text, name, ": ", value, "\r\n");
  if (!body.empty() || method == "POST") absl::StrAppend(&text, "Content-Length: ", body.size(), "\r\n");
  if (close) text += "Connection: close\r\n";
  return text + "\r\n" + body;
}

// Parses the status line and headers at the front of `raw`; the index after
// them, or npos.
size_t ParseHead(const std::string& raw, HttpResult* result) {
  const size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return std::string::npos;
  std::vector<std::string> lines = absl::StrSplit(raw.substr(0, end), "\r\n");
  std::vector<std::string> status = absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
  if (status.size() < 2 || !absl::SimpleAtoi(status[1], &result->status)) result->status = -1;
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    result->headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
  }
  return end + 4;
}

}  // namespace

HttpResult HttpCall(int port, const std::string& method, const std::string& path, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers, int timeout_ms) {
  HttpResult result;
  const int fd = Connect(port);
  if (fd < 0) return result;
  const int64_t deadline = NowMs() + timeout_ms;
  std::string raw;
  if (SendAll(fd, Request(method, path, body, headers, port, true))) {
    while (ReadSome(fd, &raw, deadline)) {
    }
  }
  ::close(fd);
  const size_t start = ParseHead(raw, &result);
  if (start == std::string::npos) return HttpResult{};
  result.body = raw.substr(start);
  return result;
}

SseReader::~SseReader() { Close(); }

int SseReader::Open(int port, const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
  Close();
  fd_ = Connect(port);
  if (fd_ < 0) return 0;
  if (!SendAll(fd_, Request("GET", path, "", headers, port, false))) return 0;
  const int64_t deadline = NowMs() + 10000;
  HttpResult head;
  size_t start = std::string::npos;
  while ((start = ParseHead(buffer_, &head)) == std::string::npos) {
    if (!ReadSome(fd_, &buffer_, deadline)) return 0;
  }
  buffer_.erase(0, start);
  if (head.status != 200) Close();
  return head.status;
}

bool SseReader::Fill(int timeout_ms) {
  if (fd_ < 0) return false;
  const Read read = ReadSomeOf(fd_, &buffer_, NowMs() + timeout_ms);
  if (read == Read::kClosed) Close();
  return read == Read::kData;
}

std::optional<SseEvent> SseReader::Next(int timeout_ms) {
  const int64_t deadline = NowMs() + timeout_ms;
  while (true) {
    size_t end;
    while ((end = buffer_.find("\n\n")) != std::string::npos) {
      std::string block = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      SseEvent event;
      bool any = false;
      for (absl::string_view line : absl::StrSplit(block, '\n')) {
        if (line.empty() || line[0] == ':') continue;
        const size_t colon = line.find(':');
        const std::string name(line.substr(0, colon));
        std::string value(colon == absl::string_view::npos ? "" : line.substr(colon + 1));
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (name == "event") event.event = value, any = true;
        if (name == "id") event.id = value;
        if (name == "data") event.data += value, any = true;
      }
      if (any) return event;
    }
    const int64_t left = deadline - NowMs();
    if (left <= 0 || !Fill(static_cast<int>(left))) return std::nullopt;
  }
}

void SseReader::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

int OpenIdleConnection(int port) { return Connect(port); }

void CloseConnection(int fd) {
  if (fd >= 0) ::close(fd);
}

}  // namespace gradcap::testing
