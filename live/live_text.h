// A coordinator's live state as plain text for a terminal (`gradcap watch`):
// every booth with its queue and last photos, the open alerts, every
// college's head count. Masked names only.
#pragma once

#include <string>

#include "live/live_feed.h"
#include "live/live_state.h"

namespace gradcap {

struct LiveTextOptions {
  std::string endpoint;
  int queue_shown = 8;  // shooting numbers listed per booth
};

std::string FormatLiveText(const LiveState& state, LinkState link, const LiveTextOptions& options);

}  // namespace gradcap
