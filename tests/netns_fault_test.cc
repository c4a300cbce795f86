// Faults between hosts (issue 15, part 4): booths and the coordinator in
// network namespaces of their own, joined by veth pairs or through a
// fault-injecting relay (this kernel has no `tc netem`). A booth's link is
// cut for 30 s mid-queue; connections are delayed, reset and overtaken by
// stale data; the coordinator is SIGKILLed under load; a booth's and the
// coordinator's disks fill up. Afterwards every event is in the log exactly
// once, in each booth's order, `gradcap audit verify` passes, and a full disk
// was reported as such and recovered from once space returned.
// Run: ctest --test-dir build -R netns -V (as root; skipped otherwise).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "drill/drill_booth.h"
#include "tests/fault_relay.h"
#include "tests/netns_fixture.h"

namespace gradcap::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string Endpoint(const std::string& addr, int port = kCoordinatorPort) {
  return absl::StrCat("tcp://", addr, ":", port);
}

double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The outbox's last seq in the booth's latest status line ("acked through A of N").
size_t LastStoredSeq(const std::string& booth_log) {
  const size_t line = booth_log.rfind("acked through ");
  if (line == std::string::npos) return 0;
  const size_t of = booth_log.find(" of ", line);
  return of == std::string::npos ? 0 : std::strtoull(booth_log.c_str() + of + 4, nullptr, 10);
}

// A 480×640 photo on blue, different for each `k` (so no two share a digest).
std::string BluePhoto(int k) {
  cv::Mat m(640, 480, CV_8UC3, cv::Scalar(200, 120, 40));
  cv::circle(m, cv::Point(240, 260), 90 + k, cv::Scalar(150, 170, 210), cv::FILLED);
  cv::putText(m, std::to_string(k), cv::Point(200, 560), cv::FONT_HERSHEY_SIMPLEX, 2,
              cv::Scalar(255, 255, 255), 3);
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", m, jpeg);
  return std::string(jpeg.begin(), jpeg.end());
}

using NetnsFaultTest = NetnsDay;

TEST_F(NetnsFaultTest, BoothLinkCutFor30sMidQueueDeliversEverythingOnceInOrder) {
  constexpr int kEvents = 2000, kRate = 50, kCutSeconds = 30;
  const NetLink b1 = AddBoothHost("b1"), b2 = AddBoothHost("b2");
  StartCoordinator();
  StartBooth("B1", Endpoint(b1.a_addr), kEvents, kRate);
  StartBooth("B2", Endpoint(b2.a_addr), kEvents, kRate);
  ASSERT_TRUE(WaitUntil([&] { return AppliedCount("B1") >= 200; }, 30000)) << BoothLog("B1");

  ASSERT_TRUE(lab_.SetLinkUp(b1, false).ok());
  const auto cut = Clock::now();
  const size_t b2_at_cut = AppliedCount("B2");
  ASSERT_TRUE(WaitUntil([&] { return Contains(BoothLog("B1"), "booth B1 offline"); }, 10000))
      << "the booth did not notice its link was gone:\n"
      << BoothLog("B1");
  const size_t b1_cut_off = AppliedCount("B1");  // what got through before the cable went
  // The link stays cut for 30 s; B1 keeps taking input into its outbox.
  EXPECT_FALSE(WaitUntil([&] { return AppliedCount("B1") != b1_cut_off; },
                         static_cast<int>((kCutSeconds - SecondsSince(cut)) * 1000), 500))
      << "B1's events reached the coordinator over a cut link";
  const size_t b2_during = AppliedCount("B2") - b2_at_cut;
  EXPECT_GE(b2_during, static_cast<size_t>(kRate * kCutSeconds / 2)) << "B2 stalled with B1's link";

  const size_t stored_at_up = LastStoredSeq(BoothLog("B1"));
  ASSERT_TRUE(lab_.SetLinkUp(b1, true).ok());
  const auto up = Clock::now();
  ASSERT_TRUE(WaitUntil([&] { return AppliedCount("B1") > b1_cut_off; }, 30000, 50))
      << "B1 did not come back after its link did:\n"
      << BoothLog("B1");
  const double first_back_s = SecondsSince(up);
  ASSERT_TRUE(WaitUntil([&] { return AppliedCount("B1") >= stored_at_up; }, 60000, 50)) << BoothLog("B1");
  const double backlog_s = SecondsSince(up);
  WaitForBoothsToFinish(120);
  std::printf(
      "link cut %d s with B1 at %zu applied (B2 applied %zu meanwhile); after the link came back B1's first "
      "event arrived in %.2f s and its backlog of %zu queued events in %.2f s\n",
      kCutSeconds, b1_cut_off, b2_during, first_back_s, stored_at_up - b1_cut_off, backlog_s);
  EXPECT_LT(first_back_s, 10.0);
  StopCoordinator();
  ExpectEveryEventExactlyOnceInOrder({{"B1", kEvents}, {"B2", kEvents}});
}

