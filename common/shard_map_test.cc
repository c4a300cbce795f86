#include "common/shard_map.h"

#include <gtest/gtest.h>

namespace gradcap {
namespace {

constexpr char kTwoShards[] = R"(# two halls
map = spring-2027
shard = 0
booth = tcp://10.0.1.10:5555
validators = tcp://10.0.1.10:5556
live = tcp://10.0.1.10:5557
admin = tcp://10.0.1.10:5558
colleges = 信息工程学院，机械工程学院   # a Chinese comma works too

shard = 1
booth = tcp://10.0.2.10:5555
validators = tcp://10.0.2.10:5556
live = tcp://10.0.2.10:5557
admin = tcp://10.0.2.10:5558
colleges = 外国语学院
)";

std::string Error(std::string_view text) {
  auto map = ShardMap::Parse(text, "map.txt");
  return map.ok() ? "" : std::string(map.status().message());
}

TEST(ShardMap, ReadsEveryShardsEndpointsAndColleges) {
  auto map = ShardMap::Parse(kTwoShards, "map.txt");
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->name(), "spring-2027");
  ASSERT_EQ(map->shards().size(), 2u);
  EXPECT_EQ(map->shards()[1].booth, "tcp://10.0.2.10:5555");
  EXPECT_EQ(map->shards()[0].colleges, (std::vector<std::string>{"信息工程学院", "机械工程学院"}));
  EXPECT_EQ(map->ShardOf("机械工程学院"), 0);
  EXPECT_EQ(map->ShardOf("外国语学院"), 1);
  EXPECT_EQ(map->ShardOf("法学院"), std::nullopt);
  v1::ShardAssignment a = map->Assignment(1);
  EXPECT_EQ(a.shard(), 1u);
  EXPECT_EQ(a.shard_count(), 2u);
  EXPECT_EQ(a.college_shard().at("信息工程学院"), 0u);
}

TEST(ShardMap, ABoothsCollegesMustAllBeInOneShard) {
  auto map = ShardMap::Parse(kTwoShards, "map.txt");
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(*map->ShardOfAll({"信息工程学院", "机械工程学院"}), 0);
  auto split = map->ShardOfAll({"信息工程学院", "外国语学院"});
  ASSERT_FALSE(split.ok());
  EXPECT_NE(split.status().message().find("a booth serves the colleges of one shard"), std::string::npos);
  auto unknown = map->ShardOfAll({"法学院"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("法学院 is in no shard"), std::string::npos);
  EXPECT_FALSE(map->ShardOfAll({}).ok());
}

TEST(ShardMap, BadFilesAreRefusedWithTheLineAndKey) {
  std::string base = kTwoShards;
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = base;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  EXPECT_EQ(Error(replace("colleges = 外国语学院", "colleges = 机械工程学院")),
            "map.txt:15: colleges: 机械工程学院 is already shard 0's (line 8): a college belongs to one shard");
  EXPECT_EQ(Error(replace("shard = 1", "shard = 2")),
            "map.txt:10: shard: shards are numbered 0, 1, 2, ... in order: expected 1, got 2");
  EXPECT_EQ(Error(replace("tcp://10.0.2.10:5556", "tcp://10.0.1.10:5556")),
            "map.txt:12: validators: tcp://10.0.1.10:5556 is already used on line 5 (shard 0): every socket needs "
            "its own endpoint");
  EXPECT_EQ(Error(replace("admin = tcp://10.0.2.10:5558\n", "")), "map.txt:10: admin: missing for shard 1");
  EXPECT_EQ(Error(replace("booth = tcp://10.0.2.10:5555", "booth = 10.0.2.10:5555")),
            "map.txt:11: booth: \"10.0.2.10:5555\" is not a ZeroMQ endpoint like tcp://10.0.1.10:5555");
  EXPECT_EQ(Error(replace("booth = tcp://10.0.2.10:5555", "booth = tcp://10.0.2.10:99999")),
            "map.txt:11: booth: \"tcp://10.0.2.10:99999\" needs a host and a port 1–65535, like tcp://10.0.1.10:5555");
  EXPECT_EQ(Error(replace("booth = tcp://10.0.2.10:5555", "boot = tcp://10.0.2.10:5555")),
            "map.txt:11: boot: unknown key (map, shard, booth, validators, live, admin, colleges)");
  EXPECT_EQ(Error(replace("map = spring-2027\n", "")), "map.txt:1: map: missing: name the map (`map = spring-2027`)");
  EXPECT_EQ(Error(replace("live = tcp://10.0.1.10:5557", "live = tcp://10.0.1.10:5557\nlive = tcp://10.0.1.10:5559")),
            "map.txt:7: live: given twice for shard 0");
  EXPECT_EQ(Error(replace("colleges = 外国语学院", "colleges = ,")), "map.txt:15: colleges: names no college");
  EXPECT_EQ(Error("map = x\nbooth = tcp://a:1\n"), "map.txt:2: booth: comes before the first `shard = 0`");
  EXPECT_EQ(Error("map = x\n"), "map.txt:1: shard: the map has no shard");
  EXPECT_EQ(Error("map = x\nshard 0\n"), "map.txt:2: expected `key = value`");
  EXPECT_NE(Error(std::string("map = x\nshard = 0\ncolleges = \xff\xfe\n")), "");  // still needs endpoints
  auto missing = ShardMap::Load("/nonexistent/map.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot read the shard map /nonexistent/map.txt"), std::string::npos);
}

TEST(ShardMap, KeyIdsNameTheirShard) {
  EXPECT_EQ(ShardKeyPrefix(3), "s3-");
  EXPECT_EQ(ShardOfKeyId("s3-k1"), 3);
  EXPECT_EQ(ShardOfKeyId("s12-k7"), 12);
  EXPECT_EQ(ShardOfKeyId("k1"), std::nullopt);
  EXPECT_EQ(ShardOfKeyId("s-k1"), std::nullopt);
  EXPECT_EQ(ShardOfKeyId("sx-k1"), std::nullopt);
}

TEST(ShardMap, AssignmentDifferencesNameEachMovedCollege) {
  auto map = ShardMap::Parse(kTwoShards, "map.txt");
  ASSERT_TRUE(map.ok());
  v1::ShardAssignment was = map->Assignment(0);
  v1::ShardAssignment now = was;
  EXPECT_TRUE(AssignmentDifferences(was, now).empty());
  (*now.mutable_college_shard())["机械工程学院"] = 1;
  (*now.mutable_college_shard())["法学院"] = 0;
  now.mutable_college_shard()->erase("外国语学院");
  EXPECT_EQ(AssignmentDifferences(was, now),
            (std::vector<std::string>{"外国语学院 was shard 1's and is in no shard now",
                                      "机械工程学院 was shard 0's and is shard 1's now", "法学院 is new, shard 0's"}));
  now.set_shard(1);
  EXPECT_EQ(AssignmentDifferences(was, now), (std::vector<std::string>{"this database is shard 0's, not shard 1's"}));
}

}  // namespace
}  // namespace gradcap
