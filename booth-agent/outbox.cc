#include "booth-agent/outbox.h"

#include "absl/strings/str_cat.h"
#include "common/big_endian.h"
#include "common/envelope.h"
#include "common/status_macros.h"

namespace gradcap {
namespace {

enum OutboxColumn : int { kPending = 0, kMeta = 1 };

const std::vector<ColumnSpec>& OutboxColumns() {
  static const std::vector<ColumnSpec> columns = {{"pending", true}, {"meta", false}};
  return columns;
}

absl::StatusOr<uint64_t> ReadCounter(const KvStore& store, const std::string& key) {
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> v, store.Get(kMeta, key));
  if (!v.has_value()) return absl::NotFoundError(absl::StrCat("outbox meta has no ", key));
  std::optional<uint64_t> n = ReadBigEndian64(*v);
  if (!n.has_value()) return absl::DataLossError(absl::StrCat("outbox meta ", key, " is damaged"));
  return *n;
}

}  // namespace

Outbox::Outbox(std::unique_ptr<KvStore> store, const Clock* clock)
    : store_(std::move(store)), clock_(clock) {}

absl::StatusOr<std::unique_ptr<Outbox>> Outbox::Open(const std::string& dir, const std::string& booth,
                                                     const Clock* clock) {
  GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<KvStore> store,
                           KvStore::Open(dir, OutboxColumns(), OpenMode::kReadWrite));
  std::unique_ptr<Outbox> outbox(new Outbox(std::move(store), clock));
  GRADCAP_RETURN_IF_ERROR(outbox->Load(booth));
  return outbox;
}

absl::Status Outbox::Load(const std::string& booth) {
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> owner, store_->Get(kMeta, "booth"));
  if (!owner.has_value()) {
    booth_ = booth;
    epoch_ = static_cast<uint64_t>(clock_->NowMs());
    KvBatch batch = store_->NewBatch();
    PutMeta(batch);
    return store_->Write(batch, /*sync=*/true);
  }
  if (*owner != booth) {
    return absl::FailedPreconditionError(absl::StrCat("outbox ", store_->dir(), " belongs to booth ",
                                                      *owner, ", not ", booth));
  }
  booth_ = booth;
  GRADCAP_ASSIGN_OR_RETURN(epoch_, ReadCounter(*store_, "epoch"));
  GRADCAP_ASSIGN_OR_RETURN(next_seq_, ReadCounter(*store_, "next_seq"));
  GRADCAP_ASSIGN_OR_RETURN(acked_through_, ReadCounter(*store_, "acked_through"));
  deleted_through_ = acked_through_;
  GRADCAP_ASSIGN_OR_RETURN(generated_, ReadCounter(*store_, "generated"));
  return absl::OkStatus();
}

void Outbox::PutMeta(KvBatch& batch) const {
  batch.Put(kMeta, "booth", booth_);
  batch.Put(kMeta, "epoch", BigEndian64(epoch_));
  batch.Put(kMeta, "next_seq", BigEndian64(next_seq_));
  batch.Put(kMeta, "acked_through", BigEndian64(acked_through_));
  batch.Put(kMeta, "generated", BigEndian64(generated_));
}

bool Outbox::HasMarker(const std::string& marker) const {
  auto v = store_->Get(kMeta, "marker/" + marker);
  return v.ok() && v->has_value();
}

absl::Status Outbox::Append(std::vector<v1::BoothEvent>& events, uint64_t generated_delta,
                            const std::vector<std::string>& markers) {
  KvBatch batch = store_->NewBatch();
  for (const std::string& m : markers) batch.Put(kMeta, "marker/" + m, "");
  uint64_t seq = next_seq_;
  for (v1::BoothEvent& event : events) {
    v1::EventId* id = event.mutable_id();
    id->set_booth(booth_);
    id->set_epoch(epoch_);
    id->set_seq(seq);
    if (event.booth_time_ms() == 0) event.set_booth_time_ms(clock_->NowMs());
    if (std::optional<WireError> bad = CheckBoothEvent(event)) {
      return absl::InvalidArgumentError(absl::StrCat("event not stored: ", bad->detail));
    }
    batch.Put(kPending, BigEndian64(seq), event.SerializeAsString());
    ++seq;
  }
  const uint64_t old_next = next_seq_, old_generated = generated_;
  next_seq_ = seq;
  generated_ += generated_delta;
  PutMeta(batch);
  absl::Status written = store_->Write(batch, /*sync=*/true);
  if (!written.ok()) {
    next_seq_ = old_next;
    generated_ = old_generated;
  }
  return written;
}

absl::StatusOr<std::vector<v1::BoothEvent>> Outbox::Read(uint64_t from, size_t max) const {
  std::vector<v1::BoothEvent> out;
  auto cursor = store_->NewCursor(kPending);
  for (cursor->Seek(BigEndian64(std::max(from, acked_through_ + 1))); cursor->Valid() && out.size() < max;
       cursor->Next()) {
    v1::BoothEvent event;
    if (!event.ParseFromArray(cursor->value().data(), static_cast<int>(cursor->value().size()))) {
      return absl::DataLossError(absl::StrCat("outbox entry ", ReadBigEndian64(cursor->key()).value_or(0),
                                              " does not parse"));
    }
    out.push_back(std::move(event));
  }
  GRADCAP_RETURN_IF_ERROR(cursor->status());
  return out;
}

absl::Status Outbox::MarkAcked(uint64_t seq) {
  if (seq <= acked_through_) return absl::OkStatus();
  if (seq > last_seq()) {
    return absl::FailedPreconditionError(absl::StrCat("ack for seq ", seq, " but the outbox has only assigned ",
                                                      last_seq()));
  }
  KvBatch batch = store_->NewBatch();
  for (uint64_t s = deleted_through_ + 1; s <= seq; ++s) batch.Delete(kPending, BigEndian64(s));
  acked_through_ = seq;
  PutMeta(batch);
  absl::Status written = store_->Write(batch, /*sync=*/false);
  // On a full disk the deletions wait for the next ack that finds space:
  // until then a restart would only resend what the coordinator holds.
  if (absl::IsResourceExhausted(written)) return absl::OkStatus();
  if (written.ok()) deleted_through_ = seq;
  return written;
}

}  // namespace gradcap
