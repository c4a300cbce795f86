#include "supervisor/merged_view.h"

#include <gtest/gtest.h>

namespace gradcap {
namespace {

LiveChange BoothChange(const std::string& id, uint32_t waiting, bool removed = false) {
  LiveChange change;
  change.kind = LiveChange::Kind::kBooth;
  change.key = id;
  change.removed = removed;
  change.booth.set_booth(id);
  for (uint32_t i = 1; i <= waiting; ++i) change.booth.add_queue()->set_shooting_no(i);
  return change;
}

TEST(MergedViewTest, ChangesOfAllShardsAreNumberedInOneSequence) {
  MergedView view({"tcp://a", "tcp://b"}, "run-x");
  LiveState state;  // the feed's state only lends run, clock and admin endpoint
  view.OnFeed(0, state, {BoothChange("B1", 1)}, LinkState::kLive);  // + link change
  view.OnFeed(1, state, {BoothChange("B1", 2), BoothChange("B2", 0)}, LinkState::kLive);
  EXPECT_EQ(view.seq(), 5u);
  std::optional<std::vector<MergedChange>> after2 = view.ChangesAfter(2, 100);
  ASSERT_TRUE(after2.has_value());
  ASSERT_EQ(after2->size(), 3u);
  EXPECT_EQ((*after2)[0].seq, 3u);
  EXPECT_EQ((*after2)[0].shard, 1);
  EXPECT_EQ((*after2)[2].kind, MergedChange::Kind::kShard);
  MergedView::Snapshot snapshot = view.TakeSnapshot();
  EXPECT_EQ(snapshot.booths.size(), 3u);  // B1 on both shards, B2
  EXPECT_EQ(snapshot.booths.at({1, "B1"}).queue_size(), 2);
  EXPECT_EQ(view.FindBooth("B1").size(), 2u);
}

TEST(MergedViewTest, OnlyRecentChangesAreHeldAndAheadIsUnknown) {
  MergedView view({"tcp://a"}, "run-x", /*keep=*/3);
  LiveState state;
  for (int i = 0; i < 6; ++i) view.OnFeed(0, state, {BoothChange("B1", i)}, LinkState::kConnecting);
  EXPECT_EQ(view.seq(), 6u);
  EXPECT_FALSE(view.ChangesAfter(2, 100).has_value());  // 3 is gone
  ASSERT_TRUE(view.ChangesAfter(3, 100).has_value());
  EXPECT_EQ(view.ChangesAfter(3, 100)->size(), 3u);
  EXPECT_TRUE(view.ChangesAfter(6, 100)->empty());
  EXPECT_FALSE(view.ChangesAfter(7, 100).has_value());  // from another run of the supervisor
}

TEST(MergedViewTest, RemovalCarriesTheValueItRemoves) {
  MergedView view({"tcp://a"}, "run-x");
  LiveState state;
  LiveChange booth = BoothChange("B1", 2);
  booth.booth.add_colleges("信息工程学院");
  view.OnFeed(0, state, {booth}, LinkState::kConnecting);
  view.OnFeed(0, state, {BoothChange("B1", 0, /*removed=*/true)}, LinkState::kConnecting);
  std::vector<MergedChange> changes = *view.ChangesAfter(1, 10);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].item.removed);
  EXPECT_EQ(changes[0].item.booth.colleges(0), "信息工程学院");
  EXPECT_TRUE(view.FindBooth("B1").empty());
}

TEST(MergedViewTest, NotifierRunsAfterChangesOnly) {
  MergedView view({"tcp://a"}, "run-x");
  int notified = 0;
  view.SetNotifier([&notified] { ++notified; });
  LiveState state;
  view.OnFeed(0, state, {}, LinkState::kConnecting);
  EXPECT_EQ(notified, 0);
  view.OnFeed(0, state, {}, LinkState::kLive);
  EXPECT_EQ(notified, 1);
  view.OnFeed(0, state, {BoothChange("B1", 1)}, LinkState::kLive);
  EXPECT_EQ(notified, 2);
}

}  // namespace
}  // namespace gradcap
