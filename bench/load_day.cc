#include "bench/load_day.h"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_format.h"
#include "common/file_util.h"
#include "common/kv_store.h"
#include "common/log_format.h"
#include "common/transport.h"
#include "registry/registry.h"
#include "supervisor/http_client_for_tests.h"

namespace gradcap::bench {
namespace {


int RunToEnd(const std::vector<std::string>& argv, const std::string& log) {
  ChildProcess child;
  if (!child.Start(argv, log)) return -1;
  child.Wait(120000);
  return child.exit_status();
}

template <typename Ready>
bool WaitFor(int timeout_ms, Ready ready) {
  const auto until = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  while (!ready()) {
    if (SteadyClock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace

double Ms(SteadyClock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }


std::string College(int c) { return absl::StrFormat("学院%d", c + 1); }
std::string BoothName(int b) { return absl::StrFormat("B%03d", b + 1); }
std::string Student(int s) { return absl::StrFormat("S%06d", s + 1); }
int CollegeOfBooth(const DayShape& day, int b) { return b % day.colleges; }

Day::~Day() {
  supervisor_.Signal(SIGTERM);
  for (auto& v : validators_) v->Signal(SIGTERM);
  coordinator_.Signal(SIGTERM);
  supervisor_.Wait(10000);
  for (auto& v : validators_) v->Wait(10000);
  coordinator_.Wait(30000);
}

std::vector<pid_t> Day::validator_pids() const {
  std::vector<pid_t> pids;
  for (const auto& v : validators_) pids.push_back(v->pid());
  return pids;
}

bool Day::Import(const DayShape& shape) {
  std::string roster = "学号,姓名,身份证号,学院,班级,层次,年级\n", payments = "学号,金额,缴费时间,交易号\n";
  for (int s = 0; s < shape.students; ++s) {
    roster += absl::StrFormat("%s,学生%d,%s,%s,班%d,本科,2021\n", Student(s), s, IdNumber(s),
                              College(s % shape.colleges), s % 40);
    payments += absl::StrFormat("%s,15.00,2024-09-01 10:00,T%07d\n", Student(s), s);
  }
  std::string schedule = "学院,机位,开始,结束,签名\n";
  for (int b = 0; b < shape.booths; ++b) {
    schedule += absl::StrFormat("%s,%s,2024-09-21T08:00,2024-09-21T18:00,是\n",
                                College(CollegeOfBooth(shape, b)), BoothName(b));
  }
  (void)WriteFileAtomically(dir_.Sub("roster.csv"), roster);
  (void)WriteFileAtomically(dir_.Sub("payments.csv"), payments);
  (void)WriteFileAtomically(dir_.Sub("schedule.csv"), schedule);
  for (auto args : std::vector<std::vector<std::string>>{{"roster", "import", dir_.Sub("roster.csv")},
                                                         {"payments", "import", dir_.Sub("payments.csv")},
                                                         {"schedule", "import", dir_.Sub("schedule.csv")},
                                                         {"keys", "init"}}) {
    args.insert(args.begin(), bin_.gradcap);
    args.insert(args.end(), {"--db", db_});
    if (RunToEnd(args, dir_.Sub("import.log")) != 0) {
      std::fprintf(stderr, "load_bench: %s failed:\n%s\n", args[1].c_str(),
                   ReadWholeFile(dir_.Sub("import.log")).value_or("").c_str());
      return false;
    }
  }
  auto store = KvStore::Open(db_, LogColumns(), OpenMode::kReadOnly);
  if (!store.ok()) return false;
  Registry registry(store->get());
  (void)registry.Load();
  auto key = registry.CodeKey("k1");
  if (!key.has_value()) return false;
  key_ = *key;
  return true;
}

bool Day::Start(const DayShape& shape, int validators, bool identity) {
  db_ = dir_.Sub("db");
  if (!Import(shape)) return false;
  booth_endpoint_ = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
  const std::string live = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
  const std::string pool = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
  coordinator_.Start(
      {bin_.coordinator, "--db", db_, "--listen", booth_endpoint_, "--live", live, "--validators", pool,
       "--ready_file", dir_.Sub("c.ready"), "--clock_start", "2024-09-21T09:00+08:00"},
      dir_.Sub("coordinator.log"));
  if (!WaitFor(60000, [&] { return std::filesystem::exists(dir_.Sub("c.ready")); })) {
    std::fprintf(stderr, "load_bench: the coordinator did not start (%s)\n",
                 dir_.Sub("coordinator.log").c_str());
    return false;
  }
  for (int w = 0; w < validators; ++w) {
    const std::string name = absl::StrFormat("validator-%d", w + 1);
    validators_.push_back(std::make_unique<ChildProcess>());
    std::vector<std::string> argv = {bin_.validator, "--coordinator", pool, "--store",
                                     dir_.Sub(name), "--name",        name};
    if (!identity) argv.push_back("--face_model=");
    validators_.back()->Start(argv, dir_.Sub(name + ".log"));
  }
  // A worker is up once its log says it is serving (after loading its models
  // and one warm-up photo: seconds).
  const bool workers_up = WaitFor(120000, [&] {
    for (int w = 0; w < validators; ++w) {
      const std::string log =
          ReadWholeFile(dir_.Sub(absl::StrFormat("validator-%d.log", w + 1))).value_or("");
      if (log.find(" serving ") == std::string::npos) return false;
    }
    return true;
  });
  if (!workers_up) std::fprintf(stderr, "load_bench: not every validator said it is serving; going on\n");
  {
    ChildProcess add;
    add.Start({bin_.gradcap, "users", "add", "--users", dir_.Sub("users.json"), "--name", "office", "--role",
               "office"},
              dir_.Sub("users.log"), true);
    add.WriteLine("pw");
    add.CloseStdin();
    add.Wait(30000);
  }
  supervisor_.Start({bin_.supervisor, "--coordinator", live, "--listen", "127.0.0.1:0", "--users",
                     dir_.Sub("users.json"), "--ready_file", dir_.Sub("s.ready")},
                    dir_.Sub("supervisor.log"));
  std::string url;
  if (!WaitFor(30000, [&] { return !(url = ReadWholeFile(dir_.Sub("s.ready")).value_or("")).empty(); })) {
    std::fprintf(stderr, "load_bench: the supervisor did not start\n");
    return false;
  }
  http_port_ = std::stoi(url.substr(url.rfind(':') + 1));
  testing::HttpResult login =
      testing::HttpCall(http_port_, "POST", "/api/login", R"({"user":"office","password":"pw"})");
  const std::string set_cookie = login.headers["set-cookie"];
  cookie_ = set_cookie.substr(0, set_cookie.find(';'));
  return !cookie_.empty();
}

int Pages::Open(int count, int port, const std::string& cookie) {
  stop_ = false;
  std::atomic<int> tried{0}, open{0};
  for (int p = 0; p < count; ++p) {
    threads_.emplace_back([this, port, cookie, &tried, &open] {
      testing::SseReader reader;
      const bool ok = reader.Open(port, "/api/stream", {{"Cookie", cookie}}) == 200;
      if (ok) ++open;
      ++tried;
      while (ok && !stop_) {
        std::optional<testing::SseEvent> event = reader.Next(200);
        if (event && event->event == "change") ++events_;
      }
    });
  }
  while (tried < count) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return open;
}

void Pages::Close() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}


uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) total += it->file_size(size_ec);
  }
  return total;
}

}  // namespace gradcap::bench
