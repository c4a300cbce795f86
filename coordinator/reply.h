// A reply the coordinator owes a booth, held until the group commit that
// makes its answer durable is on disk (nothing is acked before that).
#pragma once

#include <optional>
#include <string>

#include "coordinator/event_applier.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

struct Reply {
  std::string routing_id;  // the booth connection (ROUTER routing id)
  v1::Envelope envelope;
  bool lookup_ack = false;            // a duplicate: fill in the stored ack once committed
  std::optional<PendingPhoto> photo;  // an accepted photo: to the validators once committed
};

}  // namespace gradcap
