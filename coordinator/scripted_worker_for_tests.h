// Test helper: a validator worker driven by the test — it says it is ready,
// takes jobs and answers them when and how the test says — on a real
// ZeroMQ DEALER socket.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "common/envelope.h"
#include "common/sha256.h"
#include "common/transport.h"

namespace gradcap {

class ScriptedWorker {
 public:
  ScriptedWorker(const std::string& endpoint, const std::string& name) : name_(name) {
    SocketOptions o;
    o.immediate = false;
    socket_ = *MessageSocket::Create(SocketKind::kDealer, o);
    EXPECT_TRUE(socket_->Connect(endpoint).ok());
    Ready();
  }
  void Ready(bool busy = false) {
    v1::Envelope e;
    e.mutable_validator_ready()->set_worker(name_);
    e.mutable_validator_ready()->set_rule_set("test");
    e.mutable_validator_ready()->set_busy(busy);
    ASSERT_TRUE(socket_->Send({SerializeEnvelope(e)}).ok());
  }
  // The next job, or nullopt after `ms`.
  std::optional<v1::ValidationJob> NextJob(int ms) {
    auto frames = socket_->Receive(ms);
    if (!frames.ok() || !frames->has_value()) return std::nullopt;
    ParsedEnvelope p = ParseEnvelope((**frames)[0]);
    if (!p.envelope || !p.envelope->has_validation_job()) return std::nullopt;
    return p.envelope->validation_job();
  }
  void Answer(const v1::ValidationJob& job, v1::Verdict verdict) {
    v1::Envelope e;
    v1::ValidationResult* r = e.mutable_validation_result();
    r->set_photo_sha256(DigestBytes(Sha256(job.jpeg())));
    r->set_rule_set("test");
    r->set_verdict(verdict);
    r->set_worker(name_);
    r->set_log_seq(job.log_seq());
    ASSERT_TRUE(socket_->Send({SerializeEnvelope(e)}).ok());
  }
  void Close() { socket_.reset(); }

 private:
  std::string name_;
  std::unique_ptr<MessageSocket> socket_;
};

}  // namespace gradcap
