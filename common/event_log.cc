#include "common/event_log.h"

#include <google/protobuf/arena.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/big_endian.h"
#include "common/log_format.h"
#include "common/logging.h"
#include "common/status_macros.h"

namespace gradcap {

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(const std::string& dir, const Clock* clock) {
  GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<KvStore> store,
                           KvStore::Open(dir, LogColumns(), OpenMode::kReadWrite));
  std::unique_ptr<EventLog> log(new EventLog(std::move(store), clock));
  GRADCAP_RETURN_IF_ERROR(log->Load());
  return log;
}

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::OpenReadOnly(const std::string& dir) {
  GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<KvStore> store, KvStore::Open(dir, LogColumns(), OpenMode::kReadOnly));
  std::unique_ptr<EventLog> log(new EventLog(std::move(store), SystemClock::Get()));
  log->read_only_ = true;
  GRADCAP_RETURN_IF_ERROR(log->Load());
  return log;
}

EventLog::EventLog(std::unique_ptr<KvStore> store, const Clock* clock)
    : store_(std::move(store)), clock_(clock), batch_(store_->NewBatch()) {}

absl::Status EventLog::Load() {
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> format, store_->Get(kMetaColumn, kLogFormatKey));
  GRADCAP_RETURN_IF_ERROR(CheckLogFormat(store_->dir(), format));
  // A new database says which layout it holds, with its first commit.
  if (!format.has_value() && !read_only_)
    batch_.Put(kMetaColumn, kLogFormatKey, std::to_string(kLogFormatVersion));
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> head, store_->Get(kMetaColumn, kChainHeadKey));
  if (head.has_value()) {
    v1::ChainHead parsed;
    if (!parsed.ParseFromString(*head) || parsed.hash().size() != head_hash_.size()) {
      return absl::DataLossError("chain head in column meta does not parse");
    }
    head_seq_ = parsed.log_seq();
    std::copy(parsed.hash().begin(), parsed.hash().end(), head_hash_.begin());
  }
  // The last record must be the one the head names: both were written in the
  // same batch, so anything else means the database was edited.
  auto cursor = store_->NewCursor(kEventsColumn);
  cursor->SeekToLast();
  GRADCAP_RETURN_IF_ERROR(cursor->status());
  const uint64_t last_key = cursor->Valid() ? ReadBigEndian64(cursor->key()).value_or(0) : 0;
  if (last_key != head_seq_) {
    return absl::DataLossError(absl::StrCat("event log ends at record ", last_key,
                                            " but the chain head names record ", head_seq_,
                                            "; run `gradcap audit verify`"));
  }
  auto booths = store_->NewCursor(kBoothsColumn);
  for (booths->SeekToFirst(); booths->Valid(); booths->Next()) {
    v1::BoothProgress p;
    if (!p.ParseFromArray(booths->value().data(), static_cast<int>(booths->value().size()))) {
      return absl::DataLossError(absl::StrCat("progress of booth ", Sv(booths->key()), " does not parse"));
    }
    progress_[std::string(booths->key())] = p;
    latest_progress_[std::string(booths->key())] = p;
  }
  GRADCAP_RETURN_IF_ERROR(booths->status());
  staged_head_seq_ = head_seq_;
  staged_head_hash_ = head_hash_;
  return absl::OkStatus();
}

SeqProgress EventLog::Progress(const std::string& booth) const {
  auto it = latest_progress_.find(booth);
  if (it == latest_progress_.end()) return {};
  return {it->second.epoch(), it->second.last_seq()};
}

SeqProgress EventLog::CommittedProgress(const std::string& booth) const {
  auto it = progress_.find(booth);
  if (it == progress_.end()) return {};
  return {it->second.epoch(), it->second.last_seq()};
}

