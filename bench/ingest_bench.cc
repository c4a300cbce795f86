// Durable ingest benchmark: booths → coordinator over real ZeroMQ on loopback
// into a real, synced RocksDB event log. Prints, for each workload, events/s
// acked durably and ack latency p50/p99, beside the raw RocksDB synced-write
// rate for the very same batch sizes, measured in the same run, and our rate
// as a fraction of it.
//
//   build/bench/ingest_bench [--booths 16] [--small_events 4000]
//                            [--photo_events 60] [--paced_seconds 5]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "common/big_endian.h"
#include "common/envelope.h"
#include "common/kv_store.h"
#include "common/sha256.h"
#include "common/temp_dir.h"
#include "common/transport.h"
#include "common/event_log.h"
#include "coordinator/ingest_server.h"
#include "common/log_format.h"

ABSL_FLAG(int, booths, 16, "Booth clients sending concurrently.");
ABSL_FLAG(int, small_events, 4000, "Small events per booth in the throughput run.");
ABSL_FLAG(int, photo_events, 60, "100 KB photo events per booth.");
ABSL_FLAG(int, paced_seconds, 5, "Length of the paced run at --paced_rate events/s in all.");
ABSL_FLAG(int, paced_rate, 1000, "Total events/s in the paced latency run.");
ABSL_FLAG(int, window, 64, "Events each booth keeps in flight.");
ABSL_FLAG(int, client_threads, 2, "Threads (one connection each) that the booths are spread over.");

namespace gradcap {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct RunResult {
  double seconds = 0;
  uint64_t events = 0;
  std::vector<double> latencies_ms;
  std::vector<uint32_t> batch_sizes;
  size_t value_bytes = 0;
  double commit_seconds = 0;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// One client thread drives several booths over one DEALER connection (the
// booth id travels in each event, so a connection may carry many): each
// booth keeps up to `window` events unacked, paced to `rate` events/s per
// booth when rate > 0. Records each event's ack latency. Fewer threads than
// booths keep the test rig's own CPU use low on a 2-core machine.
void BoothClients(const std::string& endpoint, std::vector<int> booths, int count, size_t payload_bytes,
                  int window, double rate, std::vector<double>* latencies) {
  SocketOptions options;
  options.immediate = false;
  auto socket = MessageSocket::Create(SocketKind::kDealer, options);
  if (!socket.ok() || !(*socket)->Connect(endpoint).ok()) return;
  struct Booth {
    std::string id;
    int next = 1;
    int acked = 0;
    std::vector<Clock::time_point> sent_at;
  };
  std::vector<Booth> state;
  absl::flat_hash_map<std::string, size_t> by_id;
  for (int b : booths) {
    Booth booth;
    booth.id = absl::StrFormat("bench-%02d", b);
    booth.sent_at.resize(count + 1);
    by_id[booth.id] = state.size();
    state.push_back(std::move(booth));
  }
  const std::string payload(payload_bytes, 'p');
  const std::string digest = DigestBytes(Sha256(payload));
  const auto start = Clock::now();
  size_t finished = 0;
  while (finished < state.size()) {
    for (Booth& booth : state) {
      while (booth.next <= count && booth.next - 1 - booth.acked < window) {
        if (rate > 0 && Since(start) < (booth.next - 1) / rate) break;
        v1::Envelope e;
        v1::BoothEvent* event = e.mutable_event();
        event->mutable_id()->set_booth(booth.id);
        event->mutable_id()->set_epoch(1);
        event->mutable_id()->set_seq(booth.next);
        if (payload_bytes > 1000) {
          event->mutable_photo()->set_jpeg(payload);
          event->mutable_photo()->set_sha256(digest);
        } else {
          event->mutable_scan()->set_payload(absl::StrFormat("BENCH-%s-%08d", booth.id, booth.next));
        }
        booth.sent_at[booth.next] = Clock::now();
        if (!(*socket)->Send({SerializeEnvelope(e)}).ok()) break;
        ++booth.next;
      }
    }
    auto reply = (*socket)->Receive(rate > 0 ? 1 : 50);
    while (reply.ok() && reply->has_value()) {
      v1::Envelope r;
      if (r.ParseFromString((**reply)[0]) && r.has_ack()) {
        auto it = by_id.find(r.ack().id().booth());
        if (it != by_id.end()) {
          Booth& booth = state[it->second];
          const int seq = static_cast<int>(r.ack().id().seq());
          for (int s = booth.acked + 1; s <= seq; ++s) {
            latencies->push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - booth.sent_at[s]).count());
          }
          if (seq > booth.acked) {
            booth.acked = seq;
            if (seq == count) ++finished;
          }
        }
      }
      reply = (*socket)->Receive(0);
    }
  }
}

