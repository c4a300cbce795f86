// The delivery order every booth's applied events must show in the log: seq
// 1, 2, 3 … within an epoch, and epochs only grow (a reset outbox starts a
// larger one at seq 1). Shared by `audit verify` and `audit replay`.
#pragma once

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

class BoothOrder {
 public:
  // Takes the next applied event (at `log_seq`); empty when it continues its
  // booth's order, else what breaks it.
  std::string Next(const v1::EventId& id, uint64_t log_seq) {
    v1::BoothProgress& p = booths_[id.booth()];
    if (p.epoch() == 0 || id.epoch() > p.epoch()) {
      if (id.seq() != 1) {
        return absl::StrCat("booth ", id.booth(), " epoch ", id.epoch(), " starts at seq ", id.seq(),
                            " instead of 1");
      }
    } else if (id.epoch() < p.epoch()) {
      return absl::StrCat("booth ", id.booth(), " goes back from epoch ", p.epoch(), " to ", id.epoch());
    } else if (id.seq() != p.last_seq() + 1) {
      return absl::StrCat("booth ", id.booth(), " epoch ", id.epoch(), " jumps from seq ", p.last_seq(),
                          " to ", id.seq(),
                          id.seq() <= p.last_seq() ? " (applied twice)" : " (missing events)");
    }
    p.set_epoch(id.epoch());
    p.set_last_seq(id.seq());
    p.set_last_log_seq(log_seq);
    return "";
  }

  // Each booth's progress so far (epoch, last seq, the record of its last event).
  const absl::flat_hash_map<std::string, v1::BoothProgress>& booths() const { return booths_; }

 private:
  absl::flat_hash_map<std::string, v1::BoothProgress> booths_;
};

}  // namespace gradcap
