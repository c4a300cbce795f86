#include "coordinator/ingest_server.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/status_macros.h"

namespace gradcap {
namespace {

constexpr char kComponent[] = "coordinator";

std::string PeerName(const std::string& routing_id) { return absl::StrCat("peer:", ToHex(routing_id)); }

// The photo bytes must be what the booth hashed; the coordinator's own digest
// is what the log and the photo store key on.
std::optional<v1::Outcome> CheckPhotoDigest(v1::BoothEvent& event) {
  v1::Photo* photo = event.has_photo() ? event.mutable_photo()
                                       : event.has_retake() ? event.mutable_retake() : nullptr;
  if (photo == nullptr) return std::nullopt;
  const std::string digest = DigestBytes(Sha256(photo->jpeg()));
  const bool mismatch = !photo->sha256().empty() && photo->sha256() != digest;
  const std::string claimed = photo->sha256();
  photo->set_sha256(digest);
  if (!mismatch) return std::nullopt;
  v1::Outcome outcome;
  outcome.set_accepted(false);
  outcome.set_reason("photo_digest_mismatch");
  outcome.set_detail(absl::StrCat("photo bytes hash to ", ToHex(digest), " but the booth sent ",
                                  ToHex(claimed), "; the photo was damaged on the way: retake it"));
  return outcome;
}

}  // namespace

std::optional<PendingPhoto> PendingPhotoOf(const v1::AppliedEvent& applied, uint64_t log_seq) {
  const v1::BoothEvent& e = applied.event();
  if (!applied.outcome().accepted() || applied.binding().student_no().empty()) return std::nullopt;
  if (!e.has_photo() && !e.has_retake()) return std::nullopt;
  return PendingPhoto{e.has_photo() ? e.photo().sha256() : e.retake().sha256(), log_seq, e.id().booth(),
                      applied.binding().shooting_no(), applied.binding().student_no(), ""};
}

// Writes one sealed batch at a time on its own thread and signals an
// eventfd when done, which wakes the ingest loop's poll.
class IngestServer::Committer {
 public:
  explicit Committer(EventLog* log) : log_(log), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Committer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      quit_ = true;
    }
    cv_.notify_one();
    thread_.join();
    ::close(wake_fd_);
  }
  int wake_fd() const { return wake_fd_; }
  // Wakes the ingest loop for another reason (validator results).
  void Signal() {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
  }
  // Clears wake-ups while no write runs (a running write's Wait drains them).
  void Drain() {
    uint64_t drained;
    while (::read(wake_fd_, &drained, sizeof drained) > 0) {
    }
  }
  bool busy() const { return batch_ != nullptr; }

  void Start(std::unique_ptr<SealedBatch> batch) {
    batch_ = std::move(batch);
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = batch_.get();
      done_ = false;
    }
    cv_.notify_one();
  }
  bool done() {
    std::lock_guard<std::mutex> lock(mu_);
    return done_;
  }
  // Blocks until the running write ends; returns its status and the batch.
  absl::Status Wait(std::unique_ptr<SealedBatch>* batch) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
    uint64_t drained;
    while (::read(wake_fd_, &drained, sizeof drained) > 0) {
    }
    *batch = std::move(batch_);
    done_ = false;
    return result_;
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return quit_ || job_ != nullptr; });
      if (job_ == nullptr) return;
      SealedBatch* job = job_;
      job_ = nullptr;
      lock.unlock();
      absl::Status result = log_->Write(*job);
      lock.lock();
      result_ = std::move(result);
      done_ = true;
      cv_.notify_all();
      const uint64_t one = 1;
      (void)!::write(wake_fd_, &one, sizeof one);
    }
  }

  EventLog* log_;
  int wake_fd_;
  std::unique_ptr<SealedBatch> batch_;  // owned by the ingest thread
  std::mutex mu_;
  std::condition_variable cv_;
  SealedBatch* job_ = nullptr;
  bool done_ = false;
  bool quit_ = false;
  absl::Status result_;
  std::thread thread_;
};

IngestServer::IngestServer(EventLog* log, EventApplier* applier, const Clock* clock,
                           IngestOptions options)
    : log_(log),
      applier_(applier),
      clock_(clock),
      options_(std::move(options)),
      committer_(std::make_unique<Committer>(log)) {}

IngestServer::~IngestServer() = default;

absl::Status IngestServer::Bind() {
  SocketOptions socket_options;
  socket_options.max_message_bytes = static_cast<int64_t>(options_.max_message_bytes) * 2 + 4096;
  if (options_.curve_keys.has_value()) {
    socket_options.curve_server = true;
    socket_options.curve_keys = *options_.curve_keys;
  }
  GRADCAP_ASSIGN_OR_RETURN(socket_, MessageSocket::Create(SocketKind::kRouter, socket_options));
  return socket_->Bind(options_.endpoint);
}

