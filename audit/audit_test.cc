#include "audit/audit.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "audit/checkpoint.h"
#include "common/big_endian.h"
#include "common/event_log.h"
#include "common/file_util.h"
#include "common/log_format.h"
#include "common/sha256.h"
#include "common/signing.h"
#include "common/temp_dir.h"

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

TEST_F(AuditTest, TwoRecordsSwappedAreReportedAtTheFirst) {
  std::string third, fourth;
  EditRecord(3, [&](std::string& v) { third = v; });
  EditRecord(4, [&](std::string& v) { fourth = v; });
  EditRecord(3, [&](std::string& v) { v = fourth; });
  EditRecord(4, [&](std::string& v) { v = third; });
  v1::AuditReport report = VerifyLog(dir_.path());
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_log_seq(), 3u) << report.problem();
  EXPECT_NE(report.problem().find("moved"), std::string::npos) << report.problem();
}

// The fixture's ten records, then a signed checkpoint of record 10 (record
// 11), four more events and a checkpoint of record 15 (record 16). The
// college "holds" the first checkpoint as a file, and the public key.
class CheckpointAuditTest : public AuditTest {
 protected:
  void SetUp() override {
    AuditTest::SetUp();
    const SigningKeyPair pair = NewSigningKeyPair();
    key_.set_key_id(SigningKeyId(pair.public_key));
    key_.set_public_key(pair.public_key);
    key_.set_secret_key(pair.secret_key);
    auto log = EventLog::Open(dir_.path(), &clock_);
    ASSERT_TRUE(log.ok());
    (*log)->staged_batch().Put(kMetaColumn, kCheckpointKeyKey, key_.SerializeAsString());
    auto first = StageCheckpointOfHead(**log, key_, clock_.NowMs(),
                                       {v1::CHECKPOINT_COLLEGE_CLOSE, "A", "wang"}, nullptr);
    ASSERT_TRUE(first.ok());
    v1::Outcome ok;
    ok.set_accepted(true);
    for (uint64_t s = 5; s <= 8; ++s) (*log)->StageApplied(Event("B2", 8, s), ok);
    ASSERT_TRUE(
        StageCheckpointOfHead(**log, key_, clock_.NowMs(), {v1::CHECKPOINT_DAY_END, "", "wang"}, nullptr)
            .ok());
    ASSERT_TRUE((*log)->Commit().ok());
    checkpoint_file_ = held_.Sub("checkpoint-A.txt");
    public_key_file_ = held_.Sub("checkpoint.pub");
    ASSERT_TRUE(WriteFileAtomically(checkpoint_file_, CheckpointFileText(*first, "A closed")).ok());
    ASSERT_TRUE(WriteFileAtomically(public_key_file_, PublicKeyFileText(key_)).ok());
  }

  VerifyOptions WithFile() const { return VerifyOptions{{checkpoint_file_}, public_key_file_}; }

  // What a forger with the database does: rewrites record `at` and re-hashes
  // every later record so the chain links again (chain head too); with
  // `resign`, re-signs the in-log checkpoints with the database's own key.
  void RewriteAndRehash(uint64_t at, bool resign) {
    auto store = KvStore::Open(dir_.path(), LogColumns(), OpenMode::kReadWrite);
    ASSERT_TRUE(store.ok());
    KvBatch batch = (*store)->NewBatch();
    Digest prev{};
    uint64_t last = 0;
    auto cursor = (*store)->NewCursor(kEventsColumn);
    for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
      last = ReadBigEndian64(cursor->key()).value();
      v1::LogRecord r;
      ASSERT_TRUE(r.ParseFromString(std::string(cursor->value().substr(32))));
      if (last == at)
        r.mutable_applied()->mutable_event()->mutable_scan()->set_payload("someone else's code");
      if (last >= at) {
        r.set_prev_hash(DigestBytes(prev));
        if (resign && r.has_checkpoint()) {
          v1::Checkpoint* c = r.mutable_checkpoint();
          c->set_head_hash(DigestBytes(prev));
          c->set_signature(Sign(CheckpointStatement(*c), key_.secret_key()));
        }
      }
      SealedRecord sealed = SealRecord(r);
      if (last >= at) batch.Put(kEventsColumn, cursor->key(), sealed.value);
      prev = sealed.hash;
    }
    v1::ChainHead head;
    head.set_log_seq(last);
    head.set_hash(DigestBytes(prev));
    batch.Put(kMetaColumn, kChainHeadKey, head.SerializeAsString());
    ASSERT_TRUE((*store)->Write(batch, true).ok());
  }

  v1::CheckpointKey key_;
  TempDir held_;  // what the college took home
  std::string checkpoint_file_, public_key_file_;
};

