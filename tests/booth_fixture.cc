#include "tests/booth_fixture.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "absl/strings/str_format.h"
#include "common/big_endian.h"
#include "common/kv_store.h"
#include "common/sha256.h"
#include "common/log_format.h"

namespace gradcap::testing {

void BoothFixture::SetUp() {
  ASSERT_TRUE(InitCrypto().ok());
  endpoint_ = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
}

void BoothFixture::TearDown() {
  booth_.Signal(SIGTERM);
  booth_.Wait(5000);
  coordinator_.Signal(SIGTERM);
  coordinator_.Wait(10000);
}

void BoothFixture::StartCoordinator() {
  const std::string ready = dir_.Sub("ready");
  std::remove(ready.c_str());
  ASSERT_TRUE(coordinator_.Start({COORDINATOR_BIN, "--db", dir_.Sub("db"), "--listen", endpoint_,
                                  "--ready_file", ready, "--stats_interval_ms", "0"},
                                 dir_.Sub("coordinator.log")));
  ASSERT_FALSE(WaitForFile(ready, 20000).empty()) << ReadFile(dir_.Sub("coordinator.log"));
}

void BoothFixture::StartBooth(const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {BOOTH_AGENT_BIN,
                                   "--booth",
                                   "B1",
                                   "--outbox",
                                   dir_.Sub("outbox"),
                                   "--coordinator",
                                   endpoint_,
                                   "--status_interval_ms",
                                   "0",
                                   "--journal_fd",
                                   std::to_string(ChildProcess::kJournalFd)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  ASSERT_TRUE(booth_.Start(argv, dir_.Sub("booth.log"), /*stdin_pipe=*/true, /*journal_pipe=*/true));
  // Its folders are open: a file written from now on is live, not backlog.
  started_ = NextJournal();
  ASSERT_EQ(started_.rfind("{\"started\":\"B1\",", 0), 0u) << started_;
}

std::string BoothFixture::NextJournal(int timeout_ms) {
  std::optional<std::string> line = booth_.ReadJournalLine(timeout_ms);
  if (!line) {
    ADD_FAILURE() << "no journal line within " << timeout_ms << " ms; booth log:\n" << BoothLog();
    return "";
  }
  return *line;
}

std::vector<LoggedEvent> BoothFixture::Logged() {
  std::vector<LoggedEvent> out;
  auto store = KvStore::Open(dir_.Sub("db"), LogColumns(), OpenMode::kReadOnly);
  if (!store.ok()) return out;
  auto cursor = (*store)->NewCursor(kEventsColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    auto opened = OpenRecord(ReadBigEndian64(cursor->key()).value(), cursor->value());
    if (!opened.ok() || !opened->record.has_applied()) continue;
    const v1::BoothEvent& e = opened->record.applied().event();
    out.push_back({e.id().seq(), e.has_scan() ? e.scan().payload() : "",
                   e.has_photo() ? ToHex(e.photo().sha256()) : "",
                   e.has_photo() ? e.photo().shooting_no() : 0});
  }
  return out;
}

std::vector<LoggedEvent> BoothFixture::WaitForEvents(size_t n, int timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  std::vector<LoggedEvent> got;
  while (std::chrono::steady_clock::now() < deadline) {
    got = Logged();
    if (got.size() >= n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling an outcome, not ordering events
  }
  return got;
}

bool BoothFixture::WaitForBoothLog(const std::string& text, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (BoothLog().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling an outcome, not ordering events
  }
  return true;
}

}  // namespace gradcap::testing
