// The supervisor view under load, with real processes on loopback: a
// coordinator (--live) with 50 booths scanning, a supervisor subscribed to it,
// and 20 pages (logged-in SSE streams) open.
//
//   build/bench/live_bench [--booths 50] [--pages 20] [--rate 4] [--seconds 10] [--ingest_events 6000]
//
// 1. coordinator ingest without pages and with --pages open, in the same run
//    (A B A B): booth events (a scan, then that student marked absent, over
//    and over, so queues stay short) acked per second at full speed, each
//    booth keeping --window events in flight;
// 2. booth event → page: each booth scans --rate codes/s for --seconds; for
//    every page, the time from sending a scan to the arrival of the first
//    stream event showing its shooting number in the booth's queue (p50/p99).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "bench/bench_util.h"
#include "common/collection_code.h"
#include "common/envelope.h"
#include "common/file_util.h"
#include "common/kv_store.h"
#include "common/log_format.h"
#include "common/sha256.h"
#include "common/subprocess.h"
#include "common/temp_dir.h"
#include "common/transport.h"
#include "registry/registry.h"
#include "supervisor/http_client_for_tests.h"

ABSL_FLAG(int, booths, 50, "Booths scanning.");
ABSL_FLAG(int, pages, 20, "Pages (SSE streams) open.");
ABSL_FLAG(int, rate, 4, "Scans per second per booth in the latency run.");
ABSL_FLAG(int, seconds, 10, "Length of the latency run.");
ABSL_FLAG(int, ingest_events, 6000, "Booth events (scans and absences) per ingest run, over all booths.");
ABSL_FLAG(int, rounds, 3, "Ingest rounds, each one run without pages and one with.");
ABSL_FLAG(int, window, 4, "Events each booth keeps in flight in the ingest runs.");

