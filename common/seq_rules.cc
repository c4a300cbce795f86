#include "common/seq_rules.h"

namespace gradcap {

SeqDecision DecideSeq(const SeqProgress& known, uint64_t epoch, uint64_t seq) {
  if (known.epoch != 0 && epoch < known.epoch) return {SeqAction::kStaleEpoch, 0};
  if (known.epoch == 0 || epoch > known.epoch) {
    // First event of a new epoch: everything before it belongs to older epochs.
    if (seq == 1) return {SeqAction::kApply, 1};
    return {SeqAction::kGap, 1};
  }
  const uint64_t expected = known.last_seq + 1;
  if (seq < expected) return {SeqAction::kDuplicate, expected};
  if (seq == expected) return {SeqAction::kApply, expected};
  return {SeqAction::kGap, expected};
}

SeqProgress Advance(const SeqProgress& known, uint64_t epoch, uint64_t seq) {
  return SeqProgress{epoch, seq};
}

const char* SeqActionName(SeqAction action) {
  switch (action) {
    case SeqAction::kApply: return "apply";
    case SeqAction::kDuplicate: return "duplicate";
    case SeqAction::kGap: return "gap";
    case SeqAction::kStaleEpoch: return "stale_epoch";
  }
  return "?";
}

}  // namespace gradcap
