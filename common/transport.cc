#include "common/transport.h"

#include <pthread.h>

#include <atomic>
#include <iterator>
#include <mutex>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"

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
      s.set(zmq::sockopt::zap_domain, o.zap_domain);
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
                                                             std::string* user_id, std::string* peer_address) {
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
    if (peer_address != nullptr) {
      peer_address->clear();
      if (!parts.empty()) {
        const char* address = zmq_msg_gets(parts.back().handle(), "Peer-Address");
        if (address != nullptr) *peer_address = address;
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

absl::StatusOr<std::vector<bool>> MessageSocket::WaitReadable(const std::vector<MessageSocket*>& sockets,
                                                              int wake_fd, int timeout_ms) {
  std::vector<zmq::pollitem_t> items;
  for (MessageSocket* s : sockets) items.push_back({s->impl_->socket.handle(), 0, ZMQ_POLLIN, 0});
  if (wake_fd >= 0) items.push_back({nullptr, wake_fd, ZMQ_POLLIN, 0});
  try {
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(timeout_ms));
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) return FromZmq(e, "waiting for messages");
    for (auto& item : items) item.revents = 0;
  }
  std::vector<bool> readable(sockets.size());
  for (size_t i = 0; i < sockets.size(); ++i) readable[i] = (items[i].revents & ZMQ_POLLIN) != 0;
  return readable;
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
  mutable std::mutex mu;  // guards the two below (the ZAP thread reads, sockets' threads revoke)
  // domain '\0' binary public key → name
  absl::flat_hash_map<std::string, std::string> enrolled;
  // domain '\0' name, of keys revoked while running
  absl::flat_hash_set<std::string> revoked;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> errors{0};
  std::thread thread;

  // Serves until stopped. A ZeroMQ error (an interrupted poll, a request it
  // cannot answer) is logged and serving goes on: a dead authenticator would
  // silently refuse every new peer. Only the end of the context stops it.
  void Run() {
    while (!stop.load()) {
      try {
        ServeOne();
      } catch (const zmq::error_t& e) {
        if (e.num() == ETERM) return;
        if (e.num() == EINTR) continue;
        errors.fetch_add(1);
        LogError("curve-auth", "ZAP handler: ", e.what(), " — still serving");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // no busy loop on a lasting error
      } catch (const std::exception& e) {
        errors.fetch_add(1);
        LogError("curve-auth", "ZAP handler: ", e.what(), " — still serving");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }

  // ZAP 1.0 (rfc.zeromq.org/spec/27): version, request id, domain, address,
  // identity, mechanism, credentials...; reply: version, request id, status
  // code, status text, user id, metadata. Served on a ROUTER (after the
  // peer's routing id and an empty delimiter), so a request that cannot be
  // answered leaves no half-done exchange behind.
  void ServeOne() {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(100));
    if (!(item.revents & ZMQ_POLLIN)) return;
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
    if (frames.size() < 4 || frames[1].size() != 0) {
      errors.fetch_add(1);
      LogError("curve-auth", "a ZAP request of ", frames.size(), " frames without an envelope: ignored");
      return;
    }
    const size_t base = 2;  // routing id, delimiter
    auto part = [&](size_t i) { return base + i < frames.size() ? frames[base + i].to_string() : std::string(); };
    std::string status = "400", text = "unknown key", user;
    if (frames.size() >= base + 7 && part(5) == "CURVE") {
      std::lock_guard<std::mutex> lock(mu);
      auto it = enrolled.find(part(2) + '\0' + part(6));
      if (it != enrolled.end()) {
        status = "200";
        text = "OK";
        user = it->second;
      }
    } else if (frames.size() >= base + 6) {
      text = "CURVE required";
    }
    if (status != "200") refused.fetch_add(1);
    const std::string routing = frames[0].to_string();
    const std::string id = part(1);
    const std::vector<zmq::const_buffer> reply = {
        zmq::buffer(routing), zmq::const_buffer(nullptr, 0), zmq::str_buffer("1.0"), zmq::buffer(id),
        zmq::buffer(status),  zmq::buffer(text),             zmq::buffer(user),      zmq::const_buffer(nullptr, 0)};
    zmq::send_multipart(socket, reply, zmq::send_flags::dontwait);
  }
};

CurveAuthenticator::CurveAuthenticator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CurveAuthenticator::~CurveAuthenticator() {
  impl_->stop = true;
  if (impl_->thread.joinable()) impl_->thread.join();
}

uint64_t CurveAuthenticator::refused() const { return impl_->refused.load(); }

absl::StatusOr<std::string> CurveAuthenticator::Revoke(const std::string& domain, const std::string& name) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const std::string prefix = domain + '\0';
  for (auto it = impl_->enrolled.begin(); it != impl_->enrolled.end(); ++it) {
    if (it->second != name || it->first.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string binary = it->first.substr(prefix.size());
    char z85[41];
    zmq_z85_encode(z85, reinterpret_cast<const uint8_t*>(binary.data()), binary.size());
    impl_->enrolled.erase(it);
    impl_->revoked.insert(domain + '\0' + name);
    return std::string(z85);
  }
  return absl::NotFoundError(absl::StrCat("no key is enrolled for \"", name, "\" on the ", domain, " sockets"));
}

bool CurveAuthenticator::IsRevoked(const std::string& domain, const std::string& name) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->revoked.contains(domain + '\0' + name);
}

std::optional<std::string> CurveAuthenticator::PublicKeyOf(const std::string& domain, const std::string& name) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const std::string prefix = domain + '\0';
  for (const auto& [key, enrolled_name] : impl_->enrolled) {
    if (enrolled_name != name || key.compare(0, prefix.size(), prefix) != 0) continue;
    char z85[41];
    zmq_z85_encode(z85, reinterpret_cast<const uint8_t*>(key.data() + prefix.size()), key.size() - prefix.size());
    return std::string(z85);
  }
  return std::nullopt;
}
uint64_t CurveAuthenticator::errors() const { return impl_->errors.load(); }

absl::StatusOr<std::unique_ptr<CurveAuthenticator>> CurveAuthenticator::Start(
    std::vector<std::pair<std::string, std::string>> enrolled) {
  std::vector<EnrolledKey> keys;
  for (auto& [z85, name] : enrolled) keys.push_back(EnrolledKey{std::move(z85), std::move(name)});
  return Start(std::move(keys));
}

absl::StatusOr<std::unique_ptr<CurveAuthenticator>> CurveAuthenticator::Start(std::vector<EnrolledKey> enrolled) {
  auto impl = std::make_unique<Impl>();
  for (auto& [z85, name, domain] : enrolled) {
    if (z85.size() != 40) {
      return absl::InvalidArgumentError(absl::StrCat("public key of ", name, " is not 40 Z85 characters"));
    }
    std::string binary(32, '\0');
    if (zmq_z85_decode(reinterpret_cast<uint8_t*>(binary.data()), z85.c_str()) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("public key of ", name, " is not valid Z85"));
    }
    impl->enrolled[domain + '\0' + binary] = name;
  }
  try {
    impl->socket = zmq::socket_t(Context(), zmq::socket_type::router);
    impl->socket.set(zmq::sockopt::linger, 0);
    impl->socket.bind("inproc://zeromq.zap.01");
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "starting the CURVE authenticator");
  }
  Impl* raw = impl.get();
  raw->thread = std::thread([raw] {
    pthread_setname_np(pthread_self(), "gradcap-zap");  // findable in /proc/self/task/*/comm
    raw->Run();
  });
  return std::unique_ptr<CurveAuthenticator>(new CurveAuthenticator(std::move(impl)));
}

}  // namespace gradcap