// B1's connections are delayed, reset every second or so, and now and then
// reset with their upstream half kept open, so that stale data reaches the
// coordinator after the booth's new connection has carried newer events.
// B2's relay stalls: nothing moves for 3 s, twice.
TEST_F(NetnsFaultTest, RelayDelaysResetsStallsAndStaleDataLoseAndDoubleNothing) {
  constexpr int kEvents = 2000, kRate = 200;
  ASSERT_TRUE(lab_.AddHost("relay").ok());
  absl::StatusOr<NetLink> upstream = lab_.Connect("coord", "relay");
  ASSERT_TRUE(upstream.ok()) << upstream.status();
  std::map<std::string, std::unique_ptr<FaultRelay>> relays;
  for (const std::string host : {"b1", "b2"}) {
    ASSERT_TRUE(lab_.AddHost(host).ok());
    absl::StatusOr<NetLink> link = lab_.Connect("relay", host);
    ASSERT_TRUE(link.ok()) << link.status();
    auto relay =
        FaultRelay::Start(lab_.Netns("relay"), link->a_addr, 6000, upstream->a_addr, kCoordinatorPort);
    ASSERT_TRUE(relay.ok()) << relay.status();
    relays[host] = std::move(*relay);
    StartBooth(absl::AsciiStrToUpper(host), Endpoint(link->a_addr, 6000), kEvents, kRate);
  }
  StartCoordinator();
  FaultRelay& r1 = *relays["b1"];
  FaultRelay& r2 = *relays["b2"];
  r1.SetDelayMs(60);
  r1.SetResetEveryMs(1000);
  r2.SetDelayMs(5);

  int stale_resets = 0, stalls = 0;
  size_t b1_mark = 0, b2_mark = 0;
  const auto start = Clock::now();
  while ((booth("B1").running() || booth("B2").running()) && SecondsSince(start) < 120) {
    WaitUntil([&] { return !booth("B1").running() && !booth("B2").running(); }, 250, 50);
    auto log = ReadLog();
    if (log["B1"].size() >= b1_mark + 150 && booth("B1").running()) {
      r1.ResetAll(/*stale_hold_ms=*/1500);
      ++stale_resets;
      b1_mark = log["B1"].size();
    }
    if (log["B2"].size() >= b2_mark + 500 && stalls < 2 && booth("B2").running()) {
      r2.Stall(3000);
      ++stalls;
      b2_mark = log["B2"].size();
    }
  }
  WaitForBoothsToFinish(5);
  const RelayCounts c1 = r1.counts(), c2 = r2.counts();
  std::printf(
      "B1 relay: %d connections, %d resets (%d with stale upstream), %d stale chunks delivered late; "
      "B2 relay: %d stalls of 3 s, %d connections; all delivered in %.1f s\n",
      c1.accepted, c1.resets, stale_resets, c1.stale_delivered, stalls, c2.accepted, SecondsSince(start));
  EXPECT_GE(c1.resets, 5);
  EXPECT_GE(c1.stale_delivered, 1)
      << "no stale data overtook a new connection: the reordering was not exercised";
  EXPECT_EQ(stalls, 2);
  StopCoordinator();
  ExpectEveryEventExactlyOnceInOrder({{"B1", kEvents}, {"B2", kEvents}});
}

