#include "common/transport.h"

#include <atomic>
#include <iterator>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace gradcap {
namespace {

zmq::context_t& Context() {
  static zmq::context_t* ctx = new zmq::context_t(1);  // lives for the process
  return *ctx;
}

absl::Status FromZmq(const zmq::error_t& e, std::string_view what) {
  std::string msg = absl::StrCat(absl::string_view(what.data(), what.size()), ": ", e.what());
  if (e.num() == EAGAIN || e.num() == EHOSTUNREACH) return absl::UnavailableError(msg);
  if (e.num() == EINVAL || e.num() == EPROTONOSUPPORT || e.num() == EADDRINUSE ||
      e.num() == EADDRNOTAVAIL || e.num() == ENODEV) {
    return absl::InvalidArgumentError(msg);
  }
  return absl::InternalError(msg);
}

}  // namespace

struct MessageSocket::Impl {
  zmq::socket_t socket;
};

MessageSocket::MessageSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MessageSocket::~MessageSocket() = default;

absl::StatusOr<std::unique_ptr<MessageSocket>> MessageSocket::Create(SocketKind kind,
                                                                     const SocketOptions& o) {
  try {
    auto impl = std::make_unique<Impl>();
    impl->socket = zmq::socket_t(
        Context(), kind == SocketKind::kRouter ? zmq::socket_type::router : zmq::socket_type::dealer);
    zmq::socket_t& s = impl->socket;
    s.set(zmq::sockopt::linger, o.linger_ms);
    s.set(zmq::sockopt::maxmsgsize, o.max_message_bytes);
    s.set(zmq::sockopt::sndhwm, o.send_hwm);
    s.set(zmq::sockopt::rcvhwm, o.receive_hwm);
    s.set(zmq::sockopt::heartbeat_ivl, o.heartbeat_interval_ms);
    s.set(zmq::sockopt::heartbeat_timeout, o.heartbeat_timeout_ms);
    if (!o.routing_id.empty()) s.set(zmq::sockopt::routing_id, o.routing_id);
    if (o.curve_server) {
      s.set(zmq::sockopt::zap_domain, "gradcap");
      s.set(zmq::sockopt::curve_server, 1);
      s.set(zmq::sockopt::curve_secretkey, o.curve_keys.secret_key);
    } else if (!o.curve_server_public_key.empty()) {
      s.set(zmq::sockopt::curve_serverkey, o.curve_server_public_key);
      s.set(zmq::sockopt::curve_publickey, o.curve_keys.public_key);
      s.set(zmq::sockopt::curve_secretkey, o.curve_keys.secret_key);
    }
    if (kind == SocketKind::kRouter) {
      s.set(zmq::sockopt::router_mandatory, o.router_mandatory);
      s.set(zmq::sockopt::router_handover, o.router_handover);
    } else {
      s.set(zmq::sockopt::immediate, o.immediate);
    }
    return std::unique_ptr<MessageSocket>(new MessageSocket(std::move(impl)));
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "creating socket");
  }
}

absl::Status MessageSocket::Bind(const std::string& endpoint) {
  try {
    impl_->socket.bind(endpoint);
    return absl::OkStatus();
  } catch (const zmq::error_t& e) {
    return FromZmq(e, absl::StrCat("binding ", endpoint));
  }
}

absl::Status MessageSocket::Connect(const std::string& endpoint) {
  try {
    impl_->socket.connect(endpoint);
    return absl::OkStatus();
  } catch (const zmq::error_t& e) {
    return FromZmq(e, absl::StrCat("connecting to ", endpoint));
  }
}

std::string MessageSocket::LastEndpoint() const {
  return impl_->socket.get(zmq::sockopt::last_endpoint);
}

absl::StatusOr<std::optional<Frames>> MessageSocket::Receive(int timeout_ms, int wake_fd,
                                                             std::string* user_id) {
  try {
    if (timeout_ms > 0) {
      zmq::pollitem_t items[2] = {{impl_->socket.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, wake_fd, ZMQ_POLLIN, 0}};
      zmq::poll(items, wake_fd >= 0 ? 2 : 1, std::chrono::milliseconds(timeout_ms));
      if (!(items[0].revents & ZMQ_POLLIN)) return std::optional<Frames>();
    }
    std::vector<zmq::message_t> parts;
    auto got = zmq::recv_multipart(impl_->socket, std::back_inserter(parts),
                                   zmq::recv_flags::dontwait);
    if (!got) return std::optional<Frames>();
    if (user_id != nullptr) {
      user_id->clear();
      if (!parts.empty()) {
        // Metadata is per connection; ask the last frame (the payload).
        const char* name = zmq_msg_gets(parts.back().handle(), "User-Id");
        if (name != nullptr) *user_id = name;
      }
    }
    Frames frames;
    frames.reserve(parts.size());
    for (auto& p : parts) frames.emplace_back(static_cast<const char*>(p.data()), p.size());
    return std::optional<Frames>(std::move(frames));
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return std::optional<Frames>();
    return FromZmq(e, "receiving");
  }
}

