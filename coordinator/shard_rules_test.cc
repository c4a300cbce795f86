// Two coordinator shards' databases (real RocksDB in temp folders) set up
// from one shard map and the whole university's files: each keeps its own
// colleges, names its code keys after itself, and refuses the other's
// students as wrong_shard — whether its own key opens their code or not.
#include <gtest/gtest.h>

#include <fstream>

#include "common/collection_code.h"
#include "common/shard_map.h"
#include "common/temp_dir.h"
#include "coordinator/capture_day.h"
#include "registry/registry_import.h"

namespace gradcap {
namespace {

constexpr int64_t kNine = 1726880400000;  // 2024-09-21T09:00+08:00

constexpr char kMap[] = R"(map = test-day
shard = 0
booth = tcp://127.0.0.1:1
validators = tcp://127.0.0.1:2
live = tcp://127.0.0.1:3
admin = tcp://127.0.0.1:4
colleges = Arts
shard = 1
booth = tcp://127.0.0.1:5
validators = tcp://127.0.0.1:6
live = tcp://127.0.0.1:7
admin = tcp://127.0.0.1:8
colleges = Science, Law
)";

struct Shard {
  std::unique_ptr<EventLog> log;
  std::unique_ptr<Registry> registry;
  std::unique_ptr<CaptureDay> day;
  std::map<std::string, uint64_t> summary_rows;
  std::string roster_summary, payments_summary;
};

class ShardRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    auto map = ShardMap::Parse(kMap, "map.txt");
    ASSERT_TRUE(map.ok()) << map.status();
    map_ = *map;
    Write("roster.csv",
          "student_no,name,id_no,college,class,level,cohort\n"
          "A1,张小三,P1,Arts,c,本科,2021\nA2,李四,P2,Arts,c,本科,2021\n"
          "S1,周九,P7,Science,c,本科,2021\nL1,吴十,P8,Law,c,本科,2021\n");
    Write("pay.csv", "student_no,amount,paid_at,txn_id\nA1,15,x,T1\nA2,15,x,T2\nS1,15,x,T7\nL1,15,x,T8\n");
    Write("sched.csv", "college,booth,start,end,sign\nArts,B1,2024-09-21T08:00,2024-09-21T12:00,no\n"
                       "Science,B2,2024-09-21T08:00,2024-09-21T12:00,no\n"
                       "Law,B3,2024-09-21T08:00,2024-09-21T12:00,no\n");
    for (int i = 0; i < 2; ++i) SetUpShard(i);
  }

  void SetUpShard(int i) {
    Shard& s = shards_[i];
    auto log = EventLog::Open(dir_.Sub("db" + std::to_string(i)), &clock_);
    ASSERT_TRUE(log.ok());
    s.log = std::move(*log);
    auto change = PlanShardAssignment(s.log->store(), map_.Assignment(i), "map.txt", 0);
    ASSERT_TRUE(change.ok()) << change.status();
    ASSERT_TRUE(change->has_value());
    ASSERT_TRUE(CommitChange(*s.log, std::move(**change), "coordinator").ok());
    auto roster = ImportRoster(*s.log, dir_.Sub("roster.csv"));
    ASSERT_TRUE(roster.ok()) << roster.status();
    s.roster_summary = roster->detail;
    auto paid = ImportPayments(*s.log, dir_.Sub("pay.csv"), std::nullopt);
    ASSERT_TRUE(paid.ok()) << paid.status();
    s.payments_summary = paid->detail;
    auto schedule = ImportSchedule(*s.log, dir_.Sub("sched.csv"), "Asia/Shanghai");
    ASSERT_TRUE(schedule.ok()) << schedule.status();
    ASSERT_TRUE(InitCodeKeys(*s.log, kNine).ok());
    s.registry = std::make_unique<Registry>(&s.log->store());
    ASSERT_TRUE(s.registry->Load().ok());
    s.day = std::make_unique<CaptureDay>(s.registry.get());
  }

  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_.Sub(name)) << text; }

  // A code for `student` of `college`, sealed by shard `by`'s current key.
  std::string Code(int by, const std::string& student, const std::string& college) {
    v1::CodeBody body;
    body.set_student_no(student);
    body.set_college(college);
    body.set_issued_at_ms(kNine - 1000);
    body.set_expires_at_ms(kNine + 86'400'000);
    return SealCode(body, *shards_[by].registry->CodeKey(KeyOf(by)));
  }
  static std::string KeyOf(int shard) { return ShardKeyPrefix(shard) + "k1"; }

  v1::Outcome Scan(int at_shard, const std::string& booth, const std::string& payload) {
    v1::BoothEvent e;
    e.mutable_id()->set_booth(booth);
    e.mutable_id()->set_epoch(1);
    e.mutable_id()->set_seq(1);
    e.mutable_scan()->set_payload(payload);
    v1::AppliedEvent a;
    shards_[at_shard].day->Decide(e, kNine, a.mutable_outcome(), a.mutable_binding());
    return a.outcome();
  }

  TempDir dir_;
  ManualClock clock_{kNine};
  ShardMap map_;
  Shard shards_[2];
};

