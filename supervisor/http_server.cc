#include "supervisor/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <optional>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"

namespace gradcap {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;
  std::atomic<size_t> connections{
      0};  // before io: connections still held by io's handlers count down into it
  int port = 0;
  net::io_context io{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  tcp::acceptor acceptor{io};
  std::thread thread;

  void Accept();
};

namespace {

const char* StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 302:
      return "Found";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

HttpResponse ErrorResponse(int status, const std::string& message) {
  HttpResponse response;
  response.status = status;
  response.body = absl::StrCat("{\"error\":\"", message, "\"}");
  return response;
}

class Connection : public std::enable_shared_from_this<Connection>, public StreamSink {
 public:
  Connection(HttpServer::Impl* server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {
    beast::error_code ec;
    tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = peer.address().to_string();
    ++server_->connections;
  }
  ~Connection() override { --server_->connections; }

  void Start() { ReadRequest(); }

  // StreamSink
  bool Write(std::string bytes) override {
    if (closed_) return false;
    if (pending_bytes_ + bytes.size() > server_->options.stream_buffer_bytes) {
      LogWarning("http", "dropping a stream to ", remote_, ": ", pending_bytes_, " bytes unread");
      Close();
      return false;
    }
    pending_bytes_ += bytes.size();
    out_.push_back(std::move(bytes));
    if (!writing_) WriteNext();
    return true;
  }
  bool open() const override { return !closed_; }
  void Close() override {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  void SendResponse(HttpResponse response, bool keep_alive) {
    if (closed_) return;
    auto message = std::make_shared<http::response<http::string_body>>();
    message->version(11);
    message->result(static_cast<unsigned>(response.status));
    message->set(http::field::content_type, response.content_type);
    message->set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : response.headers) message->insert(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive);
    message->prepare_payload();
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message, keep_alive](beast::error_code ec, size_t) {
                        if (ec || !keep_alive) {
                          self->Close();
                          return;
                        }
                        self->ReadRequest();
                      });
  }

  void StartStream(const HttpResponse& head,
                   const std::function<void(std::shared_ptr<StreamSink>)>& on_open) {
    if (closed_) return;
    std::string text = absl::StrCat(
        "HTTP/1.1 ", head.status, " ", StatusText(head.status), "\r\nContent-Type: ", head.content_type,
        "\r\nCache-Control: no-store\r\nConnection: close\r\nX-Accel-Buffering: no\r\n");
    for (const auto& [name, value] : head.headers) absl::StrAppend(&text, name, ": ", value, "\r\n");
    text += "\r\n";
    stream_.expires_never();
    Write(std::move(text));
    WatchForClose();
    on_open(shared_from_this());
  }

  const std::string& remote() const { return remote_; }

 private:
  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_->options.max_header_bytes));
    stream_.expires_after(std::chrono::seconds(server_->options.read_timeout_s));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
  }

  void OnRequest(beast::error_code ec);

  // A stream's client sends nothing more; a read that ends means it left.
  void WatchForClose() {
    stream_.socket().async_read_some(net::buffer(scratch_),
                                     [self = shared_from_this()](beast::error_code ec, size_t) {
                                       if (ec) {
                                         self->Close();
                                         return;
                                       }
                                       self->WatchForClose();
                                     });
  }

  void WriteNext() {
    writing_ = true;
    net::async_write(stream_.socket(), net::buffer(out_.front()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->pending_bytes_ -= self->out_.front().size();
                       self->out_.pop_front();
                       if (ec) {
                         self->Close();
                         self->writing_ = false;
                         return;
                       }
                       if (self->out_.empty()) {
                         self->writing_ = false;
                       } else {
                         self->WriteNext();
                       }
                     });
  }

  HttpServer::Impl* server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  std::deque<std::string> out_;
  size_t pending_bytes_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  char scratch_[512];
};

class Exchange : public HttpExchange {
 public:
  Exchange(std::shared_ptr<Connection> connection, net::io_context* io, bool keep_alive)
      : connection_(std::move(connection)), io_(io), keep_alive_(keep_alive) {}
  void Reply(HttpResponse response) override {
    net::post(*io_, [connection = connection_, response = std::move(response), keep = keep_alive_]() mutable {
      connection->SendResponse(std::move(response), keep);
    });
  }
  void OpenStream(HttpResponse head, std::function<void(std::shared_ptr<StreamSink>)> on_open) override {
    net::post(*io_, [connection = connection_, head = std::move(head), on_open = std::move(on_open)] {
      connection->StartStream(head, on_open);
    });
  }

 private:
  std::shared_ptr<Connection> connection_;
  net::io_context* io_;
  bool keep_alive_;
};

HttpMethod MethodOf(http::verb verb) {
  switch (verb) {
    case http::verb::get:
      return HttpMethod::kGet;
    case http::verb::head:
      return HttpMethod::kHead;
    case http::verb::post:
      return HttpMethod::kPost;
    default:
      return HttpMethod::kOther;
  }
}

void Connection::OnRequest(beast::error_code ec) {
  if (closed_) return;
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == net::error::operation_aborted || ec == net::error::eof || ec == net::error::connection_reset) {
    Close();
    return;
  }
  if (ec == http::error::body_limit) {
    SendResponse(ErrorResponse(413, absl::StrCat("the request body is over ", server_->options.max_body_bytes,
                                                 " bytes")),
                 false);
    return;
  }
  if (ec == http::error::header_limit) {
    SendResponse(ErrorResponse(431, "the request headers are too large"), false);
    return;
  }
  if (ec) {
    SendResponse(ErrorResponse(400, "the request is not HTTP/1.1"), false);
    return;
  }
  stream_.expires_never();  // the handler may take its time; nothing is read meanwhile
  http::request<http::string_body> message = parser_->release();
  HttpRequest request;
  request.method = MethodOf(message.method());
  const std::string target(message.target());
  const size_t q = target.find('?');
  request.path = target.substr(0, q);
  if (q != std::string::npos) request.query = target.substr(q + 1);
  for (const auto& field : message) {
    request.headers[absl::AsciiStrToLower(std::string(field.name_string()))] = std::string(field.value());
  }
  request.body = std::move(message.body());
  request.remote_address = remote_;
  auto exchange = std::make_shared<Exchange>(shared_from_this(), &server_->io, message.keep_alive());
  server_->handler(request, exchange);
}

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(io, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (!ec) {
      auto connection = std::make_shared<Connection>(this, std::move(socket));
      if (connections > static_cast<size_t>(options.max_connections)) {
        connection->SendResponse(ErrorResponse(503, "too many connections: try again shortly"), false);
      } else {
        connection->Start();
      }
    } else {
      LogWarning("http", "accept failed: ", ec.message());
    }
    Accept();
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                              HttpHandler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->handler = std::move(handler);
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(impl->options.address, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("not an IP address: ", impl->options.address));
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(impl->options.port));
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", impl->options.address, ":",
                                               impl->options.port, ": ", ec.message()));
  }
  impl->port = impl->acceptor.local_endpoint().port();
  impl->work.emplace(impl->io.get_executor());
  impl->Accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] {
    while (true) {
      try {
        raw->io.run();
        return;
      } catch (const std::exception& e) {
        LogError("http", "a connection failed: ", e.what());
      }
    }
  });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int HttpServer::port() const { return impl_->port; }

void HttpServer::Post(std::function<void()> task) { net::post(impl_->io, std::move(task)); }

size_t HttpServer::connections() const { return impl_->connections.load(); }

}  // namespace gradcap
