// A plain HTTP/1.1 client over a POSIX socket, for tests of the supervisor
// (no Beast, no curl): one request per connection, and a Server-Sent Events
// reader. Loopback only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gradcap::testing {

struct HttpResult {
  int status = 0;                              // 0: no answer (connection refused, closed, timeout)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

HttpResult HttpCall(int port, const std::string& method, const std::string& path,
                    const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                    int timeout_ms = 10000);

struct SseEvent {
  std::string event;
  std::string id;
  std::string data;
};

class SseReader {
 public:
  SseReader() = default;
  ~SseReader();
  SseReader(const SseReader&) = delete;
  SseReader& operator=(const SseReader&) = delete;
  // Sends the GET; returns the response status (200 when the stream opened).
  int Open(int port, const std::string& path,
           const std::vector<std::pair<std::string, std::string>>& headers);
  // The next event (comments and retry lines skipped); nullopt on timeout or
  // when the server closed the stream.
  std::optional<SseEvent> Next(int timeout_ms);
  void Close();
  bool closed() const { return fd_ < 0; }

 private:
  bool Fill(int timeout_ms);
  int fd_ = -1;
  std::string buffer_;
};

// A connection that opens and then says nothing (an idle client).
int OpenIdleConnection(int port);
void CloseConnection(int fd);

}  // namespace gradcap::testing