absl::Status MessageSocket::Send(const Frames& frames) {
  try {
    for (size_t i = 0; i < frames.size(); ++i) {
      zmq::send_flags flags = zmq::send_flags::dontwait;
      if (i + 1 < frames.size()) flags = flags | zmq::send_flags::sndmore;
      auto sent = impl_->socket.send(zmq::buffer(frames[i]), flags);
      if (!sent) return absl::UnavailableError("send would block");
    }
    return absl::OkStatus();
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "sending");
  }
}

absl::StatusOr<CurveKeyPair> NewCurveKeyPair() {
  char public_key[41], secret_key[41];
  if (zmq_curve_keypair(public_key, secret_key) != 0) {
    return absl::UnimplementedError("this libzmq has no CURVE support");
  }
  return CurveKeyPair{public_key, secret_key};
}

absl::StatusOr<std::string> CurvePublicKey(const std::string& secret_key) {
  if (secret_key.size() != 40) {
    return absl::InvalidArgumentError(absl::StrCat("a CURVE secret key is 40 Z85 characters, got ",
                                                   secret_key.size()));
  }
  char public_key[41];
  if (zmq_curve_public(public_key, secret_key.c_str()) != 0) {
    return absl::InvalidArgumentError("not a Z85-encoded CURVE secret key");
  }
  return std::string(public_key);
}

struct CurveAuthenticator::Impl {
  zmq::socket_t socket;
  absl::flat_hash_map<std::string, std::string> enrolled;  // binary public key → name
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> refused{0};
  std::thread thread;

  // ZAP 1.0 (rfc.zeromq.org/spec/27): version, request id, domain, address,
  // identity, mechanism, credentials...; reply: version, request id, status
  // code, status text, user id, metadata.
  void Serve() {
    while (!stop.load()) {
      zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(100));
      if (!(item.revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> request;
      if (!zmq::recv_multipart(socket, std::back_inserter(request), zmq::recv_flags::dontwait)) continue;
      std::string status = "400", text = "unknown key", user;
      if (request.size() >= 7 && request[5].to_string() == "CURVE") {
        auto it = enrolled.find(request[6].to_string());
        if (it != enrolled.end()) {
          status = "200";
          text = "OK";
          user = it->second;
        }
      } else if (request.size() >= 6) {
        text = "CURVE required";
      }
      if (status != "200") refused.fetch_add(1);
      const std::string id = request.size() > 1 ? request[1].to_string() : std::string();
      const std::vector<zmq::const_buffer> reply = {zmq::str_buffer("1.0"), zmq::buffer(id),
                                                    zmq::buffer(status),   zmq::buffer(text),
                                                    zmq::buffer(user),     zmq::const_buffer(nullptr, 0)};
      zmq::send_multipart(socket, reply);
    }
  }
};

CurveAuthenticator::CurveAuthenticator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CurveAuthenticator::~CurveAuthenticator() {
  impl_->stop = true;
  if (impl_->thread.joinable()) impl_->thread.join();
}

uint64_t CurveAuthenticator::refused() const { return impl_->refused.load(); }

absl::StatusOr<std::unique_ptr<CurveAuthenticator>> CurveAuthenticator::Start(
    std::vector<std::pair<std::string, std::string>> enrolled) {
  auto impl = std::make_unique<Impl>();
  for (auto& [z85, name] : enrolled) {
    if (z85.size() != 40) {
      return absl::InvalidArgumentError(absl::StrCat("public key of ", name, " is not 40 Z85 characters"));
    }
    std::string binary(32, '\0');
    if (zmq_z85_decode(reinterpret_cast<uint8_t*>(binary.data()), z85.c_str()) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("public key of ", name, " is not valid Z85"));
    }
    impl->enrolled[binary] = name;
  }
  try {
    impl->socket = zmq::socket_t(Context(), zmq::socket_type::rep);
    impl->socket.set(zmq::sockopt::linger, 0);
    impl->socket.bind("inproc://zeromq.zap.01");
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "starting the CURVE authenticator");
  }
  Impl* raw = impl.get();
  raw->thread = std::thread([raw] {
    try {
      raw->Serve();
    } catch (const zmq::error_t&) {
      // The context is going away with the process.
    }
  });
  return std::unique_ptr<CurveAuthenticator>(new CurveAuthenticator(std::move(impl)));
}

}  // namespace gradcap
