#include "live/fake_coordinator_for_tests.h"

#include <chrono>

#include "common/clock.h"
#include "common/envelope.h"

namespace gradcap::testing {

FakeLiveCoordinator::FakeLiveCoordinator(std::string run, int heartbeat_ms)
    : run_(std::move(run)), heartbeat_ms_(heartbeat_ms) {
  SocketOptions options;
  options.router_mandatory = false;
  live_ = std::move(MessageSocket::Create(SocketKind::kRouter, options).value());
  admin_ = std::move(MessageSocket::Create(SocketKind::kRouter, options).value());
  (void)live_->Bind("tcp://127.0.0.1:*");
  (void)admin_->Bind("tcp://127.0.0.1:*");
  live_endpoint_ = live_->LastEndpoint();
  admin_endpoint_ = admin_->LastEndpoint();
  thread_ = std::thread([this] { Serve(); });
}

FakeLiveCoordinator::~FakeLiveCoordinator() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  thread_.join();
}

void FakeLiveCoordinator::Publish(v1::LiveUpdate update) {
  update.set_run(run_);
  update.set_seq(++seq_);
  update.set_now_ms(SystemClock::Get()->NowMs());
  history_.push_back(update);
  if (history_.size() > 1000) history_.pop_front();
  if (skip_next_) {
    skip_next_ = false;
    return;
  }
  if (silent_) return;
  for (const auto& [peer, heard] : subscribers_) {
    v1::Envelope envelope;
    *envelope.mutable_live_update() = update;
    outbox_.emplace_back(peer, envelope);
  }
}

void FakeLiveCoordinator::PutBooth(const v1::BoothState& booth) {
  std::lock_guard<std::mutex> lock(mu_);
  booths_[booth.booth()] = booth;
  v1::LiveUpdate update;
  *update.mutable_booth() = booth;
  Publish(update);
}

void FakeLiveCoordinator::PutAlert(const v1::LiveAlert& alert) {
  std::lock_guard<std::mutex> lock(mu_);
  alerts_[alert.id()] = alert;
  v1::LiveUpdate update;
  *update.mutable_alert() = alert;
  Publish(update);
}

void FakeLiveCoordinator::PutCollege(const v1::Reconciliation& college) {
  std::lock_guard<std::mutex> lock(mu_);
  colleges_[college.college()] = college;
  v1::LiveUpdate update;
  *update.mutable_college() = college;
  Publish(update);
}

void FakeLiveCoordinator::SkipNextUpdate() {
  std::lock_guard<std::mutex> lock(mu_);
  skip_next_ = true;
}

void FakeLiveCoordinator::Restart(const std::string& run, bool clear) {
  std::lock_guard<std::mutex> lock(mu_);
  run_ = run;
  seq_ = 0;
  history_.clear();
  subscribers_.clear();
  if (clear) {
    booths_.clear();
    alerts_.clear();
    colleges_.clear();
  }
}

void FakeLiveCoordinator::SetSilent(bool silent) {
  std::lock_guard<std::mutex> lock(mu_);
  silent_ = silent;
}

void FakeLiveCoordinator::PutPhoto(const std::string& sha256, const std::string& jpeg) {
  std::lock_guard<std::mutex> lock(mu_);
  photos_[sha256] = jpeg;
}

uint64_t FakeLiveCoordinator::seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seq_;
}

size_t FakeLiveCoordinator::subscribers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subscribers_.size();
}

uint64_t FakeLiveCoordinator::snapshots_sent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshots_sent_;
}

std::vector<v1::AdminRequest> FakeLiveCoordinator::admin_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return admin_requests_;
}

bool FakeLiveCoordinator::WaitFor(const std::function<bool()>& done, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, std::chrono::milliseconds(50));
  }
  return true;
}

void FakeLiveCoordinator::Answer(const std::string& peer, const v1::LiveSubscribe& subscribe) {
  subscribers_[peer] = SystemClock::Get()->MonotonicMs();
  const bool held = !history_.empty() && history_.front().seq() <= subscribe.after_seq() + 1;
  if (subscribe.run() == run_ && subscribe.after_seq() <= seq_ && (held || subscribe.after_seq() == seq_)) {
    for (const v1::LiveUpdate& update : history_) {
      if (update.seq() <= subscribe.after_seq()) continue;
      v1::Envelope envelope;
      *envelope.mutable_live_update() = update;
      outbox_.emplace_back(peer, envelope);
    }
    return;
  }
  v1::Envelope envelope;
  v1::LiveSnapshot* snapshot = envelope.mutable_live_snapshot();
  snapshot->set_run(run_);
  snapshot->set_seq(seq_);
  snapshot->set_now_ms(SystemClock::Get()->NowMs());
  snapshot->set_admin_endpoint(admin_endpoint_);
  for (const auto& [id, booth] : booths_) *snapshot->add_booths() = booth;
  for (const auto& [id, alert] : alerts_) *snapshot->add_alerts() = alert;
  for (const auto& [id, college] : colleges_) *snapshot->add_colleges() = college;
  ++snapshots_sent_;
  outbox_.emplace_back(peer, envelope);
}