TEST_F(CheckpointAuditTest, SignedCheckpointsVerifyAndProveTheLogThroughTheirRecord) {
  v1::AuditReport plain = VerifyLog(dir_.path());
  EXPECT_TRUE(plain.ok()) << plain.problem();
  EXPECT_EQ(plain.checkpoints(), 2u);
  EXPECT_EQ(plain.checkpoint_key(), key_.key_id());
  EXPECT_EQ(plain.proven_through(), 0u);  // the database's own key proves nothing on its own
  v1::AuditReport proven = VerifyLog(dir_.path(), WithFile());
  EXPECT_TRUE(proven.ok()) << proven.problem();
  ASSERT_EQ(proven.checkpoint_files_size(), 1);
  EXPECT_TRUE(proven.checkpoint_files(0).ok()) << proven.checkpoint_files(0).problem();
  EXPECT_EQ(proven.proven_through(), 10u);
  EXPECT_NE(FormatAuditReport(proven).find("proven unchanged through record 10"), std::string::npos)
      << FormatAuditReport(proven);
}

TEST_F(CheckpointAuditTest, ARewriteBeforeACheckpointIsCaughtByIt) {
  RewriteAndRehash(5, /*resign=*/false);
  v1::AuditReport report = VerifyLog(dir_.path());
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_log_seq(), 11u) << report.problem();
  EXPECT_NE(report.problem().find("rewritten at or before record 10"), std::string::npos) << report.problem();
}

TEST_F(CheckpointAuditTest, ARewriteReSignedWithTheDatabaseKeyIsCaughtByTheHandedOutCheckpoint) {
  RewriteAndRehash(5, /*resign=*/true);
  // The database holds its own secret: alone, it cannot tell.
  EXPECT_TRUE(VerifyLog(dir_.path()).ok());
  v1::AuditReport report = VerifyLog(dir_.path(), WithFile());
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_log_seq(), 10u) << report.problem();
  EXPECT_NE(report.problem().find("rewritten at or before record 10"), std::string::npos) << report.problem();
  ASSERT_EQ(report.checkpoint_files_size(), 1);
  EXPECT_FALSE(report.checkpoint_files(0).ok());
}

TEST_F(CheckpointAuditTest, ARewriteAfterAHandedOutCheckpointLeavesItHoldingAndIsCaughtByTheNext) {
  RewriteAndRehash(13, /*resign=*/false);
  v1::AuditReport report = VerifyLog(dir_.path(), WithFile());
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_log_seq(), 16u) << report.problem();
  EXPECT_NE(report.problem().find("after record 10 (the last checkpoint that holds)"), std::string::npos)
      << report.problem();
  ASSERT_EQ(report.checkpoint_files_size(), 1);
  EXPECT_TRUE(report.checkpoint_files(0).ok()) << report.checkpoint_files(0).problem();
  EXPECT_EQ(report.proven_through(), 10u);  // everything up to the college's checkpoint is as it signed
}

TEST_F(CheckpointAuditTest, ACheckpointSignedByAnotherKeyIsRefusedNamingBothKeys) {
  const SigningKeyPair other = NewSigningKeyPair();
  v1::CheckpointKey foreign;
  foreign.set_key_id(SigningKeyId(other.public_key));
  foreign.set_public_key(other.public_key);
  foreign.set_secret_key(other.secret_key);
  ASSERT_TRUE(WriteFileAtomically(public_key_file_, PublicKeyFileText(foreign)).ok());
  v1::AuditReport report = VerifyLog(dir_.path(), WithFile());
  EXPECT_FALSE(report.ok());
  EXPECT_NE(
      report.problem().find(absl::StrCat("signed by key ", key_.key_id(), ", not by ", foreign.key_id())),
      std::string::npos)
      << report.problem();
}

TEST_F(CheckpointAuditTest, AMissingOrDamagedCheckpointFileIsNamed) {
  v1::AuditReport missing = VerifyLog(dir_.path(), VerifyOptions{{held_.Sub("nope.txt")}, public_key_file_});
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.problem().find("nope.txt"), std::string::npos) << missing.problem();
  ASSERT_TRUE(WriteFileAtomically(checkpoint_file_, "gradcap checkpoint v1\nlog_seq: 10\n").ok());
  v1::AuditReport damaged = VerifyLog(dir_.path(), WithFile());
  EXPECT_FALSE(damaged.ok());
  EXPECT_NE(damaged.problem().find("truncated"), std::string::npos) << damaged.problem();
}

}  // namespace
}  // namespace gradcap
