#include "tests/netns_fixture.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/big_endian.h"
#include "common/kv_store.h"
#include "common/log_format.h"
#include "common/sha256.h"

namespace gradcap::testing {

SmallDisk::SmallDisk(std::string path, int mb) : path_(std::move(path)) {
  std::filesystem::create_directories(path_);
  std::string out;
  mounted_ =
      RunCommand({"/usr/bin/mount", "-t", "tmpfs", "-o", absl::StrCat("size=", mb, "m"), "tmpfs", path_},
                 &out) == 0;
  if (!mounted_) std::fprintf(stderr, "mount tmpfs on %s failed: %s\n", path_.c_str(), out.c_str());
}

SmallDisk::~SmallDisk() {
  if (mounted_) RunCommand({"/usr/bin/umount", "-l", path_}, nullptr);
}

void SmallDisk::Fill(uint64_t free_bytes) {
  struct statvfs fs {};
  ASSERT_EQ(::statvfs(path_.c_str(), &fs), 0);
  const uint64_t available = uint64_t(fs.f_bavail) * fs.f_frsize;
  ASSERT_GT(available, free_bytes);
  std::ofstream ballast(path_ + "/ballast", std::ios::binary);
  const std::string block(1 << 16, 'x');
  for (uint64_t left = available - free_bytes; left > 0;) {
    const size_t n = std::min<uint64_t>(left, block.size());
    ballast.write(block.data(), static_cast<std::streamsize>(n));
    left -= n;
  }
  ASSERT_TRUE(ballast.good());
}

void SmallDisk::Free() { std::filesystem::remove(path_ + "/ballast"); }

void NetnsDay::SetUp() {
  if (absl::Status permitted = NetnsLab::Permitted(); !permitted.ok()) {
    skipped_ = true;
    GTEST_SKIP() << "network namespaces are not permitted here (" << permitted
                 << "); the fault tests with separate hosts need root and `ip netns`";
  }
  ASSERT_TRUE(InitCrypto().ok());
  ASSERT_TRUE(lab_.AddHost("coord").ok());
  keys_ = dir_.Sub("keys");
  db_ = dir_.Sub("coord-db");
  std::string out;
  ASSERT_EQ(RunCommand({GRADCAP_BIN, "transport-keys", "init", "--keys", keys_}, &out), 0) << out;
  for (const char* b : {"B1", "B2"}) {
    ASSERT_EQ(RunCommand({GRADCAP_BIN, "transport-keys", "enroll", "--keys", keys_, "--booth", b}, &out), 0)
        << out;
  }
}

void NetnsDay::TearDown() {
  if (skipped_) return;
  if (HasFailure()) {
    std::fprintf(
        stderr, "--- coordinator log (tail) ---\n%s\n",
        CoordinatorLog().substr(CoordinatorLog().size() > 4000 ? CoordinatorLog().size() - 4000 : 0).c_str());
  }
  for (auto& [id, b] : booths_) {
    if (b->running()) b->Signal(SIGKILL), b->Wait(5000);
  }
  if (coordinator_.running()) coordinator_.Signal(SIGKILL), coordinator_.Wait(5000);
}

NetLink NetnsDay::AddBoothHost(const std::string& host) {
  EXPECT_TRUE(lab_.AddHost(host).ok());
  absl::StatusOr<NetLink> link = lab_.Connect("coord", host);
  EXPECT_TRUE(link.ok()) << link.status();
  return link.ok() ? *link : NetLink();
}

void NetnsDay::StartCoordinator(const std::string& db) {
  if (!db.empty()) db_ = db;
  const std::string ready = dir_.Sub("coordinator.ready");
  std::remove(ready.c_str());
  // Every address of its host: the booths reach it over their veths only.
  std::vector<std::string> argv = {COORDINATOR_BIN,
                                   "--db",
                                   db_,
                                   "--listen",
                                   absl::StrCat("tcp://0.0.0.0:", kCoordinatorPort),
                                   "--ready_file",
                                   ready,
                                   "--stats_interval_ms",
                                   "0",
                                   "--keys",
                                   keys_};
  argv.insert(argv.end(), coordinator_extra_.begin(), coordinator_extra_.end());
  ASSERT_TRUE(coordinator_.Start(lab_.Exec("coord", argv), dir_.Sub("coordinator.log")));
  ASSERT_FALSE(WaitForFile(ready, 20000).empty()) << "coordinator did not come up:\n" << CoordinatorLog();
}

void NetnsDay::StopCoordinator() {
  coordinator_.Signal(SIGTERM);
  ASSERT_TRUE(coordinator_.Wait(20000));
  EXPECT_EQ(coordinator_.exit_status(), 0) << CoordinatorLog();
}

void NetnsDay::StartBooth(const std::string& id, const std::string& endpoint, int events, int rate,
                          const std::vector<std::string>& extra) {
  auto outbox = outbox_dir_.find(id);
  std::vector<std::string> argv = {BOOTH_AGENT_BIN,
                                   "--booth",
                                   id,
                                   "--outbox",
                                   outbox == outbox_dir_.end() ? dir_.Sub("outbox-" + id) : outbox->second,
                                   "--coordinator",
                                   endpoint,
                                   "--keys",
                                   keys_,
                                   "--synthetic_scans",
                                   std::to_string(events),
                                   "--synthetic_rate",
                                   std::to_string(rate),
                                   "--synthetic_chunk",
                                   "10",
                                   "--exit_when_delivered",
                                   "--status_interval_ms",
                                   "1000"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto& child = booths_[id];
  if (child == nullptr) child = std::make_unique<ChildProcess>();
  ASSERT_TRUE(child->Start(lab_.Exec(absl::AsciiStrToLower(id), argv), dir_.Sub("booth-" + id + ".log")));
}

std::map<std::string, std::vector<LoggedEvent>> NetnsDay::ReadLog() {
  std::map<std::string, std::vector<LoggedEvent>> out;
  auto store = KvStore::Open(db_, LogColumns(), OpenMode::kReadOnly);
  if (!store.ok()) return out;  // not made yet
  auto cursor = (*store)->NewCursor(kEventsColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    auto opened = OpenRecord(ReadBigEndian64(cursor->key()).value(), cursor->value());
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok() || !opened->record.has_applied()) continue;
    const v1::BoothEvent& e = opened->record.applied().event();
    std::string tag = e.has_photo() ? e.photo().file_name() : e.scan().payload();
    if (tag.size() > 4 && tag.substr(tag.size() - 4) == ".jpg") tag.resize(tag.size() - 4);
    out[e.id().booth()].push_back({e.id().epoch(), e.id().seq(), tag});
  }
  return out;
}

std::map<uint64_t, int> NetnsDay::VerdictsPerPhoto() {
  std::map<uint64_t, int> out;
  auto store = KvStore::Open(db_, LogColumns(), OpenMode::kReadOnly);
  if (!store.ok()) return out;
  auto cursor = (*store)->NewCursor(kEventsColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    auto opened = OpenRecord(ReadBigEndian64(cursor->key()).value(), cursor->value());
    if (opened.ok() && opened->record.has_validation()) ++out[opened->record.validation().photo_log_seq()];
  }
  return out;
}

size_t NetnsDay::AppliedCount(const std::string& booth) { return ReadLog()[booth].size(); }

bool NetnsDay::WaitUntil(const std::function<bool()>& done, int timeout_ms, int poll_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
  return true;
}

void NetnsDay::WaitForBoothsToFinish(int timeout_s) {
  for (auto& [id, b] : booths_) {
    const std::string who = id;
    ASSERT_TRUE(WaitUntil([&] { return !b->running(); }, timeout_s * 1000))
        << "booth " << who << " did not deliver everything within " << timeout_s << " s:\n"
        << BoothLog(who);
    EXPECT_EQ(b->exit_status(), 0) << BoothLog(who);
  }
}

void NetnsDay::ExpectEveryEventExactlyOnceInOrder(const std::map<std::string, int>& expected) {
  std::string audit;
  EXPECT_EQ(RunCommand({GRADCAP_BIN, "audit", "verify", "--db", db_}, &audit), 0) << audit;
  EXPECT_NE(audit.find("\nok"), std::string::npos) << audit;
  auto log = ReadLog();
  for (const auto& [booth, n] : expected) {
    const std::vector<LoggedEvent>& events = log[booth];
    ASSERT_EQ(events.size(), static_cast<size_t>(n)) << booth;
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(events[i].seq, static_cast<uint64_t>(i + 1)) << booth;
      ASSERT_EQ(events[i].epoch, events[0].epoch) << booth;
      ASSERT_EQ(events[i].tag, absl::StrFormat("SYN-%s-%06d", booth, i + 1)) << booth;
    }
  }
}

}  // namespace gradcap::testing