v1::AdminReply FakeLiveCoordinator::HandleAdmin(const v1::AdminRequest& request) {
  admin_requests_.push_back(request);
  v1::AdminReply reply;
  reply.set_request_id(request.request_id());
  auto refuse = [&reply](const char* code, const std::string& message) {
    reply.mutable_error()->set_code(code);
    reply.mutable_error()->set_message(message);
    return reply;
  };
  if (request.has_ack_alert()) {
    auto it = alerts_.find(request.ack_alert().id());
    if (it == alerts_.end()) return refuse("NOT_FOUND", "no alert " + request.ack_alert().id());
    v1::LiveAlert alert = it->second;
    alert.set_acknowledged(true);
    alert.set_acknowledged_by(request.actor());
    alert.set_acknowledged_at_ms(SystemClock::Get()->NowMs());
    alert.set_note(request.ack_alert().note());
    alerts_[alert.id()] = alert;
    v1::LiveUpdate update;
    *update.mutable_alert() = alert;
    Publish(update);
    *reply.mutable_alert() = alert;
  } else if (request.has_close()) {
    auto it = colleges_.find(request.close().college());
    if (it == colleges_.end()) return refuse("NOT_FOUND", "no college " + request.close().college());
    v1::Reconciliation college = it->second;
    if (college.waiting() > 0 && request.close().override_reason().empty()) {
      return refuse("FAILED_PRECONDITION", "students still wait: give an override reason");
    }
    college.set_closed(true);
    college.set_override_used(college.waiting() > 0);
    colleges_[college.college()] = college;
    v1::LiveUpdate update;
    *update.mutable_college() = college;
    Publish(update);
    *reply.mutable_head_count() = college;
  } else if (request.has_head_count()) {
    auto it = colleges_.find(request.head_count().college());
    if (it == colleges_.end()) return refuse("NOT_FOUND", "no college " + request.head_count().college());
    *reply.mutable_head_count() = it->second;
  } else if (request.has_photo()) {
    auto it = photos_.find(request.photo().photo_sha256());
    if (it == photos_.end()) return refuse("NOT_FOUND", "no such photo");
    reply.set_photo_jpeg(it->second);
  } else {
    return refuse("INVALID_ARGUMENT", "the fake coordinator does not answer this request");
  }
  return reply;
}

void FakeLiveCoordinator::Serve() {
  int64_t next_heartbeat = 0;
  while (true) {
    std::vector<std::pair<std::string, v1::Envelope>> to_send;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      const int64_t now = SystemClock::Get()->MonotonicMs();
      if (now >= next_heartbeat) {
        next_heartbeat = now + heartbeat_ms_;
        for (auto it = subscribers_.begin(); it != subscribers_.end();) {
          it = now - it->second > 15000 ? subscribers_.erase(it) : std::next(it);
        }
        if (!silent_ && !subscribers_.empty()) {
          v1::LiveUpdate heartbeat;
          heartbeat.set_heartbeat(true);
          Publish(heartbeat);
        }
      }
      to_send.assign(outbox_.begin(), outbox_.end());
      outbox_.clear();
    }
    for (auto& [peer, envelope] : to_send) SendTo(peer, envelope);
    std::vector<bool> readable = MessageSocket::WaitReadable({live_.get(), admin_.get()}, -1, 20)
                                     .value_or(std::vector<bool>{false, false});
    bool served = false;
    if (readable[0]) {
      auto frames = live_->Receive(0);
      if (frames.ok() && frames->has_value() && (*frames)->size() >= 2) {
        ParsedEnvelope parsed = ParseEnvelope((*frames)->back());
        std::lock_guard<std::mutex> lock(mu_);
        if (!silent_ && parsed.envelope.has_value() && parsed.envelope->has_live_subscribe()) {
          Answer((*frames)->front(), parsed.envelope->live_subscribe());
        }
        served = true;
      }
    }
    if (readable[1]) {
      auto frames = admin_->Receive(0);
      if (frames.ok() && frames->has_value() && (*frames)->size() >= 2) {
        ParsedEnvelope parsed = ParseEnvelope((*frames)->back());
        v1::Envelope reply;
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (parsed.envelope.has_value() && parsed.envelope->has_admin_request()) {
            *reply.mutable_admin_reply() = HandleAdmin(parsed.envelope->admin_request());
          }
        }
        if (reply.has_admin_reply()) (void)admin_->Send({(*frames)->front(), SerializeEnvelope(reply)});
        served = true;
      }
    }
    if (served) changed_.notify_all();
  }
}

void FakeLiveCoordinator::SendTo(const std::string& peer, v1::Envelope& envelope) {
  (void)live_->Send({peer, SerializeEnvelope(envelope)});
}

}  // namespace gradcap::testing