void IngestServer::AttachBroker(ValidatorBroker* broker, std::vector<PendingPhoto> unvalidated,
                                absl::flat_hash_map<std::string, v1::ValidationResult> known) {
  broker_ = broker;
  known_results_ = std::move(known);
  for (PendingPhoto& p : unvalidated) AwaitVerdict(std::move(p));
}

void IngestServer::Wake() { committer_->Signal(); }

void IngestServer::AwaitVerdict(PendingPhoto photo) {
  if (auto known = known_results_.find(photo.sha256); known != known_results_.end()) {
    StageVerdict(photo, known->second);  // the same bytes were checked already
    return;
  }
  std::vector<PendingPhoto>& waiting = awaiting_verdict_[photo.sha256];
  photo.enrolment_photo = applier_->EnrolmentPhoto(photo.student_no);
  if (waiting.empty()) broker_->Submit(photo.sha256, photo.log_seq, photo.enrolment_photo);
  waiting.push_back(std::move(photo));
}

void IngestServer::StageVerdict(const PendingPhoto& p, const v1::ValidationResult& result) {
  v1::ValidationRecord record;
  *record.mutable_result() = result;
  record.set_photo_log_seq(p.log_seq);
  record.set_booth(p.booth);
  record.set_shooting_no(p.shooting_no);
  record.set_student_no(p.student_no);
  Reply reply{"", {}, false, std::nullopt};
  applier_->RaiseVerdictAlerts(&record);
  for (const v1::Alert& a : record.alerts()) LogWarning(kComponent, "alert ", a.kind(), ": ", a.detail());
  applier_->ApplyVerdict(record, log_->next_log_seq(), reply.envelope.mutable_verdict());
  log_->StageValidation(record);
  ++stats_.verdicts;
  if (reply.envelope.verdict().verdict().empty()) return;  // about a photo since replaced
  if (auto r = routing_of_.find(p.booth); r != routing_of_.end()) {
    reply.routing_id = r->second;
    replies_.push_back(std::move(reply));
  }
}

void IngestServer::StageVerdicts() {
  if (broker_ == nullptr) return;
  for (v1::ValidationResult& result : broker_->TakeResults()) {
    auto it = awaiting_verdict_.find(result.photo_sha256());
    if (it == awaiting_verdict_.end()) continue;  // already recorded
    for (const PendingPhoto& p : it->second) StageVerdict(p, result);
    awaiting_verdict_.erase(it);
    known_results_[result.photo_sha256()] = std::move(result);
  }
}

std::string IngestServer::endpoint() const { return socket_ ? socket_->LastEndpoint() : ""; }

absl::Status IngestServer::Run(const std::atomic<bool>& stop) {
  last_stats_ms_ = clock_->MonotonicMs();
  while (!stop.load()) {
    const bool stage_full = log_->staged_records() >= options_.max_batch_events ||
                            staged_wire_bytes_ >= options_.max_batch_bytes;
    if (stage_full) {
      GRADCAP_RETURN_IF_ERROR(FinishCommit());
    } else {
      GRADCAP_ASSIGN_OR_RETURN(std::optional<Frames> first, socket_->Receive(100, committer_->wake_fd(), &sender_));
      if (!committer_->busy()) committer_->Drain();
      if (first.has_value()) {
        Handle(std::move(*first));
        // Take whatever else is already waiting into the same stage.
        while (log_->staged_records() < options_.max_batch_events &&
               staged_wire_bytes_ < options_.max_batch_bytes) {
          GRADCAP_ASSIGN_OR_RETURN(std::optional<Frames> more, socket_->Receive(0, -1, &sender_));
          if (!more.has_value()) break;
          Handle(std::move(*more));
        }
      }
    }
    StageVerdicts();
    if (committer_->busy() && committer_->done()) GRADCAP_RETURN_IF_ERROR(FinishCommit());
    MaybeStartCommit();
    MaybeLogStats();
  }
  // Leave nothing half done: the running write, then what is still staged.
  GRADCAP_RETURN_IF_ERROR(FinishCommit());
  MaybeStartCommit();
  return FinishCommit();
}