TEST_F(NetnsFaultTest, CoordinatorKilledUnderLoadAcrossHostsLosesAndDoublesNothing) {
  constexpr int kEvents = 2000, kRate = 200;
  const NetLink b1 = AddBoothHost("b1"), b2 = AddBoothHost("b2");
  StartCoordinator();
  StartBooth("B1", Endpoint(b1.a_addr), kEvents, kRate);
  StartBooth("B2", Endpoint(b2.a_addr), kEvents, kRate);
  int kills = 0;
  const auto start = Clock::now();
  while ((booth("B1").running() || booth("B2").running()) && SecondsSince(start) < 120) {
    const size_t before = AppliedCount("B1") + AppliedCount("B2");
    // Kill once it is busy again after each restart.
    WaitUntil(
        [&] { return AppliedCount("B1") + AppliedCount("B2") >= before + 300 || !booth("B1").running(); },
        20000, 50);
    if (!booth("B1").running() && !booth("B2").running()) break;
    coordinator_.Signal(SIGKILL);
    ASSERT_TRUE(coordinator_.Wait(5000));
    ++kills;
    StartCoordinator();
  }
  WaitForBoothsToFinish(60);
  std::printf("coordinator SIGKILLed %d times under load; all delivered in %.1f s\n", kills,
              SecondsSince(start));
  EXPECT_GE(kills, 4);
  StopCoordinator();
  ExpectEveryEventExactlyOnceInOrder({{"B1", kEvents}, {"B2", kEvents}});
}

// A 48 MiB disk with 1 MiB left: synthetic photos of 20 KB fill it within a second.
TEST_F(NetnsFaultTest, BoothDiskFullIsReportedDeliversWhatItHoldsAndRecovers) {
  constexpr int kEvents = 600;
  SmallDisk disk(dir_.Sub("b1-disk"), 48);
  ASSERT_TRUE(disk.mounted());
  disk.Fill(1 << 20);
  outbox_dir_["B1"] = dir_.Sub("b1-disk/outbox");
  const NetLink b1 = AddBoothHost("b1");
  StartCoordinator();
  StartBooth("B1", Endpoint(b1.a_addr), kEvents, 100, {"--synthetic_photo_bytes", "20000"});
  const std::string full = "disk full: the outbox " + outbox_dir_["B1"] + " cannot store new events";
  ASSERT_TRUE(WaitUntil([&] { return Contains(BoothLog("B1"), full); }, 30000)) << BoothLog("B1");
  const auto full_at = Clock::now();
  // Full, it keeps running and still delivers what it stored.
  ASSERT_TRUE(WaitUntil(
      [&] {
        const std::string log = BoothLog("B1");
        return Contains(log.substr(log.find(full)), " 0 waiting, acked through ");
      },
      15000))
      << BoothLog("B1");
  EXPECT_FALSE(WaitUntil([&] { return !booth("B1").running(); }, 2000)) << "full, the booth stopped:\n"
                                                                        << BoothLog("B1");
  const size_t delivered_while_full = AppliedCount("B1");

  disk.Free();
  const auto freed = Clock::now();
  ASSERT_TRUE(WaitUntil([&] { return Contains(BoothLog("B1"), "disk space back: the outbox"); }, 15000))
      << BoothLog("B1");
  const double back_s = SecondsSince(freed);
  WaitForBoothsToFinish(60);
  std::printf(
      "booth disk full after %zu events were delivered (reported: \"%s\"); full for %.1f s; storing again "
      "%.2f s after space was freed\n",
      delivered_while_full, full.c_str(), std::chrono::duration<double>(freed - full_at).count(), back_s);
  StopCoordinator();
  ExpectEveryEventExactlyOnceInOrder({{"B1", kEvents}});
}

