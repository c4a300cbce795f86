#include "coordinator/ingest_server.h"

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "coordinator/admin_server.h"
#include "coordinator/live_publisher.h"
#include "coordinator/live_view.h"

namespace gradcap {
namespace {

constexpr char kComponent[] = "coordinator";

}  // namespace

IngestServer::IngestServer(EventLog* log, EventApplier* applier, const Clock* clock, IngestOptions options)
    : log_(log),
      clock_(clock),
      options_(std::move(options)),
      committer_(log),
      refusals_(log, applier, clock, options_.refusals),
      booths_(log, applier, clock, options_.max_message_bytes,
              BoothGuards{options_.curve_keys.has_value(), options_.authenticator, options_.booth_rate}, &refusals_,
              &stats_),
      verdicts_(log, applier, &refusals_, &stats_) {}

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

void IngestServer::AttachBroker(ValidatorBroker* broker) { verdicts_.Attach(broker, &booths_, &replies_); }

void IngestServer::AttachAdmin(AdminServer* admin) { admin_ = admin; }

void IngestServer::AttachLive(LivePublisher* publisher, LiveView* view) {
  live_ = publisher;
  view_ = view;
}

void IngestServer::Wake() { committer_.Signal(); }

std::string IngestServer::endpoint() const { return socket_ ? socket_->LastEndpoint() : ""; }

absl::Status IngestServer::Run(const std::atomic<bool>& stop) {
  last_stats_ms_ = clock_->MonotonicMs();
  committer_.set_stop(&stop);
  AdminContext admin_context;
  admin_context.commit = [this] { return CommitNow(); };
  admin_context.authenticator = options_.authenticator;
  admin_context.last_heard_ago_ms = [this](const std::string& booth) -> int64_t {
    const int64_t heard = booths_.LastHeardMs(booth);
    return heard < 0 ? -1 : clock_->MonotonicMs() - heard;
  };
  std::vector<MessageSocket*> sockets = {socket_.get()};
  const size_t admin_index = sockets.size();
  if (admin_ != nullptr) sockets.push_back(admin_->socket());
  const size_t live_index = sockets.size();
  if (live_ != nullptr) sockets.push_back(live_->socket());
  while (!stop.load()) {
    const bool stage_full = log_->staged_records() >= options_.max_batch_events ||
                            staged_wire_bytes_ >= options_.max_batch_bytes;
    if (stage_full) {
      GRADCAP_RETURN_IF_ERROR(FinishCommit());
    } else {
      GRADCAP_ASSIGN_OR_RETURN(std::vector<bool> readable,
                               MessageSocket::WaitReadable(sockets, committer_.wake_fd(), 100));
      if (!committer_.busy()) committer_.Drain();
      if (readable[0]) GRADCAP_RETURN_IF_ERROR(ReceiveBooths());
      if (admin_ != nullptr && readable[admin_index]) GRADCAP_RETURN_IF_ERROR(admin_->ServeWaiting(admin_context));
      if (live_ != nullptr && readable[live_index]) {
        // A subscriber's snapshot must show what its updates will build on.
        view_->Flush(/*now=*/true);
        live_->ServeWaiting([this] { return view_->Snapshot(); });
      }
    }
    verdicts_.StageResults(&replies_);
    refusals_.Tick();
    if (committer_.busy() && committer_.done()) GRADCAP_RETURN_IF_ERROR(FinishCommit());
    GRADCAP_RETURN_IF_ERROR(MaybeStartCommit());
    if (admin_ != nullptr) GRADCAP_RETURN_IF_ERROR(admin_->AnswerWaits(admin_context));
    if (live_ != nullptr) {
      view_->Flush();
      live_->Tick();
    }
    MaybeLogStats();
  }
  // Leave nothing half done: the running write, then what is still staged
  // (with the refusals counted so far).
  refusals_.FlushAll();
  return CommitNow();
}

absl::Status IngestServer::ReceiveBooths() {
  // Take whatever is already waiting into the same stage — but no more than
  // a stage's worth of messages per turn: refusals that are only counted
  // stage nothing, and a flood must not keep the loop from committing and
  // answering the others.
  for (int taken = 0; taken < options_.max_batch_events && log_->staged_records() < options_.max_batch_events &&
                      staged_wire_bytes_ < options_.max_batch_bytes;
       ++taken) {
    std::string sender, address;
    GRADCAP_ASSIGN_OR_RETURN(std::optional<Frames> frames, socket_->Receive(0, -1, &sender, &address));
    if (!frames.has_value()) break;
    for (size_t i = 1; i < frames->size(); ++i) staged_wire_bytes_ += (*frames)[i].size();
    booths_.Handle(std::move(*frames), sender, address, &replies_);
  }
  return absl::OkStatus();
}

absl::Status IngestServer::CommitNow() {
  GRADCAP_RETURN_IF_ERROR(FinishCommit());
  GRADCAP_RETURN_IF_ERROR(MaybeStartCommit());
  return FinishCommit();
}

absl::Status IngestServer::MaybeStartCommit() {
  if (committer_.busy()) return absl::OkStatus();
  std::unique_ptr<SealedBatch> sealed = log_->Seal();
  if (sealed == nullptr && replies_.empty()) return absl::OkStatus();
  committing_replies_ = std::move(replies_);
  replies_.clear();
  staged_wire_bytes_ = 0;
  if (sealed == nullptr) {
    // Only replies that need no write (duplicates, heartbeats): send now.
    return FinishCommit();
  }
  commit_started_ = std::chrono::steady_clock::now();
  committer_.Start(std::move(sealed));
  return absl::OkStatus();
}

absl::Status IngestServer::FinishCommit() {
  if (committer_.busy()) {
    std::unique_ptr<SealedBatch> sealed;
    absl::Status written = committer_.Wait(&sealed);
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
    stats_.commit_us +=
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - commit_started_)
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
    if (reply.photo) verdicts_.Await(std::move(*reply.photo), &replies_);
    Send(reply.routing_id, reply.envelope);
  }
  committing_replies_.clear();
  return absl::OkStatus();
}

void IngestServer::Send(const std::string& routing_id, v1::Envelope& envelope) {
  absl::Status sent = socket_->Send({routing_id, SerializeEnvelope(envelope)});
  // A peer that went away gets its ack again when it resends: nothing is lost.
  if (!sent.ok()) LogInfo(kComponent, "reply to peer:", ToHex(routing_id), " dropped: ", sent.message());
}

void IngestServer::MaybeLogStats() {
  if (options_.stats_interval_ms <= 0) return;
  const int64_t now = clock_->MonotonicMs();
  if (now - last_stats_ms_ < options_.stats_interval_ms) return;
  last_stats_ms_ = now;
  LogInfo(kComponent, "applied=", stats_.applied, " duplicates=", stats_.duplicates, " gaps=", stats_.gaps,
          " rejected=", stats_.rejected, " batches=", stats_.batches, " log_head=", log_->last_log_seq());
}

}  // namespace gradcap
