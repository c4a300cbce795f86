#include "tests/netns.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/process.h"

namespace gradcap::testing {
namespace {

constexpr char kIpBin[] = "/usr/sbin/ip";

}  // namespace

absl::Status Ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kIpBin};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string out;
  const int status = RunCommand(argv, &out, 20000);
  if (status == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("ip ", absl::StrJoin(args, " "), " exited ", status, ": ", out));
}

absl::Status NetnsLab::Permitted() {
  if (::geteuid() != 0) return absl::PermissionDeniedError("not root: network namespaces need root");
  if (::access(kIpBin, X_OK) != 0) return absl::NotFoundError(absl::StrCat(kIpBin, " is missing (iproute2)"));
  const std::string probe = absl::StrCat("gc", ::getpid(), "-probe");
  absl::Status added = Ip({"netns", "add", probe});
  if (!added.ok()) return added;
  return Ip({"netns", "del", probe});
}

NetnsLab::NetnsLab() : prefix_(absl::StrCat("gc", ::getpid())) {}

NetnsLab::~NetnsLab() {
  for (const std::string& ns : made_) (void)Ip({"netns", "del", ns});
}

std::string NetnsLab::Netns(const std::string& host) const { return absl::StrCat(prefix_, "-", host); }

std::vector<std::string> NetnsLab::Exec(const std::string& host, const std::vector<std::string>& argv) const {
  std::vector<std::string> out = {kIpBin, "netns", "exec", Netns(host)};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

absl::Status NetnsLab::AddHost(const std::string& host) {
  const std::string ns = Netns(host);
  (void)Ip({"netns", "del", ns});  // left over from a run that was killed
  if (absl::Status s = Ip({"netns", "add", ns}); !s.ok()) return s;
  made_.push_back(ns);
  return Ip({"-n", ns, "link", "set", "lo", "up"});
}

absl::StatusOr<NetLink> NetnsLab::Connect(const std::string& a, const std::string& b) {
  const int n = ++links_;
  NetLink link;
  link.a_host = a;
  link.b_host = b;
  // Interface names are at most 15 bytes: "gc" + pid + "v" + n + "a".
  link.a_if = absl::StrCat(prefix_, "v", n, "a");
  link.b_if = absl::StrCat(prefix_, "v", n, "b");
  // 10.(200 + pid % 50).n.0/30 — any private range would do: each
  // namespace sees only its own links.
  const std::string net = absl::StrCat("10.", 200 + ::getpid() % 50, ".", n, ".");
  link.a_addr = net + "1";
  link.b_addr = net + "2";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"link", "add", link.a_if, "netns", Netns(a), "type", "veth", "peer", "name", link.b_if, "netns",
            Netns(b)},
           {"-n", Netns(a), "addr", "add", link.a_addr + "/30", "dev", link.a_if},
           {"-n", Netns(b), "addr", "add", link.b_addr + "/30", "dev", link.b_if},
       }) {
    if (absl::Status s = Ip(args); !s.ok()) return s;
  }
  if (absl::Status s = SetLinkUp(link, true); !s.ok()) return s;
  return link;
}

absl::Status NetnsLab::SetLinkUp(const NetLink& link, bool up) {
  const char* state = up ? "up" : "down";
  if (absl::Status s = Ip({"-n", Netns(link.a_host), "link", "set", link.a_if, state}); !s.ok()) return s;
  return Ip({"-n", Netns(link.b_host), "link", "set", link.b_if, state});
}

}  // namespace gradcap::testing
