// `gradcap watch --coordinator LIVE_ENDPOINT`: the live view in a terminal,
// for the machine room. Redraws at most four times a second; --once prints
// the first full state and exits.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "admin/cli_commands.h"
#include "common/key_files.h"
#include "live/live_feed.h"
#include "live/live_text.h"

namespace gradcap::cli {
namespace {

volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

}  // namespace

int Watch(const WatchArgs& args) {
  if (args.endpoint.empty()) {
    std::fprintf(stderr,
                 "gradcap watch: --coordinator ENDPOINT (the coordinator's --live endpoint) is required\n");
    return 2;
  }
  LiveFeedOptions options;
  options.endpoint = args.endpoint;
  if (!args.keys.empty()) {
    absl::StatusOr<BoothKeys> keys = LoadAdminKeys(args.keys, args.as);
    if (!keys.ok()) {
      std::fprintf(stderr, "gradcap watch: %s\n", std::string(keys.status().message()).c_str());
      return 1;
    }
    options.keys = keys->booth;
    options.server_public_key = keys->coordinator_public_key;
  }
  std::mutex mu;
  std::condition_variable changed;
  std::string text;
  uint64_t version = 0;
  bool synced = false;
  LiveTextOptions text_options;
  text_options.endpoint = args.endpoint;
  absl::StatusOr<std::unique_ptr<LiveFeed>> feed =
      LiveFeed::Start(options, [&](const LiveState& state, const std::vector<LiveChange>&, LinkState link) {
        std::string formatted = FormatLiveText(state, link, text_options);
        std::lock_guard<std::mutex> lock(mu);
        text = std::move(formatted);
        synced = synced || state.synced();
        ++version;
        changed.notify_all();
      });
  if (!feed.ok()) {
    std::fprintf(stderr, "gradcap watch: %s\n", std::string(feed.status().message()).c_str());
    return 1;
  }
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  uint64_t shown = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(args.timeout_ms);
  while (!g_stop) {
    std::unique_lock<std::mutex> lock(mu);
    changed.wait_for(lock, std::chrono::milliseconds(250), [&] { return version != shown; });
    if (args.once && !synced) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::fprintf(stderr,
                     "gradcap watch: no snapshot from %s within %d s: is it running with --live %s?\n",
                     args.endpoint.c_str(), args.timeout_ms / 1000, args.endpoint.c_str());
        return 1;
      }
      continue;
    }
    if (version == shown) continue;
    shown = version;
    std::fputs(tty ? "\x1b[H\x1b[2J" : "\n", stdout);
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    if (args.once) return 0;
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(250));  // at most four redraws a second
  }
  return 0;
}

}  // namespace gradcap::cli
