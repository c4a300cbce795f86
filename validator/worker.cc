#include "validator/worker.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <future>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/envelope.h"
#include "common/key_files.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/transport.h"
#include "validator/photo_validator.h"
#include "validator/pool_link.h"
#include "validator/result_store.h"

namespace gradcap::validator {
namespace {

constexpr char kComponent[] = "validator";
// How long an unsent result is retried; the broker re-issues a job long before.
constexpr int kResultPatienceMs = 120'000;
std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

std::string DefaultName() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return absl::StrCat(host, ":", ::getpid());
}

}  // namespace

int RunWorker(const WorkerOptions& options) {
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  const std::string name = options.name.empty() ? DefaultName() : options.name;
  if (options.store_dir.empty()) {
    std::fprintf(stderr, "validator: --store DIR is required in worker mode\n");
    return 2;
  }
  auto store = ResultStore::Open(options.store_dir);
  if (!store.ok()) {
    std::fprintf(stderr, "validator: result store %s: %s\n", options.store_dir.c_str(),
                 std::string(store.status().message()).c_str());
    return 2;
  }
  auto validator = PhotoValidator::Create(options.model, options.rules, {}, options.face_model);
  if (!validator.ok()) {
    std::fprintf(stderr, "validator: %s\n", std::string(validator.status().message()).c_str());
    return 2;
  }
  {
    // Warm up (first-use allocations in OpenCV and dlib cost ~200 ms) before
    // saying ready, so the first student's verdict is as fast as the rest.
    cv::Mat blank(options.rules.height, options.rules.width, CV_8UC3, cv::Scalar(255, 197, 100));
    std::vector<uint8_t> jpeg;
    cv::imencode(".jpg", blank, jpeg);
    (void)(*validator)->Validate(std::string(jpeg.begin(), jpeg.end()));
  }
  if (const FaceNetwork* network = (*validator)->face_network()) {
    LogInfo(kComponent, "face network ", network->model(), ": ", static_cast<int>(network->first_pass_ms()),
            " ms a face");
    if (network->first_pass_ms() > 150) {
      LogWarning(kComponent, "the face network takes ", static_cast<int>(network->first_pass_ms()),
                 " ms a face: verdicts will be late. Is OpenBLAS installed (Debian libopenblas0-serial, "
                 "deploy/install-deps.sh)? The reference BLAS is ~8× slower.");
    }
  }
  SocketOptions socket_options;
  socket_options.immediate = false;  // ready messages wait for the coordinator to come up
  socket_options.send_hwm = 4;
  if (!options.keys_dir.empty()) {
    // Validators are enrolled like booths (gradcap transport-keys enroll validator-N).
    auto keys = LoadBoothKeys(options.keys_dir, name);
    if (!keys.ok()) {
      std::fprintf(stderr, "validator: %s\n", std::string(keys.status().message()).c_str());
      return 2;
    }
    socket_options.curve_keys = keys->booth;
    socket_options.curve_server_public_key = keys->coordinator_public_key;
  }
  std::vector<std::unique_ptr<PoolLink>> links;
  for (const std::string& endpoint : options.endpoints) {
    auto link = PoolLink::Open(endpoint, socket_options);
    if (!link.ok()) {
      std::fprintf(stderr, "validator: cannot connect to %s: %s\n", endpoint.c_str(),
                   std::string(link.status().message()).c_str());
      return 2;
    }
    links.push_back(std::move(*link));
  }
  if (links.empty()) {
    std::fprintf(stderr, "validator: no coordinator to serve\n");
    return 2;
  }
  LogInfo(kComponent, "worker ", name, " (rule set ", options.rules.version, ") serving ",
          absl::StrJoin(options.endpoints, ", "));
  // Ready (idle) or busy, to every coordinator: each broker hears the worker
  // is alive, and a busy worker gets no second job from the others' brokers
  // beyond the one each may already have queued.
  auto send_ready = [&](bool busy) {
    v1::Envelope envelope;
    envelope.mutable_validator_ready()->set_worker(name);
    envelope.mutable_validator_ready()->set_rule_set(options.rules.version);
    envelope.mutable_validator_ready()->set_busy(busy);
    for (auto& link : links) link->SendStatus(envelope);
  };
  send_ready(false);
  uint64_t done = 0, cached = 0;
  size_t next = 0;  // the link looked at first, in turn, so no shard waits behind another
  while (!g_stop.load()) {
    std::vector<MessageSocket*> sockets;
    for (auto& link : links) sockets.push_back(link->socket());
    auto readable = MessageSocket::WaitReadable(sockets, -1, options.heartbeat_ms);
    if (!readable.ok()) {
      LogError(kComponent, "wait failed: ", readable.status().ToString());
      readable = std::vector<bool>(links.size(), true);  // each Receive below finds the broken one
    }
    PoolLink* from = nullptr;
    absl::StatusOr<std::optional<Frames>> frames = std::optional<Frames>();
    for (size_t k = 0; k < links.size() && from == nullptr; ++k) {
      const size_t i = (next + k) % links.size();
      if (!(*readable)[i]) continue;
      frames = links[i]->Receive(0);
      if (!frames.ok()) {
        LogError(kComponent, "receive from ", links[i]->endpoint(), " failed: ", frames.status().ToString(),
                 "; reconnecting");
        if (absl::Status again = links[i]->Reconnect(); !again.ok()) {
          LogError(kComponent, "cannot reconnect to ", links[i]->endpoint(), ": ", again.ToString());
          return 1;
        }
        continue;
      }
      if (frames->has_value()) {
        from = links[i].get();
        next = i + 1;
      }
    }
    if (from == nullptr) {
      send_ready(false);  // idle: tells a restarted coordinator we are here
      continue;
    }
    if ((*frames)->size() != 1) continue;
    ParsedEnvelope parsed = ParseEnvelope((**frames)[0], 2 * kMaxEnvelopeBytes);  // photo + enrolment photo
    if (!parsed.envelope || !parsed.envelope->has_validation_job()) {
      LogWarning(kComponent, "ignored a message that is not a validation job",
                 parsed.error ? absl::StrCat(": ", parsed.error->detail) : "");
      continue;
    }
    const v1::ValidationJob& job = parsed.envelope->validation_job();
    v1::Envelope reply;
    v1::ValidationResult* result = reply.mutable_validation_result();
    const std::string digest = DigestBytes(Sha256(job.jpeg()));
    // The enrolment photo changes face_match: part of the cache key.
    std::string key = job.reference_jpeg().empty() ? digest : DigestBytes(Sha256Concat(digest, job.reference_jpeg()));
    // So does the face model: a result without a descriptor, or with another
    // model's, is not this worker's answer.
    if (const FaceNetwork* network = (*validator)->face_network()) {
      key = DigestBytes(Sha256Concat(key, absl::StrCat("face-model:", network->model())));
    }
    auto stored = (*store)->Find(key, options.rules.version);
    if (stored.ok() && stored->has_value()) {
      *result = std::move(**stored);
      result->set_photo_sha256(digest);
      result->set_from_store(true);
      ++cached;
    } else {
      // Validate on a helper thread while this one keeps telling the broker
      // it is alive (a 24 MP capture or a loaded machine can take seconds;
      // silence would look like a dead worker and the job would run twice).
      auto running = std::async(std::launch::async, [&] {
        return (*validator)->Validate(job.jpeg(), job.reference_jpeg());
      });
      while (running.wait_for(std::chrono::milliseconds(options.heartbeat_ms)) != std::future_status::ready) {
        send_ready(true);
      }
      try {
        *result = running.get();
      } catch (const std::exception& e) {  // Validate catches OpenCV and dlib; this is the last edge
        LogError(kComponent, "job for log record ", job.log_seq(), ": the check threw: ", e.what());
        *result =
            UncheckedResult(job.jpeg(), absl::StrCat("the check threw: ", e.what()), options.rules.version);
      }
      result->set_worker(name);
      v1::ValidationResult keyed = *result;
      keyed.set_photo_sha256(key);
      absl::Status put = (*store)->Put(keyed);
      if (!put.ok()) LogWarning(kComponent, "result not stored: ", put.ToString());
    }
    result->set_log_seq(job.log_seq());
    if (!job.photo_sha256().empty() && job.photo_sha256() != digest) {
      // Answer the job as asked (so the broker can close it) and say so loudly:
      // the coordinator's photo store returned other bytes than it holds under this digest.
      LogError(kComponent, "job for log record ", job.log_seq(), " carries bytes that hash to ", ToHex(digest),
               ", not ", ToHex(job.photo_sha256()), ": damaged photo store?");
      result->set_photo_sha256(job.photo_sha256());
      result->set_verdict(v1::VERDICT_FAIL);
      for (v1::CheckResult& c : *result->mutable_checks()) {
        if (c.id() != "image_format") continue;
        c.set_status(v1::CHECK_FAIL);
        c.set_reason_zh("照片数据与记录的摘要不符（存储损坏？）");
        c.set_reason_en("photo bytes do not match the recorded digest (damaged store?)");
      }
    }
    from->SendResult(reply, options.heartbeat_ms, kResultPatienceMs, g_stop);
    if (links.size() > 1) {
      // The result makes this worker idle again for `from`'s broker; the
      // others heard "busy" and wait for this.
      v1::Envelope ready;
      ready.mutable_validator_ready()->set_worker(name);
      ready.mutable_validator_ready()->set_rule_set(options.rules.version);
      for (auto& link : links) {
        if (link.get() != from) link->SendStatus(ready);
      }
    }
    ++done;
    if (done % 100 == 0) LogInfo(kComponent, "worker ", name, ": ", done, " jobs, ", cached, " from the store");
  }
  LogInfo(kComponent, "worker ", name, " stopping after ", done, " jobs (", cached, " from the store)");
  return 0;
}

}  // namespace gradcap::validator
