// ZeroMQ adapter: the only file that includes cppzmq. A MessageSocket sends
// and receives whole multipart messages as strings. Not thread-safe: one
// socket belongs to one thread, as in ZeroMQ itself.
#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gradcap {

using Frames = std::vector<std::string>;

enum class SocketKind { kRouter, kDealer };

// The ZAP domain of the booth and validator sockets (keys under booths/).
inline constexpr char kBoothZapDomain[] = "gradcap";
// The ZAP domain of the admin and live sockets (keys under admins/).
inline constexpr char kAdminZapDomain[] = "admin";

// CURVE keys, Z85-encoded (40 characters each).
struct CurveKeyPair {
  std::string public_key;
  std::string secret_key;
};

// A fresh CURVE key pair.
absl::StatusOr<CurveKeyPair> NewCurveKeyPair();
// The public key belonging to a Z85 secret key.
absl::StatusOr<std::string> CurvePublicKey(const std::string& secret_key);

struct SocketOptions {
  // ZeroMQ drops (and disconnects) a peer sending a bigger message; set it
  // well above the application's own limit so that one gets a clear reply.
  int64_t max_message_bytes = 64 << 20;
  int linger_ms = 0;
  int send_hwm = 10000;
  int receive_hwm = 10000;
  // Router: fail sends to unknown peers instead of dropping them silently,
  // and let a reconnecting peer with the same routing id take over.
  bool router_mandatory = true;
  bool router_handover = true;
  // Dealer: queue messages only to completed connections.
  bool immediate = true;
  std::string routing_id;  // empty: let ZeroMQ choose
  // CURVE server: the ZAP domain its peers are authenticated in (a key
  // enrolled for another domain is refused here).
  std::string zap_domain = "gradcap";
  // ZMTP heartbeats detect dead TCP peers.
  int heartbeat_interval_ms = 1000;
  int heartbeat_timeout_ms = 4000;

  // CURVE. A server sets curve_server and its key pair; a client sets its key
  // pair and the server's public key. Empty: plain TCP (loopback and tests).
  bool curve_server = false;
  CurveKeyPair curve_keys;
  std::string curve_server_public_key;
};

// A key allowed in: its Z85 public key, the name its messages carry
// (a booth id, an admin's name) and the ZAP domain of the sockets it may use.
struct EnrolledKey {
  std::string public_key;
  std::string name;
  std::string domain = "gradcap";
};

// Answers ZeroMQ's authentication requests (ZAP) for every CURVE server
// socket in this process: a client whose public key is enrolled for the
// socket's domain gets in, with its name as the messages' User-Id; any other
// key is refused before a single message is read. At most one per process;
// start it before binding. A failure inside it is logged and it keeps serving.
class CurveAuthenticator {
 public:
  static absl::StatusOr<std::unique_ptr<CurveAuthenticator>> Start(std::vector<EnrolledKey> enrolled);
  // `enrolled` maps Z85 public key → name (booths, domain "gradcap").
  static absl::StatusOr<std::unique_ptr<CurveAuthenticator>> Start(
      std::vector<std::pair<std::string, std::string>> enrolled);
  uint64_t errors() const;
  ~CurveAuthenticator();
  uint64_t refused() const;

  // Takes `name`'s key in `domain` out at once: new handshakes with it fail,
  // and IsRevoked(domain, name) is true so that the sockets refuse what its
  // connections already open send (ZeroMQ cannot close one peer of a
  // ROUTER). Returns the key revoked (Z85); NotFound when `name` has no
  // enrolled key there. Thread-safe, as is everything below.
  absl::StatusOr<std::string> Revoke(const std::string& domain, const std::string& name);
  bool IsRevoked(const std::string& domain, const std::string& name) const;
  // The enrolled (not revoked) key of `name` in `domain`, Z85.
  std::optional<std::string> PublicKeyOf(const std::string& domain, const std::string& name) const;

 private:
  struct Impl;
  explicit CurveAuthenticator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class MessageSocket {
 public:
  static absl::StatusOr<std::unique_ptr<MessageSocket>> Create(SocketKind kind,
                                                               const SocketOptions& options);
  ~MessageSocket();
  MessageSocket(const MessageSocket&) = delete;
  MessageSocket& operator=(const MessageSocket&) = delete;

  absl::Status Bind(const std::string& endpoint);
  absl::Status Connect(const std::string& endpoint);
  // The endpoint actually bound (resolves "tcp://127.0.0.1:*").
  std::string LastEndpoint() const;

  // Waits up to `timeout_ms` (0: do not wait) for one whole message. When
  // `wake_fd` ≥ 0 the wait also ends as soon as that file descriptor is
  // readable (another thread's signal); the caller drains it.
  // `user_id`, when given, receives the name the authenticator gave the
  // sending peer (empty without CURVE); `peer_address` the IP address of
  // its connection (empty when ZeroMQ does not know it, e.g. inproc).
  absl::StatusOr<std::optional<Frames>> Receive(int timeout_ms, int wake_fd = -1,
                                                std::string* user_id = nullptr,
                                                std::string* peer_address = nullptr);
  // Waits up to `timeout_ms` until one of `sockets` has a message or
  // `wake_fd` (when ≥ 0) is readable. Returns one flag per socket: true
  // when that socket has a whole message to Receive(0).
  static absl::StatusOr<std::vector<bool>> WaitReadable(const std::vector<MessageSocket*>& sockets, int wake_fd,
                                                        int timeout_ms);
  // Sends without blocking. Unavailable when the message cannot be queued
  // now (high-water mark, or a router peer that is gone).
  absl::Status Send(const Frames& frames);

 private:
  struct Impl;
  explicit MessageSocket(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gradcap
