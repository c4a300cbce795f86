// The after-the-day commands as the auditor and the registrar run them: real
// `gradcap` processes (and a real coordinator where one holds the database)
// on a capture day written as the coordinator writes it. The same report
// twice is the same bytes; the tools never change the database; an unmasked
// look is logged first — on the database, or through the coordinator that
// holds it — and refused on a read-only copy; checkpoints handed out at a
// close and at the end of the day prove the log and catch a rewrite; bad
// input is refused with what is wrong.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include "absl/strings/str_format.h"
#include "audit/sample_day_for_tests.h"
#include "audit/audit_db.h"
#include "audit/tamper_for_tests.h"
#include "common/temp_dir.h"
#include "coordinator/reconciliation.h"
#include "live/live_feed.h"
#include "tests/process.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;
using testing::ChildProcess;

// Every file of a database with its size and modification time.
std::map<std::string, std::pair<uintmax_t, int64_t>> Snapshot(const std::string& dir) {
  std::map<std::string, std::pair<uintmax_t, int64_t>> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    out[e.path().string()] = {e.file_size(), e.last_write_time().time_since_epoch().count()};
  }
  return out;
}

class AuditToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    db_ = dir_.Sub("db");
    testing::DayBuilder day(db_, SAMPLE_DIR);
    sample_ = testing::PlaySampleDay(day);
    day.Stop();
  }
  void TearDown() override {
    coordinator_.Signal(SIGTERM);
    coordinator_.Wait(10000);
  }

  int Gradcap(std::vector<std::string> args, std::string* out = nullptr, int expect = 0) {
    args.insert(args.begin(), GRADCAP_BIN);
    std::string text;
    const int status = testing::RunCommand(args, &text, 120000);
    EXPECT_EQ(status, expect) << ::testing::PrintToString(args) << "\n" << text.substr(0, 3000);
    if (out != nullptr) *out = text;
    return status;
  }

  void StartCoordinator() {
    admin_ = absl::StrFormat("tcp://127.0.0.1:%d", testing::FreeLoopbackPort());
    const std::string ready = dir_.Sub("ready");
    ASSERT_TRUE(coordinator_.Start(
        {COORDINATOR_BIN, "--db", db_, "--listen",
         absl::StrFormat("tcp://127.0.0.1:%d", testing::FreeLoopbackPort()), "--admin", admin_,
         "--ready_file", ready, "--clock_start", "2024-09-21T11:40+08:00", "--stats_interval_ms", "0"},
        dir_.Sub("coordinator.log")));
    ASSERT_FALSE(testing::WaitForFile(ready, 20000).empty())
        << testing::ReadFile(dir_.Sub("coordinator.log"));
  }
  void StopCoordinator() {
    coordinator_.Signal(SIGTERM);
    ASSERT_TRUE(coordinator_.Wait(10000));
  }

  v1::StudentStory Story(const std::string& student) {
    std::string out;
    Gradcap({"audit", "student", "--db", db_, student, "--json"}, &out);
    v1::StudentStory story;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(out, &story).ok()) << out;
    return story;
  }

  TempDir dir_;
  std::string db_, admin_;
  testing::SampleDay sample_;
  ChildProcess coordinator_;
};