namespace gradcap {
namespace {

using SteadyClock = std::chrono::steady_clock;
using Json = nlohmann::json;
constexpr int kColleges = 5;

double Ms(SteadyClock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

using bench::Percentile;
using bench::IdNumber;

std::string College(int c) { return absl::StrFormat("学院%d", c + 1); }
std::string Booth(int b) { return absl::StrFormat("B%02d", b + 1); }
std::string Student(int s) { return absl::StrFormat("S%05d", s + 1); }

// The roster, ledger and schedule of a big day: `students` in kColleges
// colleges, booth b serving college b % kColleges.
void WriteDay(const std::string& dir, int students, int booths) {
  std::string roster = "学号,姓名,身份证号,学院,班级,层次,年级\n", payments = "学号,金额,缴费时间,交易号\n";
  for (int s = 0; s < students; ++s) {
    roster += absl::StrFormat("%s,学生%d,%s,%s,班%d,本科,2021\n", Student(s), s, IdNumber(s),
                              College(s % kColleges), s % 40);
    payments += absl::StrFormat("%s,15.00,2024-09-01 10:00,T%06d\n", Student(s), s);
  }
  std::string schedule = "学院,机位,开始,结束,签名\n";
  for (int b = 0; b < booths; ++b) {
    schedule +=
        absl::StrFormat("%s,%s,2024-09-21T08:00,2024-09-21T18:00,否\n", College(b % kColleges), Booth(b));
  }
  (void)WriteFileAtomically(dir + "/roster.csv", roster);
  (void)WriteFileAtomically(dir + "/payments.csv", payments);
  (void)WriteFileAtomically(dir + "/schedule.csv", schedule);
}

int Run(const std::vector<std::string>& argv, const std::string& log) {
  ChildProcess child;
  if (!child.Start(argv, log)) return -1;
  child.Wait(120000);
  return child.exit_status();
}

// The booths: one DEALER each, scanning students of their college in order.
class Booths {
 public:
  Booths(const std::string& endpoint, int booths, v1::CodeKey key) : key_(std::move(key)) {
    for (int b = 0; b < booths; ++b) {
      SocketOptions options;
      options.immediate = false;
      sockets_.push_back(std::move(MessageSocket::Create(SocketKind::kDealer, options).value()));
      (void)sockets_.back()->Connect(endpoint);
      seq_.push_back(0);
      // Booth b serves college b % kColleges with the other booths of that
      // college; it takes every per_college-th of its students.
      next_student_.push_back(b % kColleges + kColleges * (b / kColleges));
      sent_at_.emplace_back();
    }
  }
  int size() const { return static_cast<int>(sockets_.size()); }

  // Sends booth b's next scan; remembers when (by seq).
  void Send(int b) {
    v1::CodeBody body;
    body.set_student_no(Student(next_student_[b]));
    next_student_[b] += kColleges * ((size() + kColleges - 1) / kColleges);
    body.set_expires_at_ms(1900000000000);
    v1::Envelope e;
    v1::BoothEvent* event = e.mutable_event();
    event->mutable_id()->set_booth(Booth(b));
    event->mutable_id()->set_epoch(1);
    event->mutable_id()->set_seq(++seq_[b]);
    event->mutable_scan()->set_payload(SealCode(body, key_));
    std::lock_guard<std::mutex> lock(mu_);
    sent_at_[b][seq_[b]] = SteadyClock::now();
    (void)sockets_[b]->Send({SerializeEnvelope(e)});
  }
  // Marks the head of booth b's queue absent (the ingest runs pair each scan
  // with one, so queues stay short and every run starts from the same state).
  void SendAbsent(int b) {
    v1::Envelope e;
    v1::BoothEvent* event = e.mutable_event();
    event->mutable_id()->set_booth(Booth(b));
    event->mutable_id()->set_epoch(1);
    event->mutable_id()->set_seq(++seq_[b]);
    event->mutable_absent()->set_reason("bench");
    std::lock_guard<std::mutex> lock(mu_);
    sent_at_[b][seq_[b]] = SteadyClock::now();
    (void)sockets_[b]->Send({SerializeEnvelope(e)});
  }
  // Acks waiting now; `on_ack(booth, seq, shooting_no)` for each.
  template <typename F>
  void Drain(int timeout_ms, F on_ack) {
    std::vector<MessageSocket*> all;
    for (auto& s : sockets_) all.push_back(s.get());
    auto readable = MessageSocket::WaitReadable(all, -1, timeout_ms);
    if (!readable.ok()) return;
    for (int b = 0; b < size(); ++b) {
      if (!(*readable)[b]) continue;
      while (true) {
        auto frames = sockets_[b]->Receive(0);
        if (!frames.ok() || !frames->has_value()) break;
        v1::Envelope reply;
        if (reply.ParseFromString((**frames).back()) && reply.has_ack()) {
          on_ack(b, reply.ack().id().seq(), reply.ack().outcome());
        }
      }
    }
  }
  SteadyClock::time_point SentAt(int b, uint64_t seq) {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_at_[b][seq];
  }

 private:
  v1::CodeKey key_;
  std::vector<std::unique_ptr<MessageSocket>> sockets_;
  std::vector<uint64_t> seq_;
  std::vector<int> next_student_;
  std::mutex mu_;
  std::vector<std::map<uint64_t, SteadyClock::time_point>> sent_at_;
};

// Full speed: each booth scans a student and marks them absent, again and
// again, keeping `window` events in flight. Booth events acked per second.
double Ingest(Booths& booths, int events, int window) {
  std::vector<int> in_flight(booths.size(), 0), sent_by(booths.size(), 0);
  int sent = 0, acked = 0;
  const auto start = SteadyClock::now();
  while (acked < events) {
    for (int b = 0; b < booths.size() && sent < events; ++b) {
      while (in_flight[b] < window && sent < events) {
        if (sent_by[b]++ % 2 == 0) {
          booths.Send(b);
        } else {
          booths.SendAbsent(b);
        }
        ++in_flight[b];
        ++sent;
      }
    }
    booths.Drain(100, [&](int b, uint64_t, const v1::Outcome&) {
      --in_flight[b];
      ++acked;
    });
    if (Ms(SteadyClock::now() - start) > 120000) break;
  }
  return acked / (Ms(SteadyClock::now() - start) / 1000);
}

// Open pages: SSE streams of the office user, each on its own thread, keeping
// every event with the time it arrived (parsed afterwards, so reading keeps up
// as a browser's would).
class Pages {
 public:
  void Open(int count, int port, const std::string& cookie) {
    stop_ = false;
    received_.assign(count, {});
    std::atomic<int> open{0};
    for (int p = 0; p < count; ++p) {
      threads_.emplace_back([this, p, port, cookie, &open] {
        testing::SseReader reader;
        const bool ok = reader.Open(port, "/api/stream", {{"Cookie", cookie}}) == 200;
        ++open;
        while (ok && !stop_) {
          std::optional<testing::SseEvent> event = reader.Next(200);
          if (event && event->event == "change")
            received_[p].emplace_back(SteadyClock::now(), std::move(event->data));
        }
      });
    }
    while (open < count) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  void Close() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  // For each page: (booth, shooting number) → when it first showed in the queue.
  std::vector<std::map<std::pair<int, uint32_t>, SteadyClock::time_point>> FirstSeen() const {
    std::vector<std::map<std::pair<int, uint32_t>, SteadyClock::time_point>> seen(received_.size());
    for (size_t p = 0; p < received_.size(); ++p) {
      for (const auto& [at, data] : received_[p]) {
        Json change = Json::parse(data);
        if (change["kind"] != "booth") continue;
        const int booth = std::stoi(change["value"]["id"].get<std::string>().substr(1)) - 1;
        for (const Json& entry : change["value"]["queue"])
          seen[p].try_emplace({booth, entry["shooting_no"]}, at);
      }
    }
    return seen;
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::vector<std::vector<std::pair<SteadyClock::time_point, std::string>>> received_;
};

// CPU seconds (user + system) a process has used so far, from /proc.
double CpuSeconds(pid_t pid) {
  const std::string stat = ReadWholeFile(absl::StrFormat("/proc/%d/stat", pid)).value_or("");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> fields;
  std::string field;
  for (char c : stat.substr(close + 2)) {
    if (c == ' ') {
      fields.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  // After the name: state is field 3, utime 14 and stime 15 (1-based).
  if (fields.size() < 13) return 0;
  return (std::stod(fields[11]) + std::stod(fields[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace
}  // namespace gradcap

int main(int argc, char** argv) {
  using namespace gradcap;
  absl::ParseCommandLine(argc, argv);
  (void)InitCrypto();
  const int booth_count = absl::GetFlag(FLAGS_booths), page_count = absl::GetFlag(FLAGS_pages);
  const int rate = absl::GetFlag(FLAGS_rate), seconds = absl::GetFlag(FLAGS_seconds);
  const int ingest_events = absl::GetFlag(FLAGS_ingest_events);
  TempDir dir;
  const std::string db = dir.Sub("db");
  const int students =
      booth_count * rate * seconds + absl::GetFlag(FLAGS_rounds) * ingest_events + 20 * booth_count;
  WriteDay(dir.path(), students + kColleges * booth_count, booth_count);
  for (auto args : std::vector<std::vector<std::string>>{{"roster", "import", dir.Sub("roster.csv")},
                                                         {"payments", "import", dir.Sub("payments.csv")},
                                                         {"schedule", "import", dir.Sub("schedule.csv")},
                                                         {"keys", "init"}}) {
    args.insert(args.begin(), GRADCAP_BIN);
    args.insert(args.end(), {"--db", db});
    if (Run(args, dir.Sub("import.log")) != 0) {
      std::fprintf(stderr, "live_bench: import failed:\n%s\n",
                   ReadWholeFile(dir.Sub("import.log")).value_or("").c_str());
      return 1;
    }
  }
  v1::CodeKey key;
  {
    auto store = KvStore::Open(db, LogColumns(), OpenMode::kReadOnly);
    Registry registry(store->get());
    (void)registry.Load();
    key = *registry.CodeKey("k1");
  }
  const std::string booth_endpoint = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
  const std::string live_endpoint = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
  ChildProcess coordinator, supervisor;
  coordinator.Start(
      {COORDINATOR_BIN, "--db", db, "--listen", booth_endpoint, "--live", live_endpoint, "--ready_file",
       dir.Sub("c.ready"), "--clock_start", "2024-09-21T09:00+08:00", "--stats_interval_ms", "0",
       "--booth_rate", "0"},  // the ingest rounds send as fast as they can: measure that, not the share
      dir.Sub("coordinator.log"));
  for (int i = 0; i < 2000 && !std::filesystem::exists(dir.Sub("c.ready")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  {
    ChildProcess add;
    add.Start({GRADCAP_BIN, "users", "add", "--users", dir.Sub("users.json"), "--name", "office", "--role",
               "office"},
              dir.Sub("users.log"), true);
    add.WriteLine("pw");
    add.CloseStdin();
    add.Wait(30000);
  }
  supervisor.Start({SUPERVISOR_BIN, "--coordinator", live_endpoint, "--listen", "127.0.0.1:0", "--users",
                    dir.Sub("users.json"), "--ready_file", dir.Sub("s.ready")},
                   dir.Sub("supervisor.log"));
  std::string url;
  for (int i = 0; i < 2000 && url.empty(); ++i) {
    url = ReadWholeFile(dir.Sub("s.ready")).value_or("");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const int http_port = std::stoi(url.substr(url.rfind(':') + 1));
  testing::HttpResult login =
      testing::HttpCall(http_port, "POST", "/api/login", R"({"user":"office","password":"pw"})");
  const std::string cookie = login.headers["set-cookie"].substr(0, login.headers["set-cookie"].find(';'));
  Booths booths(booth_endpoint, booth_count, key);

  // Ingest without pages and with them, alternating (A B A B) so that drift
  // shows.
  const int window = absl::GetFlag(FLAGS_window);
  Pages pages;
  std::vector<double> without, with;
  // The coordinator's own CPU per acked event: what the pages cost the
  // coordinator, apart from the cores the supervisor and the pages take from
  // everyone on a machine this small.
  std::vector<double> cpu_without, cpu_with;
  auto timed = [&](std::vector<double>* rates, std::vector<double>* cpu) {
    const double before = CpuSeconds(coordinator.pid());
    rates->push_back(Ingest(booths, ingest_events, window));
    cpu->push_back((CpuSeconds(coordinator.pid()) - before) * 1e6 / ingest_events);
  };
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    timed(&without, &cpu_without);
    pages.Open(page_count, http_port, cookie);
    timed(&with, &cpu_with);
    pages.Close();
  }

  // The latency run: pages open, every booth scanning at --rate.
  pages.Open(page_count, http_port, cookie);
  std::map<std::pair<int, uint32_t>, SteadyClock::time_point> sent;  // (booth, shooting no) → sent
  const auto start = SteadyClock::now();
  const int total = booth_count * rate * seconds;
  int sent_count = 0;
  const double interval_ms = 1000.0 / (rate * booth_count);
  while (sent_count < total) {
    const auto due = start + std::chrono::microseconds(static_cast<int64_t>(sent_count * interval_ms * 1000));
    if (SteadyClock::now() >= due) {
      booths.Send(sent_count % booth_count);
      ++sent_count;
    }
    booths.Drain(1, [&](int b, uint64_t seq, const v1::Outcome& outcome) {
      if (outcome.accepted()) sent[{b, outcome.shooting_no()}] = booths.SentAt(b, seq);
    });
  }
  const auto drain_until = SteadyClock::now() + std::chrono::seconds(5);
  while (SteadyClock::now() < drain_until) {
    booths.Drain(50, [&](int b, uint64_t seq, const v1::Outcome& outcome) {
      if (outcome.accepted()) sent[{b, outcome.shooting_no()}] = booths.SentAt(b, seq);
    });
  }
  pages.Close();
  const auto seen = pages.FirstSeen();
  std::vector<double> latencies;
  size_t missing = 0;
  for (const auto& page : seen) {
    for (const auto& [key, at] : sent) {
      auto it = page.find(key);
      if (it == page.end()) {
        ++missing;
      } else {
        latencies.push_back(Ms(it->second - at));
      }
    }
  }
  supervisor.Signal(SIGTERM);
  coordinator.Signal(SIGTERM);
  supervisor.Wait(10000);
  coordinator.Wait(10000);
  std::printf(
      "booth event -> page, %d booths at %d scans/s each, %d pages: %zu observations, p50 %.0f ms, "
      "p99 %.0f ms, max %.0f ms, %zu never seen\n",
      booth_count, rate, page_count, latencies.size(), Percentile(latencies, 0.5),
      Percentile(latencies, 0.99), Percentile(latencies, 1.0), missing);
  auto list = [](const std::vector<double>& v) {
    std::string out;
    for (double x : v) out += absl::StrFormat("%s%.0f", out.empty() ? "" : ", ", x);
    return out;
  };
  const double median_without = Percentile(without, 0.5), median_with = Percentile(with, 0.5);
  std::printf(
      "coordinator ingest (booth events acked/s, %d booths, window %d), rounds alternating: without pages "
      "[%s], with %d pages [%s]; medians %.0f vs %.0f: %+.1f %%\n",
      booth_count, window, list(without).c_str(), page_count, list(with).c_str(), median_without, median_with,
      (median_with - median_without) / median_without * 100);
  const double cpu_a = Percentile(cpu_without, 0.5), cpu_b = Percentile(cpu_with, 0.5);
  std::printf(
      "coordinator CPU per acked event (µs): without pages [%s], with %d pages [%s]; medians %.1f vs %.1f: "
      "%+.1f %%\n",
      list(cpu_without).c_str(), page_count, list(cpu_with).c_str(), cpu_a, cpu_b, (cpu_b - cpu_a) / cpu_a * 100);
  return 0;
}