RunResult RunIngest(int booths, int per_booth, size_t payload_bytes, int window, double total_rate) {
  TempDir dir;
  auto log = EventLog::Open(dir.Sub("db"), SystemClock::Get());
  AcceptAllApplier applier;
  IngestOptions options;
  options.endpoint = "tcp://127.0.0.1:*";
  options.stats_interval_ms = 0;
  options.record_batch_sizes = true;
  IngestServer server(log->get(), &applier, SystemClock::Get(), options);
  if (!server.Bind().ok()) std::abort();
  std::atomic<bool> stop{false};
  std::thread serving([&] { (void)server.Run(stop); });

  const int threads = std::min(booths, absl::GetFlag(FLAGS_client_threads));
  std::vector<std::vector<double>> latencies(threads);
  std::vector<std::thread> clients;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    std::vector<int> mine;
    for (int b = t; b < booths; b += threads) mine.push_back(b);
    clients.emplace_back(BoothClients, server.endpoint(), mine, per_booth, payload_bytes, window,
                         total_rate > 0 ? total_rate / booths : 0.0, &latencies[t]);
  }
  for (auto& t : clients) t.join();
  RunResult result;
  result.seconds = Since(start);
  stop = true;
  serving.join();
  for (auto& l : latencies) result.latencies_ms.insert(result.latencies_ms.end(), l.begin(), l.end());
  result.events = result.latencies_ms.size();
  result.batch_sizes = server.stats().batch_sizes;
  result.commit_seconds = server.stats().commit_us / 1e6;
  result.value_bytes = payload_bytes;
  return result;
}

// The same batches written straight to RocksDB: per event a record value of
// the same size plus its index entry (and a photo blob for photos), per batch
// the booth progress and chain head; one synced write per batch.
double RawSyncedRate(const RunResult& run) {
  TempDir dir;
  auto store = KvStore::Open(dir.Sub("raw"), LogColumns(), OpenMode::kReadWrite);
  if (!store.ok()) std::abort();
  const bool photo = run.value_bytes > 1000;
  const std::string record(photo ? 120 : run.value_bytes + 120, 'r');
  const std::string blob(photo ? run.value_bytes : 0, 'b');
  uint64_t seq = 0, events = 0;
  const auto start = Clock::now();
  for (uint32_t size : run.batch_sizes) {
    KvBatch batch = (*store)->NewBatch();
    for (uint32_t i = 0; i < size; ++i) {
      ++seq;
      batch.Put(kEventsColumn, BigEndian64(seq), record);
      batch.Put(kEventIndexColumn, absl::StrFormat("bench\0%016d", seq), BigEndian64(seq));
      if (photo) batch.Put(kPhotosColumn, BigEndian64(seq) + std::string(24, 'k'), blob);
    }
    batch.Put(kBoothsColumn, "bench", std::string(12, 'p'));
    batch.Put(kMetaColumn, kChainHeadKey, std::string(40, 'h'));
    if (!(*store)->Write(batch, true).ok()) std::abort();
    events += size;
  }
  return static_cast<double>(events) / Since(start);
}

void Report(const char* name, const RunResult& run) {
  const double rate = static_cast<double>(run.events) / run.seconds;
  const double raw = RawSyncedRate(run);
  double mean_batch = 0;
  for (uint32_t b : run.batch_sizes) mean_batch += b;
  mean_batch /= std::max<size_t>(1, run.batch_sizes.size());
  std::printf("%-34s %9.0f ev/s  p50 %7.2f ms  p99 %7.2f ms  | %6zu commits, %6.1f ev/commit, %4.0f%% of time in commit | raw synced %9.0f ev/s  ratio %.2f\n",
              name, rate, Percentile(run.latencies_ms, 0.50), Percentile(run.latencies_ms, 0.99),
              run.batch_sizes.size(), mean_batch, 100 * run.commit_seconds / run.seconds, raw, rate / raw);
}

}  // namespace
}  // namespace gradcap

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace gradcap;
  if (!InitCrypto().ok()) return 1;
  const int booths = absl::GetFlag(FLAGS_booths);
  const int window = absl::GetFlag(FLAGS_window);
  std::printf("durable ingest, %d booths on %d connections, window %d per booth, real ZeroMQ on loopback, "
              "RocksDB sync=true\n",
              booths, std::min(booths, absl::GetFlag(FLAGS_client_threads)), window);
  Report("small events (~60 B), max rate",
         RunIngest(booths, absl::GetFlag(FLAGS_small_events), 60, window, 0));
  Report("photo events (100 KB), max rate",
         RunIngest(booths, absl::GetFlag(FLAGS_photo_events), 100 * 1024, std::min(window, 8), 0));
  const int rate = absl::GetFlag(FLAGS_paced_rate);
  const int paced = rate * absl::GetFlag(FLAGS_paced_seconds) / booths;
  Report(absl::StrFormat("small events paced at %d ev/s", rate).c_str(),
         RunIngest(booths, paced, 60, window, rate));
  return 0;
}
