// booth-agent: runs one capture booth. Every event goes into the durable
// outbox first and reaches the coordinator exactly once, in order, whenever
// the link allows. Event sources so far: a keyboard-wedge scanner (one code
// per line on stdin) and a synthetic generator for drills and fault tests.
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "booth-agent/booth_link.h"
#include "booth-agent/outbox.h"
#include "common/clock.h"
#include "common/envelope.h"
#include "common/key_files.h"
#include "common/logging.h"
#include "common/sha256.h"

ABSL_FLAG(std::string, booth, "", "This booth's id, e.g. B1 (1–64 printable characters).");
ABSL_FLAG(std::string, coordinator, "tcp://127.0.0.1:5555", "The coordinator's ZeroMQ endpoint.");
ABSL_FLAG(std::string, outbox, "", "Directory of this booth's durable outbox (created if missing).");
ABSL_FLAG(bool, stdin_scans, false,
          "Read collection codes from stdin, one per line (keyboard-wedge USB scanners).");
ABSL_FLAG(uint64_t, synthetic_scans, 0,
          "Generate this many synthetic scan events in all (counted across restarts), for drills and load.");
ABSL_FLAG(uint64_t, synthetic_photo_bytes, 0,
          "When > 0, synthetic events are photos of this many bytes instead of scans.");
ABSL_FLAG(int, synthetic_chunk, 50, "Synthetic events stored per synced outbox write.");
ABSL_FLAG(double, synthetic_rate, 0,
          "Synthetic events generated per second (0: as fast as the outbox takes them).");
ABSL_FLAG(bool, exit_when_delivered, false,
          "Exit 0 once every generated or entered event is acked (and stdin, if read, is closed).");
ABSL_FLAG(int, status_interval_ms, 5000, "How often to log the link and outbox state (0: never).");
ABSL_FLAG(std::string, keys, "",
          "Transport keys directory holding coordinator.public and booths/<booth>.secret: connect with "
          "CURVE (required when the coordinator runs with --keys).");

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

using namespace gradcap;

// Reads whole lines from stdin without blocking the delivery loop.
class LineReader {
 public:
  // Appends complete lines that are ready to `lines`. False at end of input.
  bool Poll(std::vector<std::string>* lines) {
    if (eof_) return false;
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    while (::poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP))) {
      char buf[4096];
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0) {
        eof_ = true;
        if (!partial_.empty()) lines->push_back(std::move(partial_));
        return false;
      }
      partial_.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = partial_.find('\n')) != std::string::npos) {
        std::string line = partial_.substr(0, nl);
        partial_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) lines->push_back(std::move(line));
      }
    }
    return true;
  }
  bool eof() const { return eof_; }

 private:
  std::string partial_;
  bool eof_ = false;
};

