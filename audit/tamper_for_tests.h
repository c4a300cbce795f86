// Test helper: what someone holding a stopped coordinator's database files
// could do to its log — flip a byte, delete a record, swap two, cut the tail,
// or rewrite a record and re-hash the rest of the chain (re-signing the
// in-log checkpoints with the database's own key, if they think of it).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "audit/checkpoint.h"
#include "common/big_endian.h"
#include "common/kv_store.h"
#include "common/log_format.h"
#include "common/signing.h"

namespace gradcap::testing {

class Tamper {
 public:
  explicit Tamper(std::string db) : db_(std::move(db)) {}

  std::string Value(uint64_t log_seq) {
    auto store = KvStore::Open(db_, LogColumns(), OpenMode::kReadOnly);
    EXPECT_TRUE(store.ok()) << store.status();
    return (*store)->Get(kEventsColumn, BigEndian64(log_seq)).value().value_or("");
  }
  void Put(int column, const std::string& key, const std::string& value) {
    Write([&](KvBatch& b) { b.Put(column, key, value); });
  }
  void Delete(int column, const std::string& key) {
    Write([&](KvBatch& b) { b.Delete(column, key); });
  }
  void FlipByte(uint64_t log_seq, size_t pos) {
    std::string v = Value(log_seq);
    v[pos] ^= 0x01;
    Put(kEventsColumn, BigEndian64(log_seq), v);
  }
  void DeleteRecord(uint64_t log_seq) { Delete(kEventsColumn, BigEndian64(log_seq)); }
  void Swap(uint64_t a, uint64_t b) {
    const std::string va = Value(a), vb = Value(b);
    Write([&](KvBatch& batch) {
      batch.Put(kEventsColumn, BigEndian64(a), vb);
      batch.Put(kEventsColumn, BigEndian64(b), va);
    });
  }

  // Rewrites record `at` through `edit`, then re-hashes every later record so
  // the chain links again, and the chain head; with `resign`, also re-signs
  // the in-log checkpoints with the database's own checkpoint key.
  void RewriteAndRehash(uint64_t at, const std::function<void(v1::LogRecord&)>& edit, bool resign = false) {
    auto store = KvStore::Open(db_, LogColumns(), OpenMode::kReadWrite);
    ASSERT_TRUE(store.ok()) << store.status();
    v1::CheckpointKey key;
    if (resign) {
      auto stored = (*store)->Get(kMetaColumn, kCheckpointKeyKey);
      ASSERT_TRUE(stored.ok() && stored->has_value() && key.ParseFromString(**stored));
    }
    KvBatch batch = (*store)->NewBatch();
    Digest prev{};
    uint64_t last = 0;
    auto cursor = (*store)->NewCursor(kEventsColumn);
    for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
      last = ReadBigEndian64(cursor->key()).value();
      v1::LogRecord r;
      ASSERT_TRUE(r.ParseFromString(std::string(cursor->value().substr(32))));
      if (last == at) edit(r);
      if (last >= at) {
        r.set_prev_hash(DigestBytes(prev));
        if (resign && r.has_checkpoint()) {
          r.mutable_checkpoint()->set_head_hash(DigestBytes(prev));
          r.mutable_checkpoint()->set_signature(Sign(CheckpointStatement(r.checkpoint()), key.secret_key()));
        }
      }
      SealedRecord sealed = SealRecord(r);
      if (last >= at) batch.Put(kEventsColumn, std::string(cursor->key()), sealed.value);
      prev = sealed.hash;
    }
    v1::ChainHead head;
    head.set_log_seq(last);
    head.set_hash(DigestBytes(prev));
    batch.Put(kMetaColumn, kChainHeadKey, head.SerializeAsString());
    ASSERT_TRUE((*store)->Write(batch, true).ok());
  }

 private:
  void Write(const std::function<void(KvBatch&)>& fill) {
    auto store = KvStore::Open(db_, LogColumns(), OpenMode::kReadWrite);
    ASSERT_TRUE(store.ok()) << store.status();
    KvBatch batch = (*store)->NewBatch();
    fill(batch);
    ASSERT_TRUE((*store)->Write(batch, true).ok());
  }
  std::string db_;
};

}  // namespace gradcap::testing
