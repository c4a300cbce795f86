#include "common/transport.h"

#include <iterator>
#include <zmq.hpp>
#include <zmq_addon.hpp>

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

absl::StatusOr<std::optional<Frames>> MessageSocket::Receive(int timeout_ms, int wake_fd) {
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

}  // namespace gradcap
