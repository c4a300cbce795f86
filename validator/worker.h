// Worker mode: a validator process in the coordinator's pool (load-balancing
// broker). It says it is ready, takes one job at a time, answers from its own
// result store when it has seen the photo under this rule set before, and
// otherwise validates and stores the result before replying.
#pragma once

#include <string>
#include <vector>

#include "validator/rules.h"

namespace gradcap::validator {

struct WorkerOptions {
  // The coordinators' validator endpoints: one, or every shard's (a worker
  // serves every shard, one job at a time).
  std::vector<std::string> endpoints;
  std::string store_dir;  // RocksDB result store
  std::string name;       // defaults to host:pid
  std::string keys_dir;   // CURVE keys, optional
  std::string model;       // dlib landmarks
  std::string face_model;  // face-recognition weights (empty: no identity checks)
  RuleSet rules;
  int heartbeat_ms = 1000;
};

// Runs until SIGTERM/SIGINT. Returns a process exit status.
int RunWorker(const WorkerOptions& options);

}  // namespace gradcap::validator