TEST_F(NetnsFaultTest, CoordinatorDiskFullStopsAckingIsReportedAndRecovers) {
  constexpr int kEvents = 600;
  SmallDisk disk(dir_.Sub("coord-disk"), 48);
  ASSERT_TRUE(disk.mounted());
  const NetLink b1 = AddBoothHost("b1");
  StartCoordinator(dir_.Sub("coord-disk/db"));
  disk.Fill(1 << 20);
  StartBooth("B1", Endpoint(b1.a_addr), kEvents, 100, {"--synthetic_photo_bytes", "20000"});
  const std::string full = "disk full: the event log " + dir_.Sub("coord-disk/db") + " cannot commit";
  ASSERT_TRUE(WaitUntil([&] { return Contains(CoordinatorLog(), full); }, 30000)) << CoordinatorLog();
  const auto full_at = Clock::now();
  // Nothing more is committed (so nothing more acked) while the disk is full.
  const size_t committed = AppliedCount("B1");
  EXPECT_FALSE(WaitUntil([&] { return AppliedCount("B1") != committed; }, 2000, 200));
  ASSERT_TRUE(coordinator_.running()) << CoordinatorLog();

  disk.Free();
  const auto freed = Clock::now();
  ASSERT_TRUE(WaitUntil([&] { return Contains(CoordinatorLog(), "disk space back: the event log"); }, 15000))
      << CoordinatorLog();
  const double back_s = SecondsSince(freed);
  WaitForBoothsToFinish(60);
  std::printf(
      "coordinator disk full with %zu events committed (reported: \"%s …\"); full for %.1f s; committing "
      "again %.2f s after space was freed; all %d delivered %.1f s after\n",
      committed, full.c_str(), std::chrono::duration<double>(freed - full_at).count(), back_s, kEvents,
      SecondsSince(freed));
  StopCoordinator();
  ExpectEveryEventExactlyOnceInOrder({{"B1", kEvents}});
}

