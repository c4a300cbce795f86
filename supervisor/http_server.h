// A small asynchronous HTTP/1.1 server: the Boost.Beast adapter, and the only
// file that includes Beast or Asio. One thread runs every connection (idle
// ones cost a socket and a buffer, no thread); a handler answers each request
// now or later from any thread, or turns the connection into an event
// stream (Server-Sent Events) it writes to. Bad input is answered here: a
// request that does not parse (400), a body over the limit (413), headers over
// the limit (431), too many connections (503); a client idle past the read
// timeout is closed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace gradcap {

enum class HttpMethod { kGet, kHead, kPost, kOther };

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string path;                            // as sent, without the query (still percent-encoded)
  std::string query;                           // after '?', raw
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote_address;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// An open event stream. Use it on the server's thread only (HttpServer::Post).
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues bytes for the client; false once the stream is closed — the
  // client went away, or it has more than the server's stream buffer unread
  // (a stalled client is dropped, never waited for).
  virtual bool Write(std::string bytes) = 0;
  virtual bool open() const = 0;
  virtual void Close() = 0;
};

// One request waiting for its answer. Answer exactly once, from any thread.
class HttpExchange {
 public:
  virtual ~HttpExchange() = default;
  virtual void Reply(HttpResponse response) = 0;
  // Answers with `head`'s status and headers and no length: the connection
  // becomes an event stream. `on_open` runs on the server's thread.
  virtual void OpenStream(HttpResponse head, std::function<void(std::shared_ptr<StreamSink>)> on_open) = 0;
};

// Called on the server's thread; must not block.
using HttpHandler = std::function<void(const HttpRequest& request, std::shared_ptr<HttpExchange> exchange)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  int port = 8080;  // 0: any free port (see port())
  size_t max_body_bytes = 64 * 1024;
  size_t max_header_bytes = 16 * 1024;
  int max_connections = 8192;
  int read_timeout_s = 60;  // a connection that sends no whole request meanwhile is closed
  size_t stream_buffer_bytes = 8 << 20;
};

class HttpServer {
 public:
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();  // stops serving and closes every connection
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  // Runs `task` on the server's thread.
  void Post(std::function<void()> task);
  size_t connections() const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gradcap