// The time-lapse for review meetings: the day played again on a live feed,
// record by record in log order, ending on exactly the state the log holds;
// nothing in the database changes.
TEST_F(AuditToolsTest, ATimeLapseFeedsTheLiveViewTheDayInOrderAndEndsOnItsState) {
  const auto before = Snapshot(db_);
  const std::string endpoint = absl::StrFormat("tcp://127.0.0.1:%d", testing::FreeLoopbackPort());
  ChildProcess timelapse;
  ASSERT_TRUE(timelapse.Start({GRADCAP_BIN, "audit", "replay", "--db", db_, "--live", endpoint, "--speed", "20",
                               "--wait_viewer", "--linger_s", "60"},
                              dir_.Sub("timelapse.log")));
  AuditDb db = OpenAuditDb(db_).value();
  const uint64_t head = db.log->last_log_seq();
  std::mutex mu;
  std::condition_variable cv;
  std::vector<uint64_t> log_seqs;  // the log position of each state the viewer saw
  std::optional<LiveState> final_state;
  LiveFeedOptions feed;
  feed.endpoint = endpoint;
  auto viewer = LiveFeed::Start(feed, [&](const LiveState& state, const std::vector<LiveChange>&, LinkState) {
    std::lock_guard<std::mutex> lock(mu);
    if (!state.synced()) return;
    log_seqs.push_back(state.log_seq());
    if (state.log_seq() == head && !final_state.has_value()) {
      final_state = state;
      cv.notify_all();
    }
  });
  ASSERT_TRUE(viewer.ok()) << viewer.status();
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return final_state.has_value(); }))
        << "head " << head << ", seen " << (log_seqs.empty() ? 0 : log_seqs.back()) << " in " << log_seqs.size()
        << " states\n"
        << testing::ReadFile(dir_.Sub("timelapse.log"));
  }
  viewer->reset();
  timelapse.Signal(SIGTERM);
  ASSERT_TRUE(timelapse.Wait(10000));
  EXPECT_EQ(timelapse.exit_status(), 0) << testing::ReadFile(dir_.Sub("timelapse.log"));

  // Played, not dumped: the viewer came before the first record and saw the
  // log move forward through the day, never back.
  ASSERT_FALSE(log_seqs.empty());
  EXPECT_EQ(log_seqs.front(), 0u);
  EXPECT_TRUE(std::is_sorted(log_seqs.begin(), log_seqs.end()));
  EXPECT_GT(std::set<uint64_t>(log_seqs.begin(), log_seqs.end()).size(), 10u);

  // The end is the day as the log has it: every booth's queue and every
  // college's head count.
  CaptureDay day(db.registry.get());
  ASSERT_TRUE(ReplayChecked(db, &day).ok());
  ASSERT_FALSE(final_state->booths().empty());
  for (const auto& [booth, seen] : final_state->booths()) {
    v1::BoothState expected;
    day.DescribeBoothLive(booth, &expected);
    v1::BoothState compared = seen;
    compared.clear_online();
    compared.clear_last_heard_ms();
    compared.clear_outbox_depth();
    compared.clear_epoch();
    compared.clear_last_seq();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(compared, expected))
        << "played:\n" << compared.DebugString() << "the log:\n" << expected.DebugString();
  }
  for (const auto& [college, seen] : final_state->colleges()) {
    absl::StatusOr<v1::Reconciliation> expected = Reconcile(day, *db.registry, college);
    ASSERT_TRUE(expected.ok()) << college;
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(seen, *expected)) << college;
  }
  EXPECT_EQ(final_state->colleges().size(), 2u);
  EXPECT_EQ(final_state->admin_endpoint(), "");  // nothing to acknowledge or close in a replay
  db = AuditDb{};
  EXPECT_EQ(Snapshot(db_), before);
}

TEST_F(AuditToolsTest, TheSameDatabaseGivesTheSameBytesAndTheToolsChangeNothing) {
  const auto before = Snapshot(db_);
  std::string a, b;
  Gradcap({"audit", "replay", "--db", db_, "--json"}, &a);
  Gradcap({"audit", "replay", "--db", db_, "--json"}, &b);
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("\"refused_scans\":{\"duplicate_scan\":1,\"unpaid\":1}"), std::string::npos)
      << "maps print in key order";
  Gradcap({"audit", "replay", "--db", db_}, &a);
  EXPECT_EQ(a.substr(a.size() - 3), "ok\n");
  Gradcap({"audit", "student", "--db", db_, "S2021002"});
  Gradcap({"export", "--db", db_, "--out", dir_.Sub("upload")}, &a);
  EXPECT_NE(a.find("2 photos exported; 2 left out"), std::string::npos) << a;
  Gradcap({"report", "--db", db_, "--out", dir_.Sub("report"), "--thumbnails"});
  Gradcap({"audit", "verify", "--db", db_});
  EXPECT_EQ(Snapshot(db_), before) << "a read-only tool changed the database";
}

