// A capture day spread over hosts of its own on this machine (tests/netns.h):
// the coordinator in one network namespace, each booth in another, joined by
// veth pairs (or through a FaultRelay host), all talking over their private
// 10.x addresses only — no loopback between hosts. Real binaries, CURVE as
// deployed, the coordinator's real RocksDB log checked afterwards. Skips the
// test (GTEST_SKIP) where namespaces are not permitted.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "tests/netns.h"
#include "tests/process.h"

namespace gradcap::testing {

constexpr int kCoordinatorPort = 5555;

struct LoggedEvent {
  uint64_t epoch = 0;
  uint64_t seq = 0;
  std::string tag;  // SYN-B1-000001: a synthetic scan's payload or photo's name
};

// A tmpfs of `mb` MiB mounted at `path` (made) until destroyed: a small disk
// to fill. Fill() leaves about `free_bytes` free with a ballast file; Free()
// deletes it.
class SmallDisk {
 public:
  SmallDisk(std::string path, int mb);
  ~SmallDisk();
  bool mounted() const { return mounted_; }
  void Fill(uint64_t free_bytes);
  void Free();

 private:
  std::string path_;
  bool mounted_ = false;
};

class NetnsDay : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A host (network namespace) linked to the coordinator's by a veth pair;
  // returns the link (coordinator side is `a`).
  NetLink AddBoothHost(const std::string& host);
  // The coordinator in host "coord", its log in `db` (default: coord-db).
  void StartCoordinator(const std::string& db = "");
  // SIGTERM; expects a clean exit.
  void StopCoordinator();
  // booth-agent `booth` in its host, sending synthetic events to `endpoint`.
  void StartBooth(const std::string& booth, const std::string& endpoint, int events, int rate,
                  const std::vector<std::string>& extra = {});
  ChildProcess& booth(const std::string& booth) { return *booths_[booth]; }
  std::string BoothLog(const std::string& booth) { return ReadFile(dir_.Sub("booth-" + booth + ".log")); }
  std::string CoordinatorLog() { return ReadFile(dir_.Sub("coordinator.log")); }

  // Applied events per booth in log order (the coordinator may be running).
  std::map<std::string, std::vector<LoggedEvent>> ReadLog();
  size_t AppliedCount(const std::string& booth);
  // Photo log seq → how many verdicts (validation records) the log holds for it.
  std::map<uint64_t, int> VerdictsPerPhoto();
  // Polls `done` every `poll_ms` until it holds or `timeout_ms` pass.
  static bool WaitUntil(const std::function<bool()>& done, int timeout_ms, int poll_ms = 100);
  // Waits for every booth to exit 0 (--exit_when_delivered) within `timeout_s`.
  void WaitForBoothsToFinish(int timeout_s);
  // `gradcap audit verify` passes, and every booth's `expected` events are in
  // the log exactly once, in its order, as it generated them.
  void ExpectEveryEventExactlyOnceInOrder(const std::map<std::string, int>& expected);

  TempDir dir_;
  NetnsLab lab_;
  std::string keys_;
  std::string db_;
  std::vector<std::string> coordinator_extra_;  // more coordinator flags
  ChildProcess coordinator_;
  std::map<std::string, std::unique_ptr<ChildProcess>> booths_;
  std::map<std::string, std::string> outbox_dir_;  // booth → outbox, when not in dir_
  bool skipped_ = false;
};

}  // namespace gradcap::testing
