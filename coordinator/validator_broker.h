// The coordinator's side of the validator pool (zguide's load-balancing
// broker): validators connect to a ROUTER socket and say they are ready; each
// photo job goes to the worker idle longest; a job whose worker goes silent
// or stalls is issued again to another; the first result for a photo ends
// the job and later ones are dropped, so each result is applied once.
//
// Runs its own thread. The ingest thread Submit()s photos once their record
// is committed and TakeResults() when woken; photo bytes are read from the
// coordinator's photo store when a job is sent, not held in memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "common/kv_store.h"
#include "common/transport.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

struct BrokerOptions {
  std::string endpoint;                    // e.g. tcp://*:5556
  std::optional<CurveKeyPair> curve_keys;  // CURVE server when set (workers enrolled as "validator*")
  const CurveAuthenticator* authenticator = nullptr;  // when set: revoked names are refused
  int job_timeout_ms = 15000;              // a job not answered in this time goes to another worker
  int worker_timeout_ms = 5000;            // a busy worker silent this long is taken for dead
};

struct BrokerStats {
  uint64_t submitted = 0, sent = 0, results = 0, reissued = 0, duplicates = 0;
  uint64_t refused = 0;  // results for jobs not given to the sender, messages from revoked keys
  size_t workers = 0;
};

// A validator message the broker refused, for the coordinator's log.
struct BrokerRefusal {
  std::string peer;     // the worker's name as it said it, its enrolled key's name, and its routing id
  std::string address;  // its IP address
  v1::ErrorCode code = v1::ERROR_NONE;
  std::string detail;
  std::string raw;      // the message as received
};

class ValidatorBroker {
 public:
  // `photos` reads a photo's bytes by its raw SHA-256 (nullopt when absent).
  // `wake` is called (from the broker thread) when results are waiting.
  ValidatorBroker(std::function<std::optional<std::string>(const std::string&)> photos, BrokerOptions options,
                  std::function<void()> wake);
  ~ValidatorBroker();

  absl::Status Start();
  std::string endpoint() const;

  // Thread-safe. Photos already submitted are ignored.
  // `enrolment_photo` (a file path, optional) goes with the job for face_match.
  void Submit(const std::string& photo_sha256, uint64_t log_seq, const std::string& enrolment_photo = "");
  std::vector<v1::ValidationResult> TakeResults();
  std::vector<BrokerRefusal> TakeRefusals();
  BrokerStats stats() const;

 private:
  struct Job {
    std::string sha;
    uint64_t log_seq = 0;
    std::string enrolment_photo;
  };
  struct InFlight {
    Job job;
    std::string worker;  // routing id
    int64_t sent_ms = 0;
  };
  struct Worker {
    std::string name;
    int64_t last_heard_ms = 0;
  };

  void Loop();
  void Handle(const std::string& routing_id, const std::string& user, const std::string& address,
              const std::string& raw, int64_t now);
  void Refuse(const std::string& routing_id, const std::string& user, const std::string& address,
              v1::ErrorCode code, std::string detail, const std::string& raw);
  void Dispatch(int64_t now);
  void Expire(int64_t now);

  std::function<std::optional<std::string>(const std::string&)> photos_;
  BrokerOptions options_;
  std::function<void()> wake_;
  std::unique_ptr<MessageSocket> socket_;
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;

  mutable std::mutex mu_;  // guards the three below
  std::vector<Job> submitted_;
  std::vector<v1::ValidationResult> results_;
  std::vector<BrokerRefusal> refusals_;
  BrokerStats stats_;

  // Broker thread only.
  std::deque<Job> pending_;
  absl::flat_hash_map<std::string, InFlight> in_flight_;  // by photo sha
  absl::flat_hash_set<std::string> known_;                // every sha submitted (dedupe)
  absl::flat_hash_set<std::string> finished_;
  // Every worker (routing id) each job was sent to: only they may answer it
  // (a re-issued job's first worker too, late).
  absl::flat_hash_map<std::string, std::vector<std::string>> issued_to_;
  std::deque<std::string> idle_;                          // routing ids, longest idle first
  absl::flat_hash_map<std::string, Worker> workers_;
};

}  // namespace gradcap
