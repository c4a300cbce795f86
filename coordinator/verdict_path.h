// From a committed photo to its verdict at the booth: each accepted photo
// (or retake) is submitted to the validator pool once its record is on disk;
// a result becomes one ValidationRecord in the log (with the substitution
// alerts it raises), changes the state through the applier like any record,
// and — when it is still the student's current photo — is pushed to the
// booth. The same bytes checked before get the recorded result again, with
// no new check. Ingest thread only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/event_log.h"
#include "coordinator/booth_protocol.h"
#include "coordinator/event_applier.h"
#include "coordinator/refusal_recorder.h"
#include "coordinator/reply.h"
#include "coordinator/validator_broker.h"

namespace gradcap {

class VerdictPath {
 public:
  // `refusals` logs what the pool refused (a result for a job not given).
  VerdictPath(EventLog* log, EventApplier* applier, RefusalRecorder* refusals, IngestStats* stats);

  // Starts using the pool: every photo the state says still lacks a verdict
  // (after a restart: those in the log) is submitted again.
  void Attach(ValidatorBroker* broker, const BoothProtocol* booths, std::vector<Reply>* replies);
  bool attached() const { return broker_ != nullptr; }

  // A photo whose record is now committed.
  void Await(PendingPhoto photo, std::vector<Reply>* replies);
  // Stages every result the pool has delivered since the last call, and
  // every message it refused.
  void StageResults(std::vector<Reply>* replies);
  // Photos submitted and not answered yet.
  size_t in_flight() const { return awaiting_.size(); }

 private:
  void StageVerdict(const PendingPhoto& photo, const v1::ValidationResult& result, std::vector<Reply>* replies);

  EventLog* log_;
  EventApplier* applier_;
  RefusalRecorder* refusals_;
  IngestStats* stats_;
  ValidatorBroker* broker_ = nullptr;
  const BoothProtocol* booths_ = nullptr;
  absl::flat_hash_map<std::string, std::vector<PendingPhoto>> awaiting_;  // by photo digest
};

}  // namespace gradcap
