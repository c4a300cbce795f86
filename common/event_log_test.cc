#include "common/event_log.h"

#include <gtest/gtest.h>

#include "common/sha256.h"
#include "common/temp_dir.h"
#include "common/log_format.h"

namespace gradcap {
namespace {

v1::BoothEvent Scan(const std::string& booth, uint64_t epoch, uint64_t seq) {
  v1::BoothEvent e;
  e.mutable_id()->set_booth(booth);
  e.mutable_id()->set_epoch(epoch);
  e.mutable_id()->set_seq(seq);
  e.mutable_scan()->set_payload("code-" + std::to_string(seq));
  return e;
}

v1::Outcome Accepted(uint32_t shooting_no) {
  v1::Outcome o;
  o.set_accepted(true);
  o.set_shooting_no(shooting_no);
  return o;
}

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(InitCrypto().ok()); }
  TempDir dir_;
  ManualClock clock_;
};

TEST_F(EventLogTest, StagedRecordsAreInvisibleUntilCommitted) {
  auto log = EventLog::Open(dir_.path(), &clock_);
  ASSERT_TRUE(log.ok()) << log.status();
  (*log)->StageApplied(Scan("B1", 1, 1), Accepted(1));
  EXPECT_EQ((*log)->Progress("B1").last_seq, 1u);  // the stage sees itself
  EXPECT_FALSE((*log)->FindAck(Scan("B1", 1, 1).id()).value().has_value());
  ASSERT_TRUE((*log)->Commit().ok());
  EXPECT_TRUE((*log)->FindAck(Scan("B1", 1, 1).id()).value().has_value());
}

TEST_F(EventLogTest, ReopenResumesProgressChainHeadAndAcks) {
  Digest head{};
  {
    auto log = EventLog::Open(dir_.path(), &clock_);
    ASSERT_TRUE(log.ok());
    for (uint64_t s = 1; s <= 3; ++s) (*log)->StageApplied(Scan("B1", 9, s), Accepted(s));
    ASSERT_TRUE((*log)->Commit().ok());
    (*log)->StageApplied(Scan("B2", 4, 1), Accepted(1));
    ASSERT_TRUE((*log)->Commit().ok());
    head = (*log)->head_hash();
  }
  auto log = EventLog::Open(dir_.path(), &clock_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->last_log_seq(), 4u);
  EXPECT_EQ((*log)->head_hash(), head);
  EXPECT_EQ((*log)->Progress("B1").epoch, 9u);
  EXPECT_EQ((*log)->Progress("B1").last_seq, 3u);
  EXPECT_EQ((*log)->Progress("B2").last_seq, 1u);
  auto ack = (*log)->FindAck(Scan("B1", 9, 2).id());
  ASSERT_TRUE(ack.ok() && ack->has_value());
  EXPECT_EQ((*ack)->log_seq(), 2u);
  EXPECT_EQ((*ack)->outcome().shooting_no(), 2u);
}

TEST_F(EventLogTest, EveryRecordLinksToThePreviousOne) {
  auto log = EventLog::Open(dir_.path(), &clock_);
  ASSERT_TRUE(log.ok());
  (*log)->StageApplied(Scan("B1", 1, 1), Accepted(1));
  v1::Rejection r;
  r.set_code(v1::ERROR_MALFORMED);
  (*log)->StageRejection(r);
  (*log)->StageApplied(Scan("B1", 1, 2), Accepted(2));
  ASSERT_TRUE((*log)->Commit().ok());
  Digest prev{};
  for (uint64_t s = 1; s <= 3; ++s) {
    auto record = (*log)->ReadRecord(s);
    ASSERT_TRUE(record.ok()) << record.status();
    EXPECT_EQ(record->prev_hash(), DigestBytes(prev)) << "record " << s;
    prev = SealRecord(*record).hash;
  }
  EXPECT_EQ(prev, (*log)->head_hash());
}

TEST_F(EventLogTest, PhotoBytesGoToThePhotoStoreAndTheRecordKeepsTheDigest) {
  auto log = EventLog::Open(dir_.path(), &clock_);
  ASSERT_TRUE(log.ok());
  v1::BoothEvent e = Scan("B1", 1, 1);
  const std::string jpeg(100 * 1024, 'j');
  e.mutable_photo()->set_jpeg(jpeg);
  e.mutable_photo()->set_sha256(DigestBytes(Sha256(jpeg)));
  (*log)->StageApplied(e, Accepted(1));
  ASSERT_TRUE((*log)->Commit().ok());
  auto record = (*log)->ReadRecord(1);
  ASSERT_TRUE(record.ok());
  EXPECT_TRUE(record->applied().event().photo().jpeg().empty());
  auto stored = (*log)->store().Get(kPhotosColumn, DigestBytes(Sha256(jpeg)));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(**stored, jpeg);
}

TEST_F(EventLogTest, RecordsCarryTheInjectedClock) {
  auto log = EventLog::Open(dir_.path(), &clock_);
  ASSERT_TRUE(log.ok());
  clock_.Advance(1234);
  (*log)->StageApplied(Scan("B1", 1, 1), Accepted(1));
  ASSERT_TRUE((*log)->Commit().ok());
  EXPECT_EQ((*log)->ReadRecord(1)->recorded_at_ms(), clock_.NowMs());
}

}  // namespace
}  // namespace gradcap
