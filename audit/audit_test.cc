#include "audit/audit.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/big_endian.h"
#include "common/sha256.h"
#include "common/temp_dir.h"
#include "common/event_log.h"
#include "common/log_format.h"

namespace gradcap {
namespace {

v1::BoothEvent Event(const std::string& booth, uint64_t epoch, uint64_t seq, bool photo = false) {
  v1::BoothEvent e;
  e.mutable_id()->set_booth(booth);
  e.mutable_id()->set_epoch(epoch);
  e.mutable_id()->set_seq(seq);
  if (photo) {
    std::string jpeg(30000, static_cast<char>(seq));
    e.mutable_photo()->set_sha256(DigestBytes(Sha256(jpeg)));
    e.mutable_photo()->set_jpeg(jpeg);
  } else {
    e.mutable_scan()->set_payload("code-" + std::to_string(seq));
  }
  return e;
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    auto log = EventLog::Open(dir_.path(), &clock_);
    ASSERT_TRUE(log.ok());
    v1::Outcome ok;
    ok.set_accepted(true);
    // 10 records: B1 seq 1..5 (seq 4 a photo), a rejection, B2 seq 1..4.
    for (uint64_t s = 1; s <= 5; ++s) (*log)->StageApplied(Event("B1", 3, s, s == 4), ok);
    ASSERT_TRUE((*log)->Commit().ok());
    v1::Rejection r;
    r.set_code(v1::ERROR_MALFORMED);
    r.set_detail("test");
    (*log)->StageRejection(r);
    for (uint64_t s = 1; s <= 4; ++s) (*log)->StageApplied(Event("B2", 8, s), ok);
    ASSERT_TRUE((*log)->Commit().ok());
  }

  // Rewrites the stored value of record `log_seq` through `edit`.
  void EditRecord(uint64_t log_seq, const std::function<void(std::string&)>& edit) {
    auto store = KvStore::Open(dir_.path(), LogColumns(), OpenMode::kReadWrite);
    ASSERT_TRUE(store.ok());
    std::string value = (*store)->Get(kEventsColumn, BigEndian64(log_seq)).value().value();
    edit(value);
    KvBatch batch = (*store)->NewBatch();
    batch.Put(kEventsColumn, BigEndian64(log_seq), value);
    ASSERT_TRUE((*store)->Write(batch, true).ok());
  }

  void DeleteRecord(uint64_t log_seq) {
    auto store = KvStore::Open(dir_.path(), LogColumns(), OpenMode::kReadWrite);
    ASSERT_TRUE(store.ok());
    KvBatch batch = (*store)->NewBatch();
    batch.Delete(kEventsColumn, BigEndian64(log_seq));
    ASSERT_TRUE((*store)->Write(batch, true).ok());
  }

  TempDir dir_;
  ManualClock clock_;
};

TEST_F(AuditTest, UntouchedLogVerifies) {
  v1::AuditReport report = VerifyLog(dir_.path());
  EXPECT_TRUE(report.ok()) << report.problem();
  EXPECT_EQ(report.records(), 10u);
  EXPECT_EQ(report.applied(), 9u);
  EXPECT_EQ(report.rejected(), 1u);
  EXPECT_EQ(report.booths(), 2u);
  EXPECT_NE(FormatAuditReport(report).find("\nok"), std::string::npos);
}

TEST_F(AuditTest, FlippingAnyByteOfARecordFailsAndNamesThatRecord) {
  // Every byte position of record 7 (B2 seq 1): hash, prev_hash, body.
  auto store = KvStore::Open(dir_.path(), LogColumns(), OpenMode::kReadOnly);
  ASSERT_TRUE(store.ok());
  const size_t size = (*store)->Get(kEventsColumn, BigEndian64(7)).value()->size();
  store->reset();
  for (size_t pos = 0; pos < size; ++pos) {
    EditRecord(7, [pos](std::string& v) { v[pos] ^= 0x01; });
    v1::AuditReport report = VerifyLog(dir_.path());
    EXPECT_FALSE(report.ok()) << "byte " << pos;
    EXPECT_EQ(report.first_bad_log_seq(), 7u) << "byte " << pos << ": " << report.problem();
    EXPECT_NE(report.problem().find("record 7"), std::string::npos) << report.problem();
    EditRecord(7, [pos](std::string& v) { v[pos] ^= 0x01; });  // restore
  }
  EXPECT_TRUE(VerifyLog(dir_.path()).ok());
}

TEST_F(AuditTest, ARecordRehashedAfterEditingBreaksTheNextLink) {
  EditRecord(3, [](std::string& v) {
    v1::LogRecord r;
    ASSERT_TRUE(r.ParseFromString(v.substr(32)));
    r.mutable_applied()->mutable_event()->mutable_scan()->set_payload("someone else");
    v = SealRecord(r).value;
  });
  v1::AuditReport report = VerifyLog(dir_.path());
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_log_seq(), 4u);
  EXPECT_NE(report.problem().find("prev_hash"), std::string::npos);
}

