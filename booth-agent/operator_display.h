// The operator's terminal screen: booth and colleges, link state, outbox
// depth, the queue as the coordinator sees it, the next number in large type,
// the last verdict in Chinese and English, and recent messages.
#pragma once

#include <string>

#include "booth-agent/booth_agent.h"

namespace gradcap {

// The whole screen as text (no terminal control codes; the caller clears).
std::string RenderBoothView(const BoothView& view);

// A number in 5-line block digits.
std::string LargeNumber(uint32_t n);

}  // namespace gradcap
