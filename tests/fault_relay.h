// A TCP relay for fault tests, for kernels without `tc netem`: it listens in
// one network namespace and forwards each connection to a target, chunk by
// chunk, injecting what a bad network does to a TCP stream — delay, stalls
// (a link that silently stops carrying anything), resets (the loss a TCP
// peer actually sees), and stale data overtaking: a reset connection's
// upstream half stays open and delivers its held chunks late, after the
// client's new connection has already carried newer data (reordering across
// connections; reordering bytes inside one stream would only corrupt it).
//
// One thread, inside the namespace for its whole life, does all the I/O; the
// setters may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

namespace gradcap::testing {

struct RelayCounts {
  int accepted = 0;         // client connections taken
  int resets = 0;           // connections reset by the relay
  int stale_delivered = 0;  // chunks delivered upstream after their client was reset
  uint64_t bytes_up = 0;    // client → target
  uint64_t bytes_down = 0;  // target → client
};

class FaultRelay {
 public:
  // Listens on listen_addr:listen_port and connects to target_addr:target_port,
  // both inside network namespace `netns` ("" : this one).
  static absl::StatusOr<std::unique_ptr<FaultRelay>> Start(const std::string& netns,
                                                           const std::string& listen_addr, int listen_port,
                                                           const std::string& target_addr, int target_port);
  ~FaultRelay();
  FaultRelay(const FaultRelay&) = delete;
  FaultRelay& operator=(const FaultRelay&) = delete;

  // Every chunk, each way, goes on `ms` after it was read.
  void SetDelayMs(int ms) { delay_ms_ = ms; }
  // About every `ms`, one live connection is reset at both ends (0: never).
  void SetResetEveryMs(int ms) { reset_every_ms_ = ms; }
  // For `ms` nothing moves and no connection is taken; then held data flows.
  void Stall(int ms);
  // Resets every client connection now. With `stale_hold_ms` > 0 the upstream
  // halves stay open and deliver what they hold `stale_hold_ms` later, then close.
  void ResetAll(int stale_hold_ms = 0);

  RelayCounts counts() const;

 private:
  struct Pair;  // one client connection and ours to the target
  using Pairs = std::vector<std::unique_ptr<Pair>>;
  FaultRelay() = default;
  void Run();
  // The resets asked for (ResetAll) or due (SetResetEveryMs).
  void Reset(Pairs& pairs, int64_t now, RelayCounts* delta);
  void Accept(Pairs& pairs, RelayCounts* delta);
  // Moves what `revents` allows on one side of `p`.
  void Service(Pair& p, bool upstream, short revents, int64_t now, RelayCounts* delta);

  int listen_fd_ = -1;
  std::string target_addr_;
  int target_port_ = 0;
  std::string netns_;
  std::atomic<int> delay_ms_{0};
  std::atomic<int> reset_every_ms_{0};
  std::atomic<int64_t> stall_until_ms_{0};
  std::atomic<int> reset_all_hold_ms_{-1};  // -1: none asked
  std::atomic<bool> quit_{false};
  int64_t next_random_reset_ms_ = 0;  // relay thread only
  uint32_t random_state_ = 12345;     // relay thread only
  mutable std::mutex mu_;
  RelayCounts counts_;
  std::thread thread_;
};

}  // namespace gradcap::testing
