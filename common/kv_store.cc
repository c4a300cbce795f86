#include "common/kv_store.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <filesystem>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "absl/strings/str_cat.h"
#include "common/logging.h"

namespace gradcap {
namespace {

absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(absl::string_view(what.data(), what.size()), ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(absl::StrCat("disk full: ", msg));
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsIOError()) return absl::UnavailableError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

// RocksDB's own LOG file lives in the database folder, so on a full disk it
// fails too — and Debian's librocksdb (built with assertions) aborts the
// process on the next line logged after such a failure. Its warnings and
// errors go to our stderr log instead; its chatter is dropped.
class StderrRocksLogger final : public rocksdb::Logger {
 public:
  explicit StderrRocksLogger(std::string dir)
      : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), dir_(std::move(dir)) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    LogLine(level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? LogLevel::kError : LogLevel::kWarning, "rocksdb",
            absl::StrCat(dir_, ": ", line));
  }

 private:
  std::string dir_;
};

// RocksDB recovers from a full disk on its own only once a whole memtable's
// worth (64 MiB) is free, polling every few seconds — on a small booth disk
// never. KvStore::Write resumes it instead, on the next write after a
// failed one.
class ResumeOnNextWrite final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

class RocksCursor final : public KvCursor {
 public:
  explicit RocksCursor(rocksdb::Iterator* it) : it_(it) {}
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view key) override { it_->Seek(ToSlice(key)); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override {
    rocksdb::Slice k = it_->key();
    return {k.data(), k.size()};
  }
  std::string_view value() const override {
    rocksdb::Slice v = it_->value();
    return {v.data(), v.size()};
  }
  absl::Status status() const override { return FromRocks(it_->status(), "iterating"); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

struct KvStore::Impl {
  std::unique_ptr<rocksdb::DB> db;
  // The last write failed for want of space: RocksDB stopped taking writes
  // and must be resumed before the next one.
  std::atomic<bool> out_of_space{false};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::ColumnFamilyHandle* default_family = nullptr;  // RocksDB's; unused but for a log switch
  ~Impl() {
    if (db) {
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
      if (default_family != nullptr) db->DestroyColumnFamilyHandle(default_family);
      db->Close();
    }
  }
};

KvBatch::KvBatch(const std::vector<rocksdb::ColumnFamilyHandle*>* handles)
    : handles_(handles), rep_(std::make_unique<rocksdb::WriteBatch>()) {}
KvBatch::~KvBatch() = default;
KvBatch::KvBatch(KvBatch&&) noexcept = default;
KvBatch& KvBatch::operator=(KvBatch&&) noexcept = default;
void KvBatch::Clear() { rep_->Clear(); }
int KvBatch::Count() const { return rep_->Count(); }
size_t KvBatch::ByteSize() const { return rep_->GetDataSize(); }

void KvBatch::Put(int cf, std::string_view key, std::string_view value) {
  // A failure here means the batch exceeded RocksDB's size limit (4 GiB);
  // callers bound their batches far below that.
  rep_->Put(handles_->at(cf), ToSlice(key), ToSlice(value)).PermitUncheckedError();
}

void KvBatch::Delete(int cf, std::string_view key) {
  rep_->Delete(handles_->at(cf), ToSlice(key)).PermitUncheckedError();
}

KvStore::KvStore(std::unique_ptr<Impl> impl, std::string dir)
    : impl_(std::move(impl)), dir_(std::move(dir)) {}
KvStore::~KvStore() = default;

absl::StatusOr<std::unique_ptr<KvStore>> KvStore::Open(const std::string& dir,
                                                       const std::vector<ColumnSpec>& columns,
                                                       OpenMode mode) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = mode == OpenMode::kReadWrite;
  db_options.create_missing_column_families = mode == OpenMode::kReadWrite;
  db_options.paranoid_checks = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  // Small column families (progress, chain head) get a write in every batch
  // and never fill a memtable, so without a cap every write-ahead log of the
  // day stays alive and each open (a restart, an audit) replays all of it.
  // Past this size RocksDB flushes whatever holds the oldest log.
  db_options.max_total_wal_size = 128u << 20;
  // Memtables of all column families together: without a cap each of the
  // eleven may hold 2 × 64 MB, and a day of photos (~100 KB each) fills the
  // photo column's in seconds. Past this, RocksDB flushes the largest.
  db_options.db_write_buffer_size = kMemtableBudgetBytes;
  db_options.info_log = std::make_shared<StderrRocksLogger>(dir);
  db_options.listeners.push_back(std::make_shared<ResumeOnNextWrite>());

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (const ColumnSpec& spec : columns) {
    rocksdb::ColumnFamilyOptions cf;
    if (spec.blob_values) {
      cf.enable_blob_files = true;
      cf.min_blob_size = 16 * 1024;
      cf.enable_blob_garbage_collection = true;
    }
    descriptors.emplace_back(spec.name, cf);
  }

  if (mode == OpenMode::kReadWrite) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  }
  auto impl = std::make_unique<Impl>();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s;
  if (mode == OpenMode::kReadOnly) {
    s = rocksdb::DB::OpenForReadOnly(db_options, dir, descriptors, &handles, &db);
  } else {
    s = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &db);
  }
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening database ", dir));
  impl->db.reset(db);
  // Index 0 is RocksDB's default family, which gradcap does not use.
  impl->default_family = handles[0];
  impl->handles.assign(handles.begin() + 1, handles.end());
  return std::unique_ptr<KvStore>(new KvStore(std::move(impl), dir));
}

