#include "live/live_state.h"

#include <gtest/gtest.h>

namespace gradcap {
namespace {

v1::BoothState Booth(const std::string& id, uint32_t waiting) {
  v1::BoothState booth;
  booth.set_booth(id);
  booth.set_online(true);
  for (uint32_t i = 1; i <= waiting; ++i) booth.add_queue()->set_shooting_no(i);
  return booth;
}

v1::LiveSnapshot Snapshot(const std::string& run, uint64_t seq, std::vector<v1::BoothState> booths) {
  v1::LiveSnapshot snapshot;
  snapshot.set_run(run);
  snapshot.set_seq(seq);
  snapshot.set_admin_endpoint("tcp://127.0.0.1:5558");
  for (auto& b : booths) *snapshot.add_booths() = b;
  return snapshot;
}

v1::LiveUpdate BoothUpdate(const std::string& run, uint64_t seq, const v1::BoothState& booth) {
  v1::LiveUpdate update;
  update.set_run(run);
  update.set_seq(seq);
  *update.mutable_booth() = booth;
  return update;
}

TEST(LiveStateTest, UpdatesBeforeAnySnapshotAskToSubscribe) {
  LiveState state;
  EXPECT_TRUE(state.ApplyUpdate(BoothUpdate("r1", 1, Booth("B1", 1))).resubscribe);
  EXPECT_FALSE(state.synced());
  EXPECT_EQ(state.Subscribe().run(), "");
}

TEST(LiveStateTest, SnapshotThenNextUpdatesApplyInOrder) {
  LiveState state;
  LiveState::Applied first = state.ApplySnapshot(Snapshot("r1", 7, {Booth("B1", 0), Booth("B2", 2)}));
  EXPECT_EQ(first.changes.size(), 2u);
  EXPECT_EQ(state.admin_endpoint(), "tcp://127.0.0.1:5558");
  LiveState::Applied next = state.ApplyUpdate(BoothUpdate("r1", 8, Booth("B1", 3)));
  ASSERT_EQ(next.changes.size(), 1u);
  EXPECT_EQ(next.changes[0].kind, LiveChange::Kind::kBooth);
  EXPECT_EQ(next.changes[0].booth.queue_size(), 3);
  EXPECT_EQ(state.booths().at("B1").queue_size(), 3);
  EXPECT_EQ(state.Subscribe().after_seq(), 8u);
}

TEST(LiveStateTest, ReplayedUpdatesAreIgnored) {
  LiveState state;
  state.ApplySnapshot(Snapshot("r1", 7, {Booth("B1", 0)}));
  state.ApplyUpdate(BoothUpdate("r1", 8, Booth("B1", 1)));
  LiveState::Applied again = state.ApplyUpdate(BoothUpdate("r1", 8, Booth("B1", 9)));
  EXPECT_TRUE(again.changes.empty());
  EXPECT_FALSE(again.resubscribe);
  EXPECT_EQ(state.booths().at("B1").queue_size(), 1);
}

TEST(LiveStateTest, GapAsksToSubscribeAgainWithoutApplying) {
  LiveState state;
  state.ApplySnapshot(Snapshot("r1", 7, {Booth("B1", 0)}));
  LiveState::Applied gap = state.ApplyUpdate(BoothUpdate("r1", 9, Booth("B1", 4)));
  EXPECT_TRUE(gap.resubscribe);
  EXPECT_TRUE(gap.changes.empty());
  EXPECT_EQ(state.Subscribe().after_seq(), 7u);
  EXPECT_EQ(state.Subscribe().run(), "r1");
}

TEST(LiveStateTest, AnotherRunAsksToSubscribeAgain) {
  LiveState state;
  state.ApplySnapshot(Snapshot("r1", 7, {Booth("B1", 0)}));
  EXPECT_TRUE(state.ApplyUpdate(BoothUpdate("r2", 1, Booth("B1", 4))).resubscribe);
}

TEST(LiveStateTest, SnapshotAfterRestartReportsOnlyWhatChanged) {
  LiveState state;
  state.ApplySnapshot(Snapshot("r1", 7, {Booth("B1", 0), Booth("B2", 2), Booth("B3", 1)}));
  LiveState::Applied after = state.ApplySnapshot(Snapshot("r2", 0, {Booth("B1", 0), Booth("B2", 5)}));
  ASSERT_EQ(after.changes.size(), 2u);
  EXPECT_EQ(after.changes[0].key, "B2");
  EXPECT_FALSE(after.changes[0].removed);
  EXPECT_EQ(after.changes[1].key, "B3");
  EXPECT_TRUE(after.changes[1].removed);
  EXPECT_EQ(state.run(), "r2");
  EXPECT_EQ(state.seq(), 0u);
}

TEST(LiveStateTest, AlertAndCollegeUpdatesAreKeyedByIdAndName) {
  LiveState state;
  state.ApplySnapshot(Snapshot("r1", 0, {}));
  v1::LiveUpdate update;
  update.set_run("r1");
  update.set_seq(1);
  update.mutable_alert()->set_id("L12.0");
  update.mutable_college()->set_college("信息工程学院");
  LiveState::Applied applied = state.ApplyUpdate(update);
  ASSERT_EQ(applied.changes.size(), 2u);
  EXPECT_EQ(state.alerts().count("L12.0"), 1u);
  EXPECT_EQ(state.colleges().count("信息工程学院"), 1u);
}

TEST(LiveStateTest, HeartbeatMovesTheSeqAndChangesNothing) {
  LiveState state;
  state.ApplySnapshot(Snapshot("r1", 3, {}));
  v1::LiveUpdate heartbeat;
  heartbeat.set_run("r1");
  heartbeat.set_seq(4);
  heartbeat.set_heartbeat(true);
  heartbeat.set_now_ms(1234);
  LiveState::Applied applied = state.ApplyUpdate(heartbeat);
  EXPECT_TRUE(applied.changes.empty());
  EXPECT_EQ(state.seq(), 4u);
  EXPECT_EQ(state.now_ms(), 1234);
}

}  // namespace
}  // namespace gradcap