// 30 students of 经济管理学院 scanned and photographed at B2, two validators
// on hosts of their own; one is SIGKILLed while photos wait for their checks,
// and started again. Its job goes to the other after the validation timeout.
TEST_F(NetnsFaultTest, ValidatorKilledUnderLoadEveryPhotoGetsExactlyOneVerdict) {
  constexpr int kStudents = 30;
  std::string out;
  {
    std::ifstream roster(std::string(SAMPLE_DIR) + "/roster.csv");
    std::ofstream paid(dir_.Sub("payments.csv"));
    paid << "学号,金额,缴费时间,交易号\n";
    std::string line;
    for (std::getline(roster, line); std::getline(roster, line);) {
      const std::string no = line.substr(0, line.find(','));
      paid << no << ",15.00,2024-09-01 10:00,T" << no << "\n";
    }
  }
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"roster", "import", "--db", db_, std::string(SAMPLE_DIR) + "/roster.csv"},
           {"payments", "import", "--db", db_, dir_.Sub("payments.csv")},
           {"schedule", "import", "--db", db_, std::string(SAMPLE_DIR) + "/schedule.csv"},
           {"keys", "init", "--db", db_},
           {"codes", "issue", "--db", db_, "--out", dir_.Sub("codes")},
           {"transport-keys", "enroll", "--keys", keys_, "--booth", "validator-1"},
           {"transport-keys", "enroll", "--keys", keys_, "--booth", "validator-2"}}) {
    std::vector<std::string> argv = {GRADCAP_BIN};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    ASSERT_EQ(RunCommand(argv, &out), 0) << cmd[0] << " " << cmd[1] << ": " << out;
  }
  std::vector<std::string> codes;  // B2's college, in roster order
  {
    std::ifstream index(dir_.Sub("codes/codes.csv"));
    std::string line;
    for (std::getline(index, line); std::getline(index, line);) {
      if (line.find(",经济管理学院,") != std::string::npos) codes.push_back(line.substr(line.rfind(',') + 1));
    }
  }
  ASSERT_EQ(codes.size(), static_cast<size_t>(kStudents));

  const NetLink b2 = AddBoothHost("b2");
  std::vector<NetLink> vlinks = {AddBoothHost("v1"), AddBoothHost("v2")};
  coordinator_extra_ = {"--validators", "tcp://0.0.0.0:5556", "--validation_timeout_ms",
                        "3000",         "--clock_start",      "2024-09-21T09:00+08:00"};
  StartCoordinator();
  ChildProcess validators[2];
  auto start_validator = [&](int i) {
    const std::string name = absl::StrCat("validator-", i + 1);
    ASSERT_TRUE(validators[i].Start(
        lab_.Exec(absl::StrCat("v", i + 1), {VALIDATOR_BIN, "--coordinator", Endpoint(vlinks[i].a_addr, 5556),
                                             "--store", dir_.Sub(name), "--name", name, "--keys", keys_}),
        dir_.Sub(name + ".log")));
  };
  start_validator(0);
  start_validator(1);

  DrillBoothOptions o;
  o.booth = "B2";
  o.work_dir = dir_.path();
  o.booth_bin = BOOTH_AGENT_BIN;
  o.endpoint = Endpoint(b2.a_addr);
  o.exec_prefix = lab_.Exec("b2", {});
  o.extra_args = {"--keys", keys_};
  DrillBooth b(o);
  ASSERT_TRUE(b.Start().ok());
  for (int k = 0; k < kStudents; ++k) {
    absl::StatusOr<DrillInput> scanned = b.ShowCode("", codes[k], k);
    ASSERT_TRUE(scanned.ok() && !scanned->seqs.empty()) << scanned.status() << BoothLog("B2");
  }
  // validator-1 dies once checks are under way, with most photos still to
  // come, and is started again two thirds of the way through.
  const auto start = Clock::now();
  size_t at_kill = 0;
  for (int k = 0; k < kStudents; ++k) {
    absl::StatusOr<DrillInput> shot = b.Shoot(BluePhoto(k), k + 1, false, kStudents + k);
    ASSERT_TRUE(shot.ok() && !shot->seqs.empty()) << shot.status() << BoothLog("B2");
    if (k == 5) {
      ASSERT_TRUE(WaitUntil([&] { return !VerdictsPerPhoto().empty(); }, 30000)) << CoordinatorLog();
      at_kill = VerdictsPerPhoto().size();
      validators[0].Signal(SIGKILL);
      ASSERT_TRUE(validators[0].Wait(5000));
    }
    if (k == 20) start_validator(0);
  }
  ASSERT_TRUE(WaitUntil([&] { return VerdictsPerPhoto().size() >= static_cast<size_t>(kStudents); }, 90000))
      << CoordinatorLog() << ReadFile(dir_.Sub("validator-2.log"));
  size_t reissued = 0;
  for (size_t at = 0; (at = CoordinatorLog().find("re-issued: validator", at)) != std::string::npos; ++at)
    ++reissued;
  std::printf(
      "validator-1 SIGKILLed with %zu of %d photos checked (%zu jobs re-issued); all %d checked %.1f s after "
      "the first photo\n",
      at_kill, kStudents, reissued, kStudents, SecondsSince(start));
  EXPECT_LT(at_kill, static_cast<size_t>(kStudents)) << "every photo was checked before the kill";
  for (const auto& [photo, verdicts] : VerdictsPerPhoto())
    EXPECT_EQ(verdicts, 1) << "photo at log seq " << photo;
  EXPECT_EQ(VerdictsPerPhoto().size(), static_cast<size_t>(kStudents));
  b.Stop();
  for (ChildProcess& v : validators) v.Signal(SIGTERM), v.Wait(10000);
  StopCoordinator();
  std::string audit;
  EXPECT_EQ(RunCommand({GRADCAP_BIN, "audit", "verify", "--db", db_}, &audit), 0) << audit;
  EXPECT_NE(audit.find("\nok"), std::string::npos) << audit;
  ASSERT_EQ(ReadLog()["B2"].size(), static_cast<size_t>(2 * kStudents));
}

}  // namespace
}  // namespace gradcap::testing
