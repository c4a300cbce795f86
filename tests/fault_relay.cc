#include "tests/fault_relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <future>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"

namespace gradcap::testing {

// Bytes read from one side, to be written to the other at `due_ms`.
struct RelayChunk {
  int64_t due_ms;
  std::string bytes;
};

namespace {

constexpr size_t kMaxHeldChunks = 256;  // per direction, then reading pauses

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Closes with an RST, as a peer that vanished or a middlebox that gave up.
void ResetSocket(int fd) {
  if (fd < 0) return;
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

sockaddr_in Address(const std::string& addr, int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
  return sa;
}

absl::Status EnterNetns(const std::string& netns) {
  if (netns.empty()) return absl::OkStatus();
  const std::string path = "/var/run/netns/" + netns;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat("open ", path, ": ", std::strerror(errno)));
  const int entered = ::setns(fd, CLONE_NEWNET);  // this thread only
  const int err = errno;
  ::close(fd);
  if (entered != 0)
    return absl::PermissionDeniedError(absl::StrCat("setns ", netns, ": ", std::strerror(err)));
  return absl::OkStatus();
}

// Writes what is due at the front of `q`; false when the socket failed.
bool WriteDue(int fd, std::deque<RelayChunk>& q, int64_t now, int* chunks_done) {
  while (!q.empty() && q.front().due_ms <= now) {
    std::string& b = q.front().bytes;
    const ssize_t n = ::send(fd, b.data(), b.size(), MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    b.erase(0, static_cast<size_t>(n));
    if (!b.empty()) return true;
    q.pop_front();
    ++*chunks_done;
  }
  return true;
}

// Reads what is there into `q` (due after `delay_ms`); false on end or error.
bool ReadInto(int fd, std::deque<RelayChunk>* q, int64_t due_ms, uint64_t* bytes) {
  char buf[65536];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  if (n == 0) return false;
  *bytes += static_cast<uint64_t>(n);
  if (q != nullptr) q->push_back({due_ms, std::string(buf, static_cast<size_t>(n))});
  return true;
}

}  // namespace

struct FaultRelay::Pair {
  int down = -1;  // the client's connection
  int up = -1;    // ours to the target
  bool up_connected = false;
  bool stale = false;  // client reset; `up` delivers what it holds, then closes
  bool dead = false;
  std::deque<RelayChunk> to_up, to_down;

