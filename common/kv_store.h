// RocksDB adapter: the only file that includes RocksDB headers. A KvStore is
// one database directory with named column families addressed by index (the
// order of the specs given to Open). Thread-safe for concurrent readers and
// writers, as RocksDB is; one process may open a directory read-write at a
// time (RocksDB's LOCK file enforces it).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rocksdb {
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace gradcap {

// The most memory the memtables of one database may hold together.
inline constexpr size_t kMemtableBudgetBytes = 64u << 20;

struct ColumnSpec {
  std::string name;
  // Large values (photos) go to blob files instead of the LSM tree.
  bool blob_values = false;
};

enum class OpenMode { kReadWrite, kReadOnly };

// A set of writes applied atomically by KvStore::Write. Made by
// KvStore::NewBatch; must not outlive the store.
class KvBatch {
 public:
  ~KvBatch();
  KvBatch(KvBatch&&) noexcept;
  KvBatch& operator=(KvBatch&&) noexcept;

  void Put(int cf, std::string_view key, std::string_view value);
  void Delete(int cf, std::string_view key);
  void Clear();
  int Count() const;
  size_t ByteSize() const;

 private:
  friend class KvStore;
  explicit KvBatch(const std::vector<rocksdb::ColumnFamilyHandle*>* handles);
  const std::vector<rocksdb::ColumnFamilyHandle*>* handles_;
  std::unique_ptr<rocksdb::WriteBatch> rep_;
};

// Iterates one column family in key order. Not thread-safe.
class KvCursor {
 public:
  virtual ~KvCursor() = default;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual void Seek(std::string_view key) = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // Not OK when iteration stopped because of an error (e.g. corruption).
  virtual absl::Status status() const = 0;
};

class KvStore {
 public:
  // Opens (creating in kReadWrite mode) the database in `dir` with exactly
  // these column families. kReadOnly fails with NotFound when `dir` is not a
  // database or lacks one of the column families.
  static absl::StatusOr<std::unique_ptr<KvStore>> Open(const std::string& dir,
                                                       const std::vector<ColumnSpec>& columns,
                                                       OpenMode mode);
  // The column families a database directory holds (RocksDB's "default"
  // included), without opening it. NotFound when `dir` is not a database.
  static absl::StatusOr<std::vector<std::string>> ListColumns(const std::string& dir);
  ~KvStore();
  KvStore(const KvStore&) = delete;
  KvStore& operator=(const KvStore&) = delete;

  KvBatch NewBatch() const;
  // nullopt when the key is absent. DataLoss on a checksum failure.
  absl::StatusOr<std::optional<std::string>> Get(int cf, std::string_view key) const;
  // Applies the whole batch or nothing. With `sync`, returns only after the
  // write-ahead log is on stable storage. ResourceExhausted ("disk full: …")
  // when the disk is full: nothing of the batch was written, and the same
  // batch may be written again once space returns (each later call first
  // asks RocksDB to resume).
  absl::Status Write(KvBatch& batch, bool sync);
  std::unique_ptr<KvCursor> NewCursor(int cf) const;
  // Flushes memtables to table files (tests use it to reach on-disk tables).
  absl::Status Flush();
  const std::string& dir() const { return dir_; }

 private:
  struct Impl;
  explicit KvStore(std::unique_ptr<Impl> impl, std::string dir);
  std::unique_ptr<Impl> impl_;
  std::string dir_;
};

}  // namespace gradcap