TEST_F(AuditTest, TruncatedTailIsReported) {
  DeleteRecord(10);
  v1::AuditReport report = VerifyLog(dir_.path());
  EXPECT_FALSE(report.ok());
  EXPECT_NE(report.problem().find("truncated"), std::string::npos) << report.problem();
}

TEST_F(AuditTest, MissingMiddleRecordIsReported) {
  DeleteRecord(6);
  v1::AuditReport report = VerifyLog(dir_.path());
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_log_seq(), 6u);
  EXPECT_NE(report.problem().find("missing"), std::string::npos);
}

TEST_F(AuditTest, AlteredPhotoBytesAreReported) {
  {
    auto store = KvStore::Open(dir_.path(), LogColumns(), OpenMode::kReadWrite);
    ASSERT_TRUE(store.ok());
    std::string jpeg(30000, static_cast<char>(4));
    KvBatch batch = (*store)->NewBatch();
    batch.Put(kPhotosColumn, DigestBytes(Sha256(jpeg)), jpeg + "x");
    ASSERT_TRUE((*store)->Write(batch, true).ok());
  }
  v1::AuditReport report = VerifyLog(dir_.path());
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_log_seq(), 4u);
  EXPECT_NE(report.problem().find("photo"), std::string::npos);
}

TEST_F(AuditTest, SeqJumpInsideAnEpochIsReported) {
  {
    auto log = EventLog::Open(dir_.path(), &clock_);
    ASSERT_TRUE(log.ok());
    v1::Outcome ok;
    (*log)->StageApplied(Event("B1", 3, 7), ok);  // skips seq 6
    ASSERT_TRUE((*log)->Commit().ok());
  }
  v1::AuditReport report = VerifyLog(dir_.path());
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_log_seq(), 11u);
  EXPECT_NE(report.problem().find("missing events"), std::string::npos) << report.problem();
}

TEST_F(AuditTest, CorruptTableFileIsReportedNotCrashedOn) {
  {
    auto store = KvStore::Open(dir_.path(), LogColumns(), OpenMode::kReadWrite);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Flush().ok());
  }
  int flipped = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    if (entry.path().extension() != ".sst") continue;
    std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(100);
    char c;
    f.get(c);
    f.seekp(100);
    f.put(static_cast<char>(c ^ 0x5a));
    ++flipped;
  }
  ASSERT_GT(flipped, 0);
  v1::AuditReport report = VerifyLog(dir_.path());
  EXPECT_FALSE(report.ok());
  EXPECT_FALSE(report.problem().empty());
}

TEST_F(AuditTest, DirectoryThatIsNotALogFails) {
  TempDir empty;
  v1::AuditReport report = VerifyLog(empty.Sub("none"));
  EXPECT_FALSE(report.ok());
  EXPECT_NE(report.problem().find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace gradcap
