#include "common/kv_store.h"

#include <gtest/gtest.h>

#include "common/temp_dir.h"

namespace gradcap {
namespace {

const std::vector<ColumnSpec> kColumns = {{"a", false}, {"b", true}};

TEST(KvStore, BatchIsAppliedWholeAndSurvivesReopen) {
  TempDir dir;
  {
    auto store = KvStore::Open(dir.path(), kColumns, OpenMode::kReadWrite);
    ASSERT_TRUE(store.ok()) << store.status();
    KvBatch batch = (*store)->NewBatch();
    batch.Put(0, "k1", "v1");
    batch.Put(1, "photo", std::string(100000, 'p'));
    EXPECT_EQ(batch.Count(), 2);
    ASSERT_TRUE((*store)->Write(batch, true).ok());
  }
  auto store = KvStore::Open(dir.path(), kColumns, OpenMode::kReadOnly);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->Get(0, "k1").value().value(), "v1");
  EXPECT_EQ((*store)->Get(1, "photo").value().value().size(), 100000u);
  EXPECT_FALSE((*store)->Get(0, "photo").value().has_value());  // columns are separate
}

TEST(KvStore, ReadOnlyOpenOfMissingDatabaseIsNotFoundOrInvalid) {
  TempDir dir;
  auto store = KvStore::Open(dir.Sub("nothing"), kColumns, OpenMode::kReadOnly);
  EXPECT_FALSE(store.ok());
}

TEST(KvStore, CursorIteratesInKeyOrder) {
  TempDir dir;
  auto store = KvStore::Open(dir.path(), kColumns, OpenMode::kReadWrite);
  ASSERT_TRUE(store.ok());
  KvBatch batch = (*store)->NewBatch();
  batch.Put(0, "c", "3");
  batch.Put(0, "a", "1");
  batch.Put(0, "b", "2");
  ASSERT_TRUE((*store)->Write(batch, false).ok());
  std::string order;
  auto cursor = (*store)->NewCursor(0);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) order += cursor->value();
  EXPECT_EQ(order, "123");
  EXPECT_TRUE(cursor->status().ok());
}

}  // namespace
}  // namespace gradcap
