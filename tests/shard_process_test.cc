// Two coordinator processes as shards of one shard map on loopback: `gradcap
// --shard_map` sends the whole university's roster to both (each keeps its
// own colleges' rows), makes each shard's code key, and asks the right shard
// for a college's head count; a coordinator refuses another shard's
// database, and a booth refuses colleges of two shards — each with a message
// that says what is wrong.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/temp_dir.h"
#include "tests/process.h"

namespace gradcap {
namespace {

using testing::ChildProcess;

class ShardProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string map = "map = test-halls\n";
    for (int i = 0; i < 2; ++i) {
      auto port = [] { return absl::StrFormat("tcp://127.0.0.1:%d", testing::FreeLoopbackPort()); };
      admin_[i] = port();
      absl::StrAppend(&map, "shard = ", i, "\nbooth = ", port(), "\nvalidators = ", port(), "\nlive = ", port(),
                      "\nadmin = ", admin_[i], "\ncolleges = ", i == 0 ? "信息工程学院" : "经济管理学院", "\n");
    }
    map_ = dir_.Sub("shards.map");
    std::ofstream(map_) << map;
  }

  // Starts shard `shard` on database `db`; false when it would not start.
  bool Start(int shard, const std::string& db, ChildProcess* process, const std::string& log) {
    const std::string ready = dir_.Sub(absl::StrCat("ready-", shard, "-", db));
    EXPECT_TRUE(process->Start({COORDINATOR_BIN, "--db", dir_.Sub(db), "--shard_map", map_, "--shard",
                                std::to_string(shard), "--ready_file", ready, "--stats_interval_ms", "0"},
                               dir_.Sub(log)));
    for (int i = 0; i < 400; ++i) {
      if (!testing::WaitForFile(ready, 50).empty()) return true;
      if (!process->running()) return false;
    }
    return false;
  }

  int Gradcap(std::vector<std::string> args, std::string* out) {
    args.insert(args.begin(), GRADCAP_BIN);
    args.insert(args.end(), {"--shard_map", map_, "--as", "registrar"});
    return testing::RunCommand(args, out);
  }

  TempDir dir_;
  std::string map_, admin_[2];
};

TEST_F(ShardProcessTest, GradcapSendsImportsToEveryShardAndACollegesQuestionsToItsShard) {
  ChildProcess shards[2];
  ASSERT_TRUE(Start(0, "db0", &shards[0], "c0.log")) << testing::ReadFile(dir_.Sub("c0.log"));
  ASSERT_TRUE(Start(1, "db1", &shards[1], "c1.log")) << testing::ReadFile(dir_.Sub("c1.log"));
  std::string out;
  ASSERT_EQ(Gradcap({"roster", "import", std::string(SAMPLE_DIR) + "/roster.csv"}, &out), 0) << out;
  EXPECT_NE(out.find("== shard 0 (" + admin_[0] + ")"), std::string::npos) << out;
  EXPECT_NE(out.find("== shard 1 (" + admin_[1] + ")"), std::string::npos) << out;
  EXPECT_NE(out.find("经济管理学院 → shard 1: 30"), std::string::npos) << out;
  EXPECT_NE(out.find("信息工程学院 → shard 0: 30"), std::string::npos) << out;
  ASSERT_EQ(Gradcap({"keys", "init"}, &out), 0) << out;
  EXPECT_NE(out.find("s0-k1"), std::string::npos) << out;
  EXPECT_NE(out.find("s1-k1"), std::string::npos) << out;
  ASSERT_EQ(Gradcap({"reconcile", "--college", "经济管理学院", "--json"}, &out), 0) << out;
  EXPECT_NE(out.find("\"roster\":30"), std::string::npos) << out;
  EXPECT_EQ(out.find("== shard"), std::string::npos) << "one shard asked: " << out;
  ASSERT_EQ(Gradcap({"student", "S2022031"}, &out), 0) << out;
  EXPECT_NE(out.find("S2022031"), std::string::npos) << out;
  EXPECT_NE(Gradcap({"reconcile", "--college", "法学院"}, &out), 0);
  EXPECT_NE(out.find("法学院 is in no shard of " + map_), std::string::npos) << out;
  EXPECT_NE(Gradcap({"keys", "retire", "--key", "k1"}, &out), 0);
  EXPECT_NE(out.find("names no shard"), std::string::npos) << out;
  for (auto& s : shards) s.Signal(SIGTERM);
  for (auto& s : shards) EXPECT_TRUE(s.Wait(10000));
}

TEST_F(ShardProcessTest, ACoordinatorRefusesAnotherShardsDatabase) {
  {
    ChildProcess first;
    ASSERT_TRUE(Start(0, "db0", &first, "c0.log")) << testing::ReadFile(dir_.Sub("c0.log"));
    first.Signal(SIGTERM);
    ASSERT_TRUE(first.Wait(10000));
  }
  ChildProcess wrong;
  EXPECT_FALSE(Start(1, "db0", &wrong, "wrong.log"));
  ASSERT_TRUE(wrong.Wait(10000));
  EXPECT_EQ(wrong.exit_status(), 1);
  EXPECT_NE(testing::ReadFile(dir_.Sub("wrong.log")).find("this database is shard 0's (map test-halls), not shard 1's"),
            std::string::npos)
      << testing::ReadFile(dir_.Sub("wrong.log"));
  std::string out;
  EXPECT_EQ(testing::RunCommand({COORDINATOR_BIN, "--db", dir_.Sub("db9"), "--shard_map", map_, "--shard", "2"}, &out),
            2);
  EXPECT_NE(out.find("--shard 2: " + map_ + " has shards 0–1"), std::string::npos) << out;
  std::ofstream(dir_.Sub("bad.map")) << "map = x\nshard = 0\nbooth = 127.0.0.1:1\n";
  EXPECT_EQ(testing::RunCommand({COORDINATOR_BIN, "--db", dir_.Sub("db9"), "--shard_map", dir_.Sub("bad.map"),
                                 "--shard", "0"},
                                &out),
            2);
  EXPECT_NE(out.find(dir_.Sub("bad.map") + ":3: booth:"), std::string::npos) << out;
}

TEST_F(ShardProcessTest, ABoothRefusesCollegesOfTwoShardsOrNone) {
  std::string out;
  EXPECT_EQ(testing::RunCommand({BOOTH_AGENT_BIN, "--booth", "B1", "--outbox", dir_.Sub("o1"), "--colleges",
                                 "信息工程学院，经济管理学院", "--shard_map", map_},
                                &out),
            2);
  EXPECT_NE(out.find("a booth serves the colleges of one shard"), std::string::npos) << out;
  EXPECT_EQ(testing::RunCommand({BOOTH_AGENT_BIN, "--booth", "B1", "--outbox", dir_.Sub("o1"), "--shard_map", map_},
                                &out),
            2);
  EXPECT_NE(out.find("must name its college(s) (--colleges)"), std::string::npos) << out;
  EXPECT_EQ(testing::RunCommand({BOOTH_AGENT_BIN, "--booth", "B1", "--outbox", dir_.Sub("o1"), "--colleges",
                                 "信息工程学院", "--shard_map", map_, "--coordinator", "tcp://127.0.0.1:1"},
                                &out),
            2);
  EXPECT_NE(out.find("give --coordinator or --shard_map, not both"), std::string::npos) << out;
}

}  // namespace
}  // namespace gradcap