void IngestServer::Handle(Frames&& frames) {
  if (frames.empty()) return;
  const std::string routing_id = frames[0];
  if (frames.size() != 2) {
    std::string raw;
    for (size_t i = 1; i < frames.size(); ++i) raw += frames[i];
    Refuse(routing_id,
           WireError{wire_error::kMalformed,
                     absl::StrCat("expected exactly one frame per message, got ", frames.size() - 1)},
           raw, nullptr);
    return;
  }
  const std::string& raw = frames[1];
  staged_wire_bytes_ += raw.size();
  ParsedEnvelope parsed = ParseEnvelope(raw, options_.max_message_bytes);
  if (parsed.error.has_value()) {
    Refuse(routing_id, *parsed.error, raw, nullptr);
    return;
  }
  v1::Envelope& envelope = *parsed.envelope;
  switch (envelope.msg_case()) {
    case v1::Envelope::kEvent:
      HandleEvent(routing_id, std::move(*envelope.mutable_event()), raw);
      return;
    case v1::Envelope::kHeartbeat:
      HandleHeartbeat(routing_id, envelope.heartbeat(), raw);
      return;
    default:
      Refuse(routing_id,
             WireError{wire_error::kUnknownMessage,
                       absl::StrCat("the coordinator's booth socket does not take message type ",
                                    envelope.GetDescriptor()
                                        ->FindFieldByNumber(static_cast<int>(envelope.msg_case()))
                                        ->name())},
             raw, nullptr);
  }
}

void IngestServer::HandleEvent(const std::string& routing_id, v1::BoothEvent&& event,
                               const std::string& raw) {
  if (std::optional<WireError> bad = CheckBoothEvent(event)) {
    Refuse(routing_id, *bad, raw, event.has_id() ? &event.id() : nullptr);
    return;
  }
  const v1::EventId& id = event.id();
  if (!SenderIs(id.booth(), routing_id, raw, &id)) return;
  last_heard_ms_[id.booth()] = clock_->MonotonicMs();
  routing_of_[id.booth()] = routing_id;
  const SeqDecision decision = DecideSeq(log_->Progress(id.booth()), id.epoch(), id.seq());
  switch (decision.action) {
    case SeqAction::kApply: {
      std::optional<v1::Outcome> outcome = CheckPhotoDigest(event);
      v1::Binding binding;
      if (!outcome.has_value()) {
        outcome.emplace();
        applier_->Apply(event, log_->next_log_seq(), clock_->NowMs(), &*outcome, &binding);
      }
      Reply reply{routing_id, {}, false, std::nullopt};
      v1::Ack* ack = reply.envelope.mutable_ack();
      *ack->mutable_id() = id;
      *ack->mutable_outcome() = *outcome;
      if (broker_ != nullptr && outcome->accepted() && !binding.student_no().empty() &&
          (event.has_photo() || event.has_retake())) {
        reply.photo = PendingPhoto{event.has_photo() ? event.photo().sha256() : event.retake().sha256(),
                                   log_->next_log_seq(), id.booth(), binding.shooting_no(), binding.student_no(), ""};
      }
      ack->set_log_seq(log_->StageApplied(std::move(event), std::move(*outcome), std::move(binding)));
      replies_.push_back(std::move(reply));
      ++stats_.applied;
      return;
    }
    case SeqAction::kDuplicate: {
      Reply reply{routing_id, {}, true, std::nullopt};
      *reply.envelope.mutable_ack()->mutable_id() = id;
      replies_.push_back(std::move(reply));
      ++stats_.duplicates;
      return;
    }
    case SeqAction::kGap: {
      Reply reply{routing_id, {}, false, std::nullopt};
      v1::ResendFrom* resend = reply.envelope.mutable_resend_from();
      resend->set_booth(id.booth());
      resend->set_epoch(id.epoch());
      resend->set_next_seq(decision.expected_seq);
      replies_.push_back(std::move(reply));
      ++stats_.gaps;
      return;
    }
    case SeqAction::kStaleEpoch: {
      const SeqProgress known = log_->Progress(id.booth());
      Refuse(routing_id,
             WireError{wire_error::kStaleEpoch,
                       absl::StrCat(DescribeEventId(id), ": booth ", id.booth(), " is already at epoch ",
                                    known.epoch, "; this outbox was replaced and must not send")},
             raw, &id);
      return;
    }
  }
}

bool IngestServer::SenderIs(const std::string& booth, const std::string& routing_id, const std::string& raw,
                            const v1::EventId* id) {
  if (!options_.curve_keys.has_value() || sender_ == booth) return true;
  Refuse(routing_id,
         WireError{wire_error::kBoothMismatch,
                   absl::StrCat("this connection is enrolled as booth \"", sender_,
                                "\" and may not speak for booth \"", booth, "\"")},
         raw, id);
  return false;
}

void IngestServer::HandleHeartbeat(const std::string& routing_id, const v1::Heartbeat& heartbeat,
                                   const std::string& raw) {
  if (!heartbeat.booth().empty() && !SenderIs(heartbeat.booth(), routing_id, raw, nullptr)) return;
  ++stats_.heartbeats;
  Reply reply{routing_id, {}, false, std::nullopt};
  v1::Heartbeat* pong = reply.envelope.mutable_heartbeat();
  pong->set_booth(heartbeat.booth());
  pong->set_sent_at_ms(clock_->NowMs());
  if (!heartbeat.booth().empty()) {
    last_heard_ms_[heartbeat.booth()] = clock_->MonotonicMs();
    routing_of_[heartbeat.booth()] = routing_id;
    // Report committed progress only: the booth may drop what this covers.
    const SeqProgress known = log_->CommittedProgress(heartbeat.booth());
    pong->set_epoch(known.epoch);
    if (known.epoch == heartbeat.epoch()) pong->set_last_seq(known.last_seq);
    applier_->DescribeBooth(heartbeat.booth(), pong->mutable_state());
  }
  replies_.push_back(std::move(reply));
}

