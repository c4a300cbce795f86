// The exactly-once rules for booth events (DESIGN.md, "Delivery"): given what
// the coordinator durably holds for a booth, what to do with (epoch, seq).
// Pure functions; no I/O.
#pragma once

#include <cstdint>

namespace gradcap {

// What the coordinator holds for one booth. epoch == 0: never heard from it.
struct SeqProgress {
  uint64_t epoch = 0;
  uint64_t last_seq = 0;
};

enum class SeqAction {
  kApply,       // the next event: apply it, ack after the synced write
  kDuplicate,   // already applied: send the same ack again
  kGap,         // events are missing: ask for a resend from expected_seq
  kStaleEpoch,  // from an outbox that has been replaced: refuse
};

struct SeqDecision {
  SeqAction action;
  uint64_t expected_seq;  // the seq the coordinator wants next in `epoch`
};

// seq and epoch are ≥ 1 (checked earlier). A newer epoch starts at seq 1.
SeqDecision DecideSeq(const SeqProgress& known, uint64_t epoch, uint64_t seq);

// The progress after applying (epoch, seq); only valid after kApply.
SeqProgress Advance(const SeqProgress& known, uint64_t epoch, uint64_t seq);

const char* SeqActionName(SeqAction action);

}  // namespace gradcap