TEST_F(ShardRulesTest, EachShardKeepsOnlyItsCollegesFromTheWholeUniversitysFiles) {
  auto arts = shards_[0].registry->StudentsOf("Arts");
  ASSERT_TRUE(arts.ok());
  EXPECT_EQ(arts->size(), 2u);
  EXPECT_FALSE(shards_[0].registry->FindStudent("S1").has_value());
  EXPECT_TRUE(shards_[1].registry->FindStudent("S1").has_value());
  EXPECT_TRUE(shards_[1].registry->FindStudent("L1").has_value());
  EXPECT_FALSE(shards_[1].registry->FindStudent("A1").has_value());
  EXPECT_NE(shards_[0].roster_summary.find("2 rows left to other shards"), std::string::npos) << shards_[0].roster_summary;
  EXPECT_NE(shards_[0].roster_summary.find("Science → shard 1: 1"), std::string::npos) << shards_[0].roster_summary;
  EXPECT_NE(shards_[1].payments_summary.find("e.g. A1, A2"), std::string::npos) << shards_[1].payments_summary;
  EXPECT_TRUE(shards_[0].registry->SlotsAt("B2").empty());
  EXPECT_EQ(shards_[1].registry->SlotsAt("B2").size(), 1u);
}

TEST_F(ShardRulesTest, CodeKeysAreNamedAfterTheirShard) {
  EXPECT_TRUE(shards_[0].registry->CodeKey("s0-k1").has_value());
  EXPECT_TRUE(shards_[1].registry->CodeKey("s1-k1").has_value());
  EXPECT_FALSE(shards_[0].registry->CodeKey("k1").has_value());
  ASSERT_TRUE(RotateCodeKey(*shards_[1].log, kNine).ok());
  ASSERT_TRUE(shards_[1].registry->Load().ok());
  EXPECT_TRUE(shards_[1].registry->CodeKey("s1-k2").has_value());
}

TEST_F(ShardRulesTest, AStudentOfTheOtherShardIsRefusedAsWrongShardNamingIt) {
  EXPECT_TRUE(Scan(0, "B1", Code(0, "A1", "Arts")).accepted());
  // Their code, sealed by their own shard: this shard cannot open it, but its key names the shard.
  v1::Outcome other_key = Scan(0, "B1", Code(1, "S1", "Science"));
  EXPECT_EQ(other_key.reason(), v1::REASON_WRONG_SHARD) << other_key.detail();
  EXPECT_NE(other_key.detail().find("issued by shard 1 (key s1-k1)"), std::string::npos) << other_key.detail();
  // A code this shard sealed for a student of the other shard's college (codes issued centrally).
  v1::Outcome own_key = Scan(0, "B1", Code(0, "L1", "Law"));
  EXPECT_EQ(own_key.reason(), v1::REASON_WRONG_SHARD);
  EXPECT_NE(own_key.detail().find("Law shoots at shard 1's booths"), std::string::npos) << own_key.detail();
  // And the other way round.
  EXPECT_EQ(Scan(1, "B2", Code(0, "A2", "Arts")).reason(), v1::REASON_WRONG_SHARD);
  EXPECT_TRUE(Scan(1, "B2", Code(1, "S1", "Science")).accepted());
  // A college in no shard at all, and a forgery, stay what they are.
  v1::Outcome nowhere = Scan(0, "B1", Code(0, "X1", "Medicine"));
  EXPECT_EQ(nowhere.reason(), v1::REASON_WRONG_SHARD);
  EXPECT_NE(nowhere.detail().find("Medicine is in no shard of map test-day"), std::string::npos);
  std::string forged = Code(1, "S1", "Science");
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Scan(1, "B2", forged).reason(), v1::REASON_FORGED_CODE);
  // A key no shard made ("k9"): as before sharding, a key this coordinator never issued.
  v1::CodeBody body;
  body.set_student_no("A1");
  body.set_expires_at_ms(kNine + 1000);
  EXPECT_EQ(Scan(0, "B1", SealCode(body, NewCodeKey("k9", kNine))).reason(), v1::REASON_FORGED_CODE);
}

TEST_F(ShardRulesTest, ACollegeInNoShardIsRefusedOnImportWithTheLine) {
  Write("bad.csv", "student_no,name,id_no,college,class,level,cohort\nM1,钱七,P9,Medicine,c,本科,2021\n");
  auto imported = ImportRoster(*shards_[0].log, dir_.Sub("bad.csv"));
  ASSERT_FALSE(imported.ok());
  EXPECT_NE(imported.status().message().find("line 2, column college (4): college \"Medicine\" is in no shard of the "
                                             "shard map test-day"),
            std::string::npos)
      << imported.status();
}

TEST_F(ShardRulesTest, ADatabaseRefusesAnotherShardsAssignmentAndMovedCollegesOnceBoothsWereHeard) {
  auto other = PlanShardAssignment(shards_[0].log->store(), map_.Assignment(1), "map.txt", 0);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("this database is shard 0's (map test-day), not shard 1's"),
            std::string::npos);
  auto same = PlanShardAssignment(shards_[0].log->store(), map_.Assignment(0), "map.txt", 3);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->has_value()) << "nothing to record when the map is unchanged";
  v1::ShardAssignment moved = map_.Assignment(0);
  (*moved.mutable_college_shard())["Law"] = 0;
  auto late = PlanShardAssignment(shards_[0].log->store(), moved, "map.txt", 3);
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.status().message().find("Law was shard 1's and is shard 0's now"), std::string::npos);
  auto early = PlanShardAssignment(shards_[0].log->store(), moved, "map.txt", 0);
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early->has_value());
}

TEST_F(ShardRulesTest, AnUnshardedDatabaseWithKeysCannotBecomeAShard) {
  auto log = EventLog::Open(dir_.Sub("plain"), &clock_);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(InitCodeKeys(**log, kNine).ok());
  auto change = PlanShardAssignment((*log)->store(), map_.Assignment(0), "map.txt", 0);
  ASSERT_FALSE(change.ok());
  EXPECT_NE(change.status().message().find("already has code key k1"), std::string::npos) << change.status();
}

}  // namespace
}  // namespace gradcap