TEST_F(AuditToolsTest, AnUnmaskedLookIsLoggedOnTheDatabaseBeforeTheNameIsShown) {
  std::string out;
  Gradcap({"audit", "student", "--db", db_, "S2021001", "--unmasked", "--as", "auditor-zhao", "--purpose",
           "dispute 2024-117"},
          &out);
  EXPECT_NE(out.find("杜英"), std::string::npos) << out;
  EXPECT_NE(out.find("360102200102021010"), std::string::npos) << out;
  EXPECT_NE(out.find("this unmasked look is logged as record"), std::string::npos) << out;
  const v1::StudentStory story = Story("S2021001");
  ASSERT_FALSE(story.entries().empty());
  const v1::StoryEntry& last = story.entries(story.entries_size() - 1);
  EXPECT_EQ(last.what(), "admin");
  EXPECT_NE(last.detail().find("auditor-zhao sees the plain name"), std::string::npos) << last.detail();
  EXPECT_NE(last.detail().find("dispute 2024-117"), std::string::npos) << last.detail();
  EXPECT_EQ(story.name().find("杜英"), std::string::npos) << "masked again without --unmasked";
  Gradcap({"audit", "verify", "--db", db_});
}

TEST_F(AuditToolsTest, AnUnmaskedLookGoesThroughTheCoordinatorThatHoldsTheDatabase) {
  StartCoordinator();
  std::string out;
  Gradcap({"audit", "student", "--db", db_, "S2021003", "--unmasked", "--as", "auditor-zhao"}, &out);
  EXPECT_NE(out.find("a coordinator holds"), std::string::npos) << out;
  EXPECT_NE(out.find("邹刚"), std::string::npos) << out;
  // Beside the running coordinator the masked story reads the database itself.
  Gradcap({"audit", "student", "--db", db_, "S2021003"}, &out);
  EXPECT_EQ(out.find("邹刚"), std::string::npos) << out;
  StopCoordinator();
  const v1::StudentStory story = Story("S2021003");
  EXPECT_EQ(story.entries(story.entries_size() - 1).what(), "admin");
  Gradcap({"audit", "replay", "--db", db_});
}

TEST_F(AuditToolsTest, AnUnmaskedLookOnAReadOnlyCopyIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run gradcap as another user";
  const std::string copy = dir_.Sub("copy");
  fs::copy(db_, copy);
  fs::permissions(dir_.path(), fs::perms::others_exec | fs::perms::others_read, fs::perm_options::add);
  const std::vector<std::string> as_nobody = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                              "--clear-groups",   GRADCAP_BIN,     "audit",
                                              "student",          "--db",          copy,
                                              "S2021001"};
  std::string out;
  EXPECT_EQ(testing::RunCommand(as_nobody, &out), 0) << out;  // the masked story reads a copy
  std::vector<std::string> unmasked = as_nobody;
  unmasked.push_back("--unmasked");
  EXPECT_EQ(testing::RunCommand(unmasked, &out), 1) << out;
  EXPECT_NE(out.find("--unmasked must log who looked"), std::string::npos) << out;
  EXPECT_NE(out.find("a read-only copy?"), std::string::npos) << out;
  EXPECT_EQ(out.find("杜英"), std::string::npos) << out;
}