  void Close(bool reset) {
    reset ? ResetSocket(down) : (void)::close(down);
    reset ? ResetSocket(up) : (void)::close(up);
    down = up = -1;
    dead = true;
  }
};

absl::StatusOr<std::unique_ptr<FaultRelay>> FaultRelay::Start(const std::string& netns,
                                                              const std::string& listen_addr, int listen_port,
                                                              const std::string& target_addr,
                                                              int target_port) {
  std::unique_ptr<FaultRelay> relay(new FaultRelay());
  relay->netns_ = netns;
  relay->target_addr_ = target_addr;
  relay->target_port_ = target_port;
  std::promise<absl::Status> listening;
  std::future<absl::Status> ready = listening.get_future();
  FaultRelay* r = relay.get();
  relay->thread_ = std::thread([r, listen_addr, listen_port, &listening] {
    absl::Status entered = EnterNetns(r->netns_);
    if (entered.ok()) {
      r->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      const int one = 1;
      ::setsockopt(r->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_in sa = Address(listen_addr, listen_port);
      if (::bind(r->listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
          ::listen(r->listen_fd_, 64) != 0) {
        entered = absl::UnavailableError(absl::StrCat("relay cannot listen on ", listen_addr, ":",
                                                      listen_port, ": ", std::strerror(errno)));
      }
    }
    const bool ok = entered.ok();
    listening.set_value(std::move(entered));
    if (ok) r->Run();
  });
  absl::Status started = ready.get();
  if (!started.ok()) {
    relay->thread_.join();
    return started;
  }
  return relay;
}

FaultRelay::~FaultRelay() {
  quit_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void FaultRelay::Stall(int ms) { stall_until_ms_ = NowMs() + ms; }

void FaultRelay::ResetAll(int stale_hold_ms) { reset_all_hold_ms_ = std::max(0, stale_hold_ms); }

RelayCounts FaultRelay::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

void FaultRelay::Reset(Pairs& pairs, int64_t now, RelayCounts* delta) {
  if (const int hold = reset_all_hold_ms_.exchange(-1); hold >= 0) {
    for (auto& p : pairs) {
      if (p->stale || p->dead) continue;
      ++delta->resets;
      if (hold == 0 || !p->up_connected) {
        p->Close(/*reset=*/true);
        continue;
      }
      ResetSocket(p->down);
      p->down = -1;
      p->stale = true;
      p->to_down.clear();
      for (RelayChunk& c : p->to_up) c.due_ms = now + hold;
    }
  }
  const int every = reset_every_ms_.load();
  if (every <= 0 || now < next_random_reset_ms_) return;
  std::minstd_rand rng(random_state_++);
  next_random_reset_ms_ = now + std::uniform_int_distribution<int>(every / 2, every * 3 / 2)(rng);
  std::vector<Pair*> live;
  for (auto& p : pairs) {
    if (!p->stale && !p->dead) live.push_back(p.get());
  }
  if (live.empty()) return;
  live[std::uniform_int_distribution<size_t>(0, live.size() - 1)(rng)]->Close(/*reset=*/true);
  ++delta->resets;
}

void FaultRelay::Accept(Pairs& pairs, RelayCounts* delta) {
  const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return;
  auto p = std::make_unique<Pair>();
  p->down = fd;
  p->up = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in sa = Address(target_addr_, target_port_);
  if (::connect(p->up, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS) {
    p->Close(/*reset=*/true);
    return;
  }
  ++delta->accepted;
  pairs.push_back(std::move(p));
}

void FaultRelay::Service(Pair& p, bool upstream, short revents, int64_t now, RelayCounts* delta) {
  const int fd = upstream ? p.up : p.down;
  if (upstream && !p.up_connected) {  // the connect has finished, one way or the other
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (revents & (POLLERR | POLLHUP))) {
      p.Close(/*reset=*/true);
    } else {
      p.up_connected = true;
    }
    return;
  }
  const int64_t due = now + delay_ms_.load();
  bool alive = true;
  if (revents & (POLLIN | POLLHUP | POLLERR)) {
    alive = upstream ? ReadInto(fd, p.stale ? nullptr : &p.to_down, due, &delta->bytes_down)
                     : ReadInto(fd, &p.to_up, due, &delta->bytes_up);
  }
  if (alive && (revents & POLLOUT)) {
    int done = 0;
    alive = WriteDue(fd, upstream ? p.to_up : p.to_down, now, &done);
    if (upstream && p.stale) delta->stale_delivered += done;
  }
  if (!alive) p.Close(/*reset=*/false);
}

void FaultRelay::Run() {
  Pairs pairs;
  while (!quit_.load()) {
    const int64_t now = NowMs();
    RelayCounts delta;
    Reset(pairs, now, &delta);
    const bool stalled = now < stall_until_ms_.load();
    std::vector<pollfd> fds = {{listen_fd_, static_cast<short>(stalled ? 0 : POLLIN), 0}};
    std::vector<std::pair<Pair*, bool>> owners = {{nullptr, false}};  // (pair, upstream side)
    int64_t next_due = now + 20;
    for (auto& p : pairs) {
      short down_events = 0, up_events = 0;
      if (!stalled) {
        if (!p->stale && p->to_up.size() < kMaxHeldChunks) down_events |= POLLIN;
        if (!p->to_down.empty() && p->to_down.front().due_ms <= now) down_events |= POLLOUT;
        if (p->up_connected && p->to_down.size() < kMaxHeldChunks) up_events |= POLLIN;
        if (!p->to_up.empty() && p->to_up.front().due_ms <= now) up_events |= POLLOUT;
      }
      if (!p->up_connected) up_events = POLLOUT;
      for (const auto* q : {&p->to_up, &p->to_down}) {
        if (!q->empty()) next_due = std::min(next_due, q->front().due_ms);
      }
      if (p->down >= 0) {
        fds.push_back({p->down, down_events, 0});
        owners.push_back({p.get(), false});
      }
      fds.push_back({p->up, up_events, 0});
      owners.push_back({p.get(), true});
    }
    ::poll(fds.data(), fds.size(), static_cast<int>(std::clamp<int64_t>(next_due - now, 1, 20)));
    const int64_t after = NowMs();
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      if (owners[i].first == nullptr) {
        Accept(pairs, &delta);
      } else if (!owners[i].first->dead) {
        Service(*owners[i].first, owners[i].second, fds[i].revents, after, &delta);
      }
    }
    for (auto& p : pairs) {
      if (p->stale && !p->dead && p->to_up.empty()) p->Close(/*reset=*/false);
    }
    pairs.erase(std::remove_if(pairs.begin(), pairs.end(), [](const auto& p) { return p->dead; }),
                pairs.end());
    std::lock_guard<std::mutex> lock(mu_);
    counts_.accepted += delta.accepted;
    counts_.resets += delta.resets;
    counts_.stale_delivered += delta.stale_delivered;
    counts_.bytes_up += delta.bytes_up;
    counts_.bytes_down += delta.bytes_down;
  }
  for (auto& p : pairs) p->Close(/*reset=*/true);
}

}  // namespace gradcap::testing
