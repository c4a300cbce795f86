// A coordinator and one booth-agent (B1) as real processes on loopback, for
// the booth's cross-process tests. The booth's stdin is a pipe and its journal
// (--journal_fd 3) is read with NextJournal(), so a test can wait for the
// booth to have handled an input instead of sleeping.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "tests/process.h"

namespace gradcap::testing {

struct LoggedEvent {
  uint64_t seq = 0;
  std::string scan;           // payload of a scan
  std::string photo_sha256;   // hex, of a photo
  uint32_t photo_number = 0;  // the shooting number the booth sent with a photo
};

class BoothFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  void StartCoordinator();
  // booth-agent --booth B1 --outbox DIR/outbox --journal_fd 3 ... `extra`;
  // returns once its journal says it has started (its folders are open).
  void StartBooth(const std::vector<std::string>& extra);
  // The booth's next journal line; "" (and a test failure) after `timeout_ms`.
  std::string NextJournal(int timeout_ms = 60000);
  // B1's applied events in log order (the coordinator may be running).
  std::vector<LoggedEvent> Logged();
  // Waits until at least `n` events are applied (or the time is up).
  std::vector<LoggedEvent> WaitForEvents(size_t n, int timeout_s);
  std::string BoothLog() { return ReadFile(dir_.Sub("booth.log")); }
  // Waits until the booth's log holds `text`.
  bool WaitForBoothLog(const std::string& text, int timeout_ms);

  TempDir dir_;
  std::string endpoint_;
  std::string started_;  // the booth's first journal line
  ChildProcess coordinator_, booth_;
};

}  // namespace gradcap::testing