void IngestServer::Refuse(const std::string& routing_id, const WireError& error,
                          const std::string& raw, const v1::EventId* id) {
  ++stats_.rejected;
  v1::Rejection rejection;
  rejection.set_code(error.code);
  rejection.set_detail(error.detail);
  rejection.set_peer(!sender_.empty() ? sender_
                     : id != nullptr && !id->booth().empty() ? id->booth()
                                                            : PeerName(routing_id));
  if (id != nullptr) *rejection.mutable_id() = *id;
  rejection.set_message_sha256(DigestBytes(Sha256(raw)));
  rejection.set_message_size(raw.size());
  const uint64_t log_seq = log_->StageRejection(rejection);
  LogWarning(kComponent, "refused message from ", rejection.peer(), " (log record ", log_seq,
             "): ", error.code, ": ", error.detail);
  Reply reply{routing_id, {}, false, std::nullopt};
  v1::ErrorReply* reply_error = reply.envelope.mutable_error();
  reply_error->set_code(error.code);
  reply_error->set_detail(error.detail);
  if (id != nullptr) *reply_error->mutable_id() = *id;
  replies_.push_back(std::move(reply));
}

void IngestServer::MaybeStartCommit() {
  if (committer_->busy()) return;
  std::unique_ptr<SealedBatch> sealed = log_->Seal();
  if (sealed == nullptr && replies_.empty()) return;
  committing_replies_ = std::move(replies_);
  replies_.clear();
  staged_wire_bytes_ = 0;
  if (sealed == nullptr) {
    // Only replies that need no write (duplicates, heartbeats): send now.
    (void)FinishCommit();
    return;
  }
  commit_started_ = std::chrono::steady_clock::now();
  committer_->Start(std::move(sealed));
}

absl::Status IngestServer::FinishCommit() {
  if (committer_->busy()) {
    std::unique_ptr<SealedBatch> sealed;
    absl::Status written = committer_->Wait(&sealed);
    if (!written.ok()) {
      // Nothing of this batch (or the stage after it) is durable: ack none of it.
      committing_replies_.clear();
      replies_.clear();
      LogError(kComponent, "commit failed, stopping: ", written.ToString());
      return written;
    }
    log_->Committed(*sealed);
    ++stats_.batches;
    stats_.batch_events += sealed->records;
    stats_.commit_us += std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - commit_started_)
                            .count();
    if (options_.record_batch_sizes) stats_.batch_sizes.push_back(static_cast<uint32_t>(sealed->records));
  }
  for (Reply& reply : committing_replies_) {
    if (reply.lookup_ack) {
      absl::StatusOr<std::optional<v1::Ack>> ack = log_->FindAck(reply.envelope.ack().id());
      if (!ack.ok() || !ack->has_value()) {
        // A duplicate of an event in a batch not yet on disk has its answer
        // with that batch; anything else would be a damaged index.
        LogError(kComponent, "duplicate of ", DescribeEventId(reply.envelope.ack().id()),
                 " but its ack cannot be read: ",
                 ack.ok() ? std::string("not in the index") : ack.status().ToString());
        continue;
      }
      *reply.envelope.mutable_ack() = std::move(**ack);
    }
    if (reply.photo && broker_ != nullptr) AwaitVerdict(std::move(*reply.photo));
    Send(reply.routing_id, reply.envelope);
  }
  committing_replies_.clear();
  return absl::OkStatus();
}

void IngestServer::Send(const std::string& routing_id, v1::Envelope& envelope) {
  absl::Status sent = socket_->Send({routing_id, SerializeEnvelope(envelope)});
  // A peer that went away gets its ack again when it resends: nothing is lost.
  if (!sent.ok()) LogInfo(kComponent, "reply to ", PeerName(routing_id), " dropped: ", sent.message());
}

void IngestServer::MaybeLogStats() {
  if (options_.stats_interval_ms <= 0) return;
  const int64_t now = clock_->MonotonicMs();
  if (now - last_stats_ms_ < options_.stats_interval_ms) return;
  last_stats_ms_ = now;
  LogInfo(kComponent, "applied=", stats_.applied, " duplicates=", stats_.duplicates,
          " gaps=", stats_.gaps, " rejected=", stats_.rejected, " batches=", stats_.batches,
          " log_head=", log_->last_log_seq());
}

}  // namespace gradcap
