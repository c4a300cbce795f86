#include "booth-agent/outbox.h"

#include <gtest/gtest.h>

#include "common/temp_dir.h"

namespace gradcap {
namespace {

std::vector<v1::BoothEvent> Scans(int n, const std::string& prefix = "code") {
  std::vector<v1::BoothEvent> events(n);
  for (int i = 0; i < n; ++i) events[i].mutable_scan()->set_payload(prefix + std::to_string(i));
  return events;
}

TEST(Outbox, AssignsConsecutiveSeqsInOneEpoch) {
  TempDir dir;
  ManualClock clock;
  auto outbox = Outbox::Open(dir.path(), "B1", &clock);
  ASSERT_TRUE(outbox.ok()) << outbox.status();
  auto events = Scans(3);
  ASSERT_TRUE((*outbox)->Append(events).ok());
  EXPECT_EQ(events[0].id().seq(), 1u);
  EXPECT_EQ(events[2].id().seq(), 3u);
  EXPECT_EQ(events[1].id().epoch(), (*outbox)->epoch());
  EXPECT_EQ(events[1].id().booth(), "B1");
  EXPECT_EQ((*outbox)->depth(), 3u);
}

TEST(Outbox, SurvivesReopenWithEpochSeqAndPendingEvents) {
  TempDir dir;
  ManualClock clock;
  uint64_t epoch = 0;
  {
    auto outbox = Outbox::Open(dir.path(), "B1", &clock);
    ASSERT_TRUE(outbox.ok());
    epoch = (*outbox)->epoch();
    auto events = Scans(5);
    ASSERT_TRUE((*outbox)->Append(events, 5).ok());
    ASSERT_TRUE((*outbox)->MarkAcked(2).ok());
  }
  clock.Advance(60'000);
  auto outbox = Outbox::Open(dir.path(), "B1", &clock);
  ASSERT_TRUE(outbox.ok());
  EXPECT_EQ((*outbox)->epoch(), epoch);
  EXPECT_EQ((*outbox)->last_seq(), 5u);
  EXPECT_EQ((*outbox)->acked_through(), 2u);
  EXPECT_EQ((*outbox)->generated(), 5u);
  auto pending = (*outbox)->Read(1, 100);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ((*pending)[0].id().seq(), 3u);
  EXPECT_EQ((*pending)[0].scan().payload(), "code2");
}

TEST(Outbox, AResetOutboxGetsALaterEpoch) {
  TempDir a, b;
  ManualClock clock;
  auto first = Outbox::Open(a.path(), "B1", &clock);
  clock.Advance(1);
  auto second = Outbox::Open(b.path(), "B1", &clock);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_GT((*second)->epoch(), (*first)->epoch());
}

TEST(Outbox, RefusesAnotherBoothsOutbox) {
  TempDir dir;
  ManualClock clock;
  { ASSERT_TRUE(Outbox::Open(dir.path(), "B1", &clock).ok()); }
  auto other = Outbox::Open(dir.path(), "B2", &clock);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Outbox, AckBeyondWhatWasAssignedIsRefused) {
  TempDir dir;
  ManualClock clock;
  auto outbox = Outbox::Open(dir.path(), "B1", &clock);
  ASSERT_TRUE(outbox.ok());
  auto events = Scans(2);
  ASSERT_TRUE((*outbox)->Append(events).ok());
  EXPECT_FALSE((*outbox)->MarkAcked(3).ok());
  EXPECT_EQ((*outbox)->acked_through(), 0u);
}

TEST(Outbox, EventWithoutBodyIsNotStored) {
  TempDir dir;
  ManualClock clock;
  auto outbox = Outbox::Open(dir.path(), "B1", &clock);
  ASSERT_TRUE(outbox.ok());
  std::vector<v1::BoothEvent> events(1);
  EXPECT_FALSE((*outbox)->Append(events).ok());
  EXPECT_EQ((*outbox)->last_seq(), 0u);
}

}  // namespace
}  // namespace gradcap