std::vector<std::pair<std::string, SeqProgress>> EventLog::CommittedBooths() const {
  std::vector<std::pair<std::string, SeqProgress>> out;
  for (const auto& [booth, p] : progress_) out.emplace_back(booth, SeqProgress{p.epoch(), p.last_seq()});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

uint64_t EventLog::Stage(v1::LogRecord& record, int64_t at_ms) {
  const uint64_t seq = staged_head_seq_ + 1;
  record.set_log_seq(seq);
  record.set_prev_hash(DigestBytes(staged_head_hash_));
  record.set_recorded_at_ms(at_ms != 0 ? at_ms : clock_->NowMs());
  SealedRecord sealed = SealRecord(record);
  batch_.Put(kEventsColumn, BigEndian64(seq), sealed.value);
  staged_head_seq_ = seq;
  staged_head_hash_ = sealed.hash;
  ++staged_records_;
  return seq;
}

uint64_t EventLog::StageApplied(v1::BoothEvent event, v1::Outcome outcome, v1::Binding binding,
                                int64_t decided_at_ms, v1::LogRecord* staged) {
  v1::Photo* photo = event.has_photo() ? event.mutable_photo()
                                       : event.has_retake() ? event.mutable_retake() : nullptr;
  if (photo != nullptr) {
    // Content-addressed: the same bytes twice are stored once.
    batch_.Put(kPhotosColumn, photo->sha256(), photo->jpeg());
    photo->clear_jpeg();
  }
  const v1::EventId id = event.id();
  v1::LogRecord record;
  v1::AppliedEvent* applied = record.mutable_applied();
  *applied->mutable_event() = std::move(event);
  *applied->mutable_outcome() = std::move(outcome);
  if (binding.ByteSizeLong() > 0) *applied->mutable_binding() = std::move(binding);
  if (decided_at_ms == 0) decided_at_ms = clock_->NowMs();
  applied->set_decided_at_ms(decided_at_ms);
  const uint64_t log_seq = Stage(record, decided_at_ms);
  if (staged != nullptr) *staged = record;
  batch_.Put(kEventIndexColumn, EventIndexKey(id), BigEndian64(log_seq));
  v1::BoothProgress& p = latest_progress_[id.booth()];
  p.set_epoch(id.epoch());
  p.set_last_seq(id.seq());
  p.set_last_log_seq(log_seq);
  staged_progress_[id.booth()] = p;
  return log_seq;
}

uint64_t EventLog::StageAdmin(const v1::AdminRecord& admin, v1::LogRecord* staged) {
  v1::LogRecord record;
  *record.mutable_admin() = admin;
  const uint64_t log_seq = Stage(record);
  if (staged != nullptr) *staged = std::move(record);
  return log_seq;
}

uint64_t EventLog::StageCheckpoint(const v1::Checkpoint& checkpoint, v1::LogRecord* staged) {
  v1::LogRecord record;
  *record.mutable_checkpoint() = checkpoint;
  const uint64_t log_seq = Stage(record, checkpoint.signed_at_ms());
  if (staged != nullptr) *staged = std::move(record);
  return log_seq;
}

uint64_t EventLog::StageValidation(const v1::ValidationRecord& validation, v1::LogRecord* staged) {
  v1::LogRecord record;
  *record.mutable_validation() = validation;
  const uint64_t log_seq = Stage(record);
  if (staged != nullptr) *staged = std::move(record);
  return log_seq;
}

uint64_t EventLog::StageRejection(const v1::Rejection& rejection, v1::LogRecord* staged) {
  v1::LogRecord record;
  *record.mutable_rejected() = rejection;
  const uint64_t log_seq = Stage(record);
  if (staged != nullptr) *staged = std::move(record);
  return log_seq;
}

uint64_t EventLog::StageRefusalCount(const v1::RefusalCount& count, v1::LogRecord* staged) {
  v1::LogRecord record;
  *record.mutable_refusals() = count;
  const uint64_t log_seq = Stage(record);
  if (staged != nullptr) *staged = std::move(record);
  return log_seq;
}

std::unique_ptr<SealedBatch> EventLog::Seal() {
  if (staged_records_ == 0) return nullptr;
  for (const auto& [booth, p] : staged_progress_) {
    batch_.Put(kBoothsColumn, booth, p.SerializeAsString());
  }
  v1::ChainHead head;
  head.set_log_seq(staged_head_seq_);
  head.set_hash(DigestBytes(staged_head_hash_));
  batch_.Put(kMetaColumn, kChainHeadKey, head.SerializeAsString());
  auto sealed = std::make_unique<SealedBatch>(std::move(batch_));
  sealed->records = staged_records_;
  sealed->head_seq = staged_head_seq_;
  sealed->head_hash = staged_head_hash_;
  sealed->progress.assign(std::make_move_iterator(staged_progress_.begin()),
                          std::make_move_iterator(staged_progress_.end()));
  batch_ = store_->NewBatch();
  staged_progress_.clear();
  staged_records_ = 0;
  return sealed;
}

absl::Status EventLog::Write(SealedBatch& sealed) {
  if (read_only_) return absl::FailedPreconditionError("the event log was opened read-only");
  if (broken_.load()) return absl::FailedPreconditionError("an earlier commit failed; reopen the event log");
  absl::Status written = store_->Write(sealed.batch, /*sync=*/true);
  if (!written.ok() && !absl::IsResourceExhausted(written)) broken_.store(true);
  return written;
}

void EventLog::Committed(SealedBatch& sealed) {
  head_seq_ = sealed.head_seq;
  head_hash_ = sealed.head_hash;
  for (auto& [booth, p] : sealed.progress) progress_[booth] = std::move(p);
}

absl::Status EventLog::Commit() {
  std::unique_ptr<SealedBatch> sealed = Seal();
  if (sealed == nullptr) return absl::OkStatus();
  GRADCAP_RETURN_IF_ERROR(Write(*sealed));
  Committed(*sealed);
  return absl::OkStatus();
}

absl::Status EventLog::ForEachRecord(const std::function<void(const v1::LogRecord&)>& visit) const {
  auto cursor = store_->NewCursor(kEventsColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    const uint64_t key = ReadBigEndian64(cursor->key()).value_or(0);
    if (key > head_seq_) break;  // staged but not committed
    GRADCAP_ASSIGN_OR_RETURN(OpenedRecord opened, OpenRecord(key, cursor->value()));
    visit(opened.record);
  }
  return cursor->status();
}

namespace {

// Up to kChunkRecords records read, hash-checked and parsed onto their own
// arena by ForEachSealedRecord's reader thread.
constexpr int kChunkRecords = 1024;
constexpr size_t kChunksAhead = 4;

struct Chunk {
  google::protobuf::Arena arena;
  std::vector<std::pair<const v1::LogRecord*, Digest>> records;
  absl::Status status;  // not OK: the read stopped here, with why
  bool last = false;
};

// A bounded hand-over from the reader thread to the caller's.
class ChunkQueue {
 public:
  // False when the consumer has gone.
  bool Push(std::unique_ptr<Chunk> chunk) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return chunks_.size() < kChunksAhead || closed_; });
    if (closed_) return false;
    chunks_.push_back(std::move(chunk));
    ready_.notify_one();
    return true;
  }
  std::unique_ptr<Chunk> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [&] { return !chunks_.empty(); });
    std::unique_ptr<Chunk> chunk = std::move(chunks_.front());
    chunks_.pop_front();
    room_.notify_one();
    return chunk;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    room_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<std::unique_ptr<Chunk>> chunks_;
  bool closed_ = false;
};

}  // namespace

