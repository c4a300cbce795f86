#include "coordinator/validator_broker.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/envelope.h"
#include "common/logging.h"
#include "common/sha256.h"

namespace gradcap {
namespace {

constexpr char kComponent[] = "broker";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ValidatorBroker::ValidatorBroker(std::function<std::optional<std::string>(const std::string&)> photos,
                                 BrokerOptions options, std::function<void()> wake)
    : photos_(std::move(photos)), options_(std::move(options)), wake_(std::move(wake)) {}

ValidatorBroker::~ValidatorBroker() {
  stop_.store(true);
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

absl::Status ValidatorBroker::Start() {
  SocketOptions socket_options;
  socket_options.max_message_bytes = 64 << 20;
  if (options_.curve_keys) {
    socket_options.curve_server = true;
    socket_options.curve_keys = *options_.curve_keys;
  }
  auto socket = MessageSocket::Create(SocketKind::kRouter, socket_options);
  if (!socket.ok()) return socket.status();
  socket_ = std::move(*socket);
  if (absl::Status bound = socket_->Bind(options_.endpoint); !bound.ok()) return bound;
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  thread_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

std::string ValidatorBroker::endpoint() const { return socket_ ? socket_->LastEndpoint() : ""; }

void ValidatorBroker::Submit(const std::string& photo_sha256, uint64_t log_seq, const std::string& enrolment_photo) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    submitted_.push_back(Job{photo_sha256, log_seq, enrolment_photo});
  }
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

std::vector<v1::ValidationResult> ValidatorBroker::TakeResults() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<v1::ValidationResult> out;
  out.swap(results_);
  return out;
}

std::vector<BrokerRefusal> ValidatorBroker::TakeRefusals() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BrokerRefusal> out;
  out.swap(refusals_);
  return out;
}

BrokerStats ValidatorBroker::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void ValidatorBroker::Loop() {
  while (!stop_.load()) {
    std::string user, address;
    auto frames = socket_->Receive(200, wake_fd_, &user, &address);
    uint64_t drained;
    while (::read(wake_fd_, &drained, sizeof drained) > 0) {
    }
    const int64_t now = NowMs();
    if (!frames.ok()) {
      LogError(kComponent, "receive failed: ", frames.status().ToString());
      continue;
    }
    if (frames->has_value() && (*frames)->size() == 2) {
      Handle((**frames)[0], user, address, (**frames)[1], now);
      // Take what else is waiting.
      for (int i = 0; i < 64; ++i) {
        auto more = socket_->Receive(0, -1, &user, &address);
        if (!more.ok() || !more->has_value()) break;
        if ((*more)->size() == 2) Handle((**more)[0], user, address, (**more)[1], now);
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (Job& job : submitted_) {
        if (known_.insert(job.sha).second) {
          pending_.push_back(std::move(job));
          ++stats_.submitted;
        }
      }
      submitted_.clear();
    }
    Expire(now);
    Dispatch(now);
  }
}

void ValidatorBroker::Refuse(const std::string& routing_id, const std::string& user, const std::string& address,
                             v1::ErrorCode code, std::string detail, const std::string& raw) {
  auto known = workers_.find(routing_id);
  BrokerRefusal refusal;
  refusal.peer = absl::StrCat(known != workers_.end() && !known->second.name.empty() ? known->second.name : "validator",
                              user.empty() ? "" : absl::StrCat(" (key ", user, ")"), " peer:", ToHex(routing_id));
  refusal.address = address;
  refusal.code = code;
  refusal.detail = std::move(detail);
  refusal.raw = raw;
  LogWarning(kComponent, "refused ", refusal.peer, address.empty() ? "" : absl::StrCat(" at ", address), ": ",
             refusal.detail);
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.refused;
  refusals_.push_back(std::move(refusal));
  if (wake_) wake_();
}

void ValidatorBroker::Handle(const std::string& routing_id, const std::string& user, const std::string& address,
                             const std::string& raw, int64_t now) {
  if (options_.authenticator != nullptr && options_.authenticator->IsRevoked(kBoothZapDomain, user)) {
    Refuse(routing_id, user, address, v1::ERROR_KEY_REVOKED,
           absl::StrCat("the key of \"", user, "\" was revoked: this connection is refused"), raw);
    return;
  }
  if (options_.curve_keys && !absl::StartsWith(user, "validator")) {
    LogWarning(kComponent, "message from \"", user, "\" at ", address, " peer:", ToHex(routing_id),
               " ignored: only keys enrolled as validator* may serve");
    return;
  }
  ParsedEnvelope parsed = ParseEnvelope(raw, 1 << 20);
  if (!parsed.envelope) {
    LogWarning(kComponent, "bad message from worker \"", user, "\" at ", address, " peer:", ToHex(routing_id), ": ",
               parsed.error->detail);
    return;
  }
  const bool known_worker = workers_.contains(routing_id);
  Worker& worker = workers_[routing_id];
  worker.last_heard_ms = now;
  if (parsed.envelope->has_validator_ready()) {
    worker.name = parsed.envelope->validator_ready().worker();
    if (parsed.envelope->validator_ready().busy()) {
      // Alive, on a job: ours, or another shard's (a worker serves every
      // shard): no job from us until it says ready again.
      std::erase(idle_, routing_id);
      return;
    }
    if (!known_worker) LogInfo(kComponent, "validator ", worker.name, " joined");
    const bool busy = std::any_of(in_flight_.begin(), in_flight_.end(),
                                  [&](const auto& kv) { return kv.second.worker == routing_id; });
    if (!busy && std::find(idle_.begin(), idle_.end(), routing_id) == idle_.end()) idle_.push_back(routing_id);
  } else if (parsed.envelope->has_validation_result()) {
    v1::ValidationResult& result = *parsed.envelope->mutable_validation_result();
    // Only a worker the job was sent to may answer it: anything else is a
    // forged or confused verdict, never applied.
    auto issued = issued_to_.find(result.photo_sha256());
    if (issued == issued_to_.end() ||
        std::find(issued->second.begin(), issued->second.end(), routing_id) == issued->second.end()) {
      Refuse(routing_id, user, address, v1::ERROR_JOB_NOT_GIVEN,
             absl::StrCat("a result for photo ", ToHex(result.photo_sha256()), " (log record ", result.log_seq(),
                          "), a job this validator was not given: not applied"),
             raw);
      return;
    }
    // Whichever worker answers first ends the job (a re-issued job may be
    // answered by its first worker after all).
    in_flight_.erase(result.photo_sha256());
    if (std::find(idle_.begin(), idle_.end(), routing_id) == idle_.end()) idle_.push_back(routing_id);
    const bool first = known_.contains(result.photo_sha256()) && finished_.insert(result.photo_sha256()).second;
    // A re-issued job may still sit in pending_: drop it.
    pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                  [&](const Job& j) { return j.sha == result.photo_sha256(); }),
                   pending_.end());
    std::lock_guard<std::mutex> lock(mu_);
    if (!first) {
      ++stats_.duplicates;
      return;
    }
    ++stats_.results;
    if (result.worker().empty()) result.set_worker(worker.name);
    results_.push_back(std::move(result));
    if (wake_) wake_();
  }
}