TEST_F(AuditToolsTest, CheckpointsHandedOutProveTheLogAndCatchARewriteThatReHashedAndReSigned) {
  StartCoordinator();
  std::string out;
  Gradcap({"close", "--coordinator", admin_, "--as", "lead-li", "--college", "经济管理学院", "--override",
           "S2022031's verdict comes later"},
          &out);
  EXPECT_NE(out.find("signed checkpoint of record"), std::string::npos) << out;
  Gradcap({"audit", "checkpoint", "--coordinator", admin_, "--as", "registrar-wang", "--out",
           dir_.Sub("day-end.txt")},
          &out);
  StopCoordinator();
  Gradcap({"keys", "public", "--db", db_, "--out", dir_.Sub("key.pub")});
  Gradcap({"audit", "checkpoint", "export", "--db", db_, "--college", "经济管理学院", "--out",
           dir_.Sub("econ.txt")},
          &out);
  const std::string econ = testing::ReadFile(dir_.Sub("econ.txt"));
  EXPECT_NE(econ.find("# head count: roster 30"), std::string::npos) << econ;
  EXPECT_NE(econ.find("actor: lead-li"), std::string::npos) << econ;
  const std::string files = dir_.Sub("econ.txt") + "," + dir_.Sub("day-end.txt");
  Gradcap({"audit", "verify", "--db", db_, "--checkpoint", files, "--public_key", dir_.Sub("key.pub")}, &out);
  EXPECT_NE(out.find("the log is proven unchanged through record"), std::string::npos) << out;

  // A forger with the database rewrites S2021001's accepted scan, re-hashes
  // the chain and re-signs every in-log checkpoint with the database's key.
  const uint64_t scan = 7;
  testing::Tamper(db_).RewriteAndRehash(
      scan, [](v1::LogRecord& r) { r.set_recorded_at_ms(r.recorded_at_ms() + 1); },
      /*resign=*/true);
  Gradcap({"audit", "verify", "--db", db_}, &out);  // alone, the database cannot tell
  Gradcap({"audit", "verify", "--db", db_, "--checkpoint", files, "--public_key", dir_.Sub("key.pub")}, &out,
          1);
  const size_t at = econ.find("\nlog_seq: ") + 10;
  const std::string econ_close = econ.substr(at, econ.find('\n', at) - at);
  EXPECT_NE(out.find("FAILED at record " + econ_close + ":"), std::string::npos)
      << out;  // the earliest file that breaks
  EXPECT_NE(out.find("the log was rewritten at or before record"), std::string::npos) << out;
}

TEST_F(AuditToolsTest, ACheckpointOfAnotherKeyAndAnExistingFileAreRefused) {
  Gradcap({"audit", "checkpoint", "export", "--db", db_, "--out", dir_.Sub("cp.txt")});
  Gradcap({"audit", "checkpoint", "export", "--db", db_, "--out", dir_.Sub("cp.txt")}, nullptr, 1);
  TempDir other;
  testing::DayBuilder another(other.Sub("db"), SAMPLE_DIR);
  another.Stop();
  Gradcap({"keys", "public", "--db", other.Sub("db"), "--out", dir_.Sub("other.pub")});
  std::string out;
  Gradcap({"audit", "verify", "--db", db_, "--checkpoint", dir_.Sub("cp.txt"), "--public_key",
           dir_.Sub("other.pub")},
          &out, 1);
  EXPECT_NE(out.find("signed by key"), std::string::npos) << out;
  EXPECT_NE(out.find("not by"), std::string::npos) << out;
}

TEST_F(AuditToolsTest, BadInputIsRefusedSayingWhatIsWrongAndNothingChanges) {
  fs::create_directories(dir_.Sub("upload"));
  std::ofstream(dir_.Sub("upload/notes.txt")) << "keep me";
  std::string out;
  Gradcap({"export", "--db", db_, "--out", dir_.Sub("upload")}, &out, 1);
  EXPECT_NE(out.find("already exists and holds files"), std::string::npos) << out;
  Gradcap({"export", "--db", db_, "--out", dir_.Sub("other"), "--name_by", "name"}, &out, 1);
  EXPECT_NE(out.find("--name_by \"name\""), std::string::npos) << out;
  Gradcap({"report", "--db", db_, "--out", dir_.Sub("upload")}, &out, 1);
  EXPECT_EQ(testing::ReadFile(dir_.Sub("upload/notes.txt")), "keep me");

  testing::Tamper(db_).Put(kMetaColumn, kLogFormatKey, "2");
  const auto before = Snapshot(db_);
  const std::vector<std::vector<std::string>> commands = {
      {"audit", "replay", "--db", db_},
      {"audit", "student", "--db", db_, "S2021001"},
      {"export", "--db", db_, "--out", dir_.Sub("upload2")},
      {"report", "--db", db_, "--out", dir_.Sub("report2")},
      {"audit", "verify", "--db", db_},
  };
  for (const auto& command : commands) {
    Gradcap(command, &out, 1);
    EXPECT_NE(out.find("log format \"2\""), std::string::npos) << out;
  }
  EXPECT_FALSE(fs::exists(dir_.Sub("upload2")));
  EXPECT_FALSE(fs::exists(dir_.Sub("report2")));
  EXPECT_EQ(Snapshot(db_), before);
}

}  // namespace
}  // namespace gradcap