v1::BoothEvent SyntheticEvent(const std::string& booth, uint64_t n, uint64_t photo_bytes) {
  v1::BoothEvent event;
  const std::string tag = absl::StrFormat("SYN-%s-%06d", booth, n);
  if (photo_bytes == 0) {
    event.mutable_scan()->set_payload(tag);
    event.mutable_scan()->set_source("synthetic");
    return event;
  }
  std::string bytes(photo_bytes, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131 + n * 7) & 0xff);
  bytes.replace(0, std::min(tag.size(), bytes.size()), tag.substr(0, bytes.size()));
  v1::Photo* photo = event.mutable_photo();
  photo->set_sha256(DigestBytes(Sha256(bytes)));
  photo->set_jpeg(std::move(bytes));
  photo->set_file_name(tag + ".jpg");
  return event;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "booth-agent --booth ID --outbox DIR [--coordinator tcp://HOST:PORT] [--stdin_scans]\n"
      "Runs one booth: stores every event in a durable outbox, delivers it to the coordinator\n"
      "exactly once and in order, and keeps working while the coordinator is unreachable.");
  absl::ParseCommandLine(argc, argv);
  const std::string booth = absl::GetFlag(FLAGS_booth);
  const std::string outbox_dir = absl::GetFlag(FLAGS_outbox);
  if (booth.empty() || outbox_dir.empty()) {
    std::fprintf(stderr, "booth-agent: --booth ID and --outbox DIR are required (see --help)\n");
    return 2;
  }
  if (!InitCrypto().ok()) return 1;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);

  const Clock* clock = SystemClock::Get();
  auto outbox = Outbox::Open(outbox_dir, booth, clock);
  if (!outbox.ok()) {
    std::fprintf(stderr, "booth-agent: cannot open outbox: %s\n", outbox.status().ToString().c_str());
    return 1;
  }
  Outbox& box = **outbox;
  LogInfo("booth-agent", "booth ", booth, " epoch ", box.epoch(), ": outbox holds ", box.depth(),
          " undelivered events (last seq ", box.last_seq(), ")");

  LinkOptions link_options;
  link_options.endpoint = absl::GetFlag(FLAGS_coordinator);
  if (const std::string keys = absl::GetFlag(FLAGS_keys); !keys.empty()) {
    auto loaded = LoadBoothKeys(keys, booth);
    if (!loaded.ok()) {
      std::fprintf(stderr, "booth-agent: cannot load transport keys: %s\n", loaded.status().ToString().c_str());
      return 1;
    }
    link_options.curve_keys = loaded->booth;
    link_options.coordinator_public_key = loaded->coordinator_public_key;
  }
  BoothLink link(&box, clock, link_options);
  link.on_ack = [](const v1::Ack& ack) {
    const v1::Outcome& o = ack.outcome();
    if (o.accepted()) {
      LogInfo("booth-agent", "event ", ack.id().seq(), " accepted",
              o.shooting_no() ? absl::StrCat(": number ", o.shooting_no()) : std::string(),
              o.masked_name().empty() ? std::string() : absl::StrCat(" ", o.masked_name(), " (", o.masked_id(), ")"),
              o.detail().empty() ? std::string() : absl::StrCat(" — ", o.detail()));
    } else {
      LogInfo("booth-agent", "event ", ack.id().seq(), " refused: ", o.reason(), ": ", o.detail());
    }
  };
  if (absl::Status s = link.Start(); !s.ok()) {
    std::fprintf(stderr, "booth-agent: %s\n", s.ToString().c_str());
    return 1;
  }

  const uint64_t synthetic_total = absl::GetFlag(FLAGS_synthetic_scans);
  const uint64_t photo_bytes = absl::GetFlag(FLAGS_synthetic_photo_bytes);
  const uint64_t chunk = static_cast<uint64_t>(std::max(1, absl::GetFlag(FLAGS_synthetic_chunk)));
  const bool read_stdin = absl::GetFlag(FLAGS_stdin_scans);
  const int status_interval = absl::GetFlag(FLAGS_status_interval_ms);
  const double rate = absl::GetFlag(FLAGS_synthetic_rate);
  LineReader stdin_lines;
  int64_t last_status_ms = clock->MonotonicMs();
  const int64_t started_ms = clock->MonotonicMs();
  const uint64_t generated_at_start = box.generated();

  while (!g_stop.load()) {
    std::vector<v1::BoothEvent> events;
    uint64_t allowed = synthetic_total;
    if (rate > 0) {
      const double elapsed_s = static_cast<double>(clock->MonotonicMs() - started_ms) / 1000.0;
      allowed = std::min(synthetic_total, generated_at_start + static_cast<uint64_t>(elapsed_s * rate));
    }
    for (uint64_t n = box.generated(); n < allowed && events.size() < chunk; ++n) {
      events.push_back(SyntheticEvent(booth, n + 1, photo_bytes));
    }
    const uint64_t generated = events.size();
    if (read_stdin) {
      std::vector<std::string> lines;
      stdin_lines.Poll(&lines);
      for (std::string& line : lines) {
        v1::BoothEvent event;
        event.mutable_scan()->set_payload(std::move(line));
        event.mutable_scan()->set_source("scanner");
        events.push_back(std::move(event));
      }
    }
    if (!events.empty()) {
      if (absl::Status s = box.Append(events, generated); !s.ok()) {
        LogError("booth-agent", "cannot store events in the outbox: ", s.ToString());
        return 1;
      }
    }
    if (absl::Status s = link.Poll(10); !s.ok()) {
      LogError("booth-agent", s.ToString());
      return 3;
    }
    const int64_t now = clock->MonotonicMs();
    if (status_interval > 0 && now - last_status_ms >= status_interval) {
      last_status_ms = now;
      LogInfo("booth-agent", "booth ", booth, link.online() ? " online" : " offline", " — ", box.depth(),
              " waiting, acked through ", box.acked_through(), " of ", box.last_seq());
    }
    if (absl::GetFlag(FLAGS_exit_when_delivered) && box.generated() >= synthetic_total &&
        (!read_stdin || stdin_lines.eof()) && box.depth() == 0) {
      LogInfo("booth-agent", "booth ", booth, ": all ", box.last_seq(), " events delivered");
      return 0;
    }
  }
  LogInfo("booth-agent", "stopping with ", box.depth(), " events waiting in the outbox");
  return 0;
}