void ValidatorBroker::Expire(int64_t now) {
  // Workers silent too long: forget them; their jobs go back to the front.
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    const Worker& w = workers_[it->second.worker];
    const bool dead = now - w.last_heard_ms > options_.worker_timeout_ms;
    const bool stalled = now - it->second.sent_ms > options_.job_timeout_ms;
    if (dead || stalled) {
      LogWarning(kComponent, "job for log record ", it->second.job.log_seq, " re-issued: validator ", w.name,
                 dead ? " went silent" : " stalled");
      pending_.push_front(it->second.job);
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.reissued;
      }
      in_flight_.erase(it++);
    } else {
      ++it;
    }
  }
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (now - it->second.last_heard_ms > options_.worker_timeout_ms) {
      LogInfo(kComponent, "validator ", it->second.name, " left (silent ", now - it->second.last_heard_ms, " ms)");
      idle_.erase(std::remove(idle_.begin(), idle_.end(), it->first), idle_.end());
      workers_.erase(it++);
    } else {
      ++it;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats_.workers = workers_.size();
}

void ValidatorBroker::Dispatch(int64_t now) {
  while (!pending_.empty() && !idle_.empty()) {
    Job job = std::move(pending_.front());
    pending_.pop_front();
    if (finished_.contains(job.sha)) continue;
    const std::string worker = idle_.front();
    idle_.pop_front();
    std::optional<std::string> jpeg = photos_(job.sha);
    if (!jpeg) {
      LogError(kComponent, "photo of log record ", job.log_seq, " is not in the photo store; not validated");
      idle_.push_front(worker);
      continue;
    }
    v1::Envelope envelope;
    v1::ValidationJob* out = envelope.mutable_validation_job();
    out->set_photo_sha256(job.sha);
    out->set_log_seq(job.log_seq);
    *out->mutable_jpeg() = std::move(*jpeg);
    if (!job.enrolment_photo.empty()) {
      std::ifstream in(job.enrolment_photo, std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      if (in && bytes.str().size() <= kMaxEnvelopeBytes / 2) {
        out->set_reference_jpeg(bytes.str());
      } else {
        LogWarning(kComponent, "enrolment photo ", job.enrolment_photo,
                   " unreadable or over 12 MB: face_match will be undetermined");
      }
    }
    if (!socket_->Send({worker, SerializeEnvelope(envelope)}).ok()) {
      workers_.erase(worker);  // gone: the job waits for the next worker
      pending_.push_front(std::move(job));
      continue;
    }
    in_flight_[job.sha] = InFlight{job, worker, now};
    issued_to_[job.sha].push_back(worker);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.sent;
  }
}

}  // namespace gradcap