absl::Status EventLog::ForEachSealedRecord(
    const std::function<absl::Status(const v1::LogRecord&, const Digest& hash)>& visit) const {
  // A second thread reads, hash-checks and parses the records (onto arenas
  // freed a chunk at a time) while this one visits them, in order: a replay
  // of a day spends its time on both. The queue between them is bounded.
  ChunkQueue queue;
  std::thread reader([this, &queue] {
    auto cursor = store_->NewCursor(kEventsColumn);
    cursor->SeekToFirst();
    while (true) {
      auto chunk = std::make_unique<Chunk>();
      chunk->records.reserve(kChunkRecords);
      for (int i = 0; i < kChunkRecords && !chunk->last; ++i) {
        if (!cursor->Valid()) {
          chunk->status = cursor->status();
          chunk->last = true;
          break;
        }
        const uint64_t key = ReadBigEndian64(cursor->key()).value_or(0);
        if (key > head_seq_) {  // staged but not committed
          chunk->last = true;
          break;
        }
        auto* record = google::protobuf::Arena::CreateMessage<v1::LogRecord>(&chunk->arena);
        absl::StatusOr<Digest> hash = OpenRecordInto(key, cursor->value(), record);
        if (!hash.ok()) {
          chunk->status = hash.status();
          chunk->last = true;
          break;
        }
        chunk->records.emplace_back(record, *hash);
        cursor->Next();
      }
      const bool last = chunk->last;
      if (!queue.Push(std::move(chunk)) || last) return;
    }
  });
  absl::Status result;
  while (true) {
    std::unique_ptr<Chunk> chunk = queue.Pop();
    for (const auto& [record, hash] : chunk->records) {
      result = visit(*record, hash);
      if (!result.ok()) break;
    }
    if (!result.ok() || chunk->last) {
      if (result.ok()) result = chunk->status;
      break;
    }
  }
  queue.Close();
  reader.join();
  return result;
}

absl::StatusOr<v1::LogRecord> EventLog::ReadRecord(uint64_t log_seq) const {
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> value,
                           store_->Get(kEventsColumn, BigEndian64(log_seq)));
  if (!value.has_value()) return absl::NotFoundError(absl::StrCat("no record ", log_seq));
  GRADCAP_ASSIGN_OR_RETURN(OpenedRecord opened, OpenRecord(log_seq, *value));
  return std::move(opened.record);
}

absl::StatusOr<std::optional<v1::Ack>> EventLog::FindAck(const v1::EventId& id) const {
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> index,
                           store_->Get(kEventIndexColumn, EventIndexKey(id)));
  if (!index.has_value()) return std::optional<v1::Ack>();
  std::optional<uint64_t> log_seq = ReadBigEndian64(*index);
  if (!log_seq.has_value()) {
    return absl::DataLossError(absl::StrCat("event index entry for ", id.booth(), " is damaged"));
  }
  GRADCAP_ASSIGN_OR_RETURN(v1::LogRecord record, ReadRecord(*log_seq));
  if (!record.has_applied()) {
    return absl::DataLossError(absl::StrCat("event index points at record ", *log_seq,
                                            ", which is not an applied event"));
  }
  v1::Ack ack;
  *ack.mutable_id() = id;
  ack.set_log_seq(*log_seq);
  *ack.mutable_outcome() = record.applied().outcome();
  return std::optional<v1::Ack>(std::move(ack));
}

}  // namespace gradcap
