// Hosts of their own on this machine for cross-process fault tests: each host
// is a network namespace (`ip netns`), joined to another by a veth pair with
// private 10.x addresses. Needs root; Permitted() says whether this machine
// lets us. Names carry the test process's pid, so parallel runs never meet.
// The destructor deletes every namespace made (their veths go with them),
// also when a test fails half-way. Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gradcap::testing {

// One veth pair: `a_if` with `a_addr` in host a, `b_if` with `b_addr` in b.
struct NetLink {
  std::string a_host, b_host;
  std::string a_if, b_if;
  std::string a_addr, b_addr;
};

class NetnsLab {
 public:
  // OK when `ip netns add` works here; otherwise why not (for GTEST_SKIP).
  static absl::Status Permitted();

  NetnsLab();
  ~NetnsLab();
  NetnsLab(const NetnsLab&) = delete;
  NetnsLab& operator=(const NetnsLab&) = delete;

  // A new namespace for `host` (e.g. "coord"), with its loopback up.
  absl::Status AddHost(const std::string& host);
  // Joins two hosts with a veth pair on a /30 of their own.
  absl::StatusOr<NetLink> Connect(const std::string& a, const std::string& b);
  // Takes both ends of `link` down (a cable pulled: packets are lost, no
  // connection is reset) or brings them back up.
  absl::Status SetLinkUp(const NetLink& link, bool up);

  // The namespace's name, for setns() or `ip netns exec`.
  std::string Netns(const std::string& host) const;
  // `argv` run inside `host`: ip netns exec NETNS argv...
  std::vector<std::string> Exec(const std::string& host, const std::vector<std::string>& argv) const;

 private:
  std::string prefix_;  // "gc<pid>"
  int links_ = 0;
  std::vector<std::string> made_;  // namespaces to delete
};

// Runs `ip ARGS...`; the error names the command and what ip said.
absl::Status Ip(const std::vector<std::string>& args);

}  // namespace gradcap::testing