absl::StatusOr<std::vector<std::string>> KvStore::ListColumns(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return absl::NotFoundError(absl::StrCat("no directory ", dir));
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
  if (!s.ok()) {
    return absl::NotFoundError(absl::StrCat(dir, " is not a database (", s.ToString(), ")"));
  }
  return names;
}

KvBatch KvStore::NewBatch() const { return KvBatch(&impl_->handles); }

absl::StatusOr<std::optional<std::string>> KvStore::Get(int cf, std::string_view key) const {
  std::string value;
  rocksdb::Status s =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->handles.at(cf), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading");
  return std::optional<std::string>(std::move(value));
}

absl::Status KvStore::Write(KvBatch& batch, bool sync) {
  if (impl_->out_of_space) {
    // RocksDB may have resumed on its own (its file manager watches free
    // space); Resume() is then a no-op. While its own recovery runs it says
    // Busy: still full, try again later.
    rocksdb::Status resumed = impl_->db->Resume();
    if (resumed.ok()) {
      // The write-ahead log that failed must not take another record (this
      // librocksdb asserts on it). Resume() moves to a new one only when it
      // has a memtable to flush, which a failed write does not leave: give
      // it one (in the unused default family, bypassing the log) and flush.
      rocksdb::WriteOptions no_log;
      no_log.disableWAL = true;
      resumed = impl_->db->Put(no_log, impl_->default_family, "kvstore/switch-log", "");
      rocksdb::FlushOptions flush;
      flush.wait = true;
      if (resumed.ok()) resumed = impl_->db->Flush(flush, impl_->default_family);
    }
    if (!resumed.ok()) {
      return absl::ResourceExhaustedError(
          absl::StrCat("disk full: writing ", dir_, ": still no space (", resumed.ToString(), ")"));
    }
    impl_->out_of_space = false;
  }
  rocksdb::WriteOptions options;
  options.sync = sync;
  rocksdb::Status s = impl_->db->Write(options, batch.rep_.get());
  if (s.IsNoSpace()) impl_->out_of_space = true;
  return FromRocks(s, absl::StrCat("writing ", dir_));
}

std::unique_ptr<KvCursor> KvStore::NewCursor(int cf) const {
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  return std::make_unique<RocksCursor>(impl_->db->NewIterator(options, impl_->handles.at(cf)));
}

absl::Status KvStore::Flush() {
  rocksdb::FlushOptions options;
  options.wait = true;
  return FromRocks(impl_->db->Flush(options, impl_->handles), "flushing");
}

}  // namespace gradcap
