// Framing rules shared by every process: one Envelope per frame, protocol
// version 1, bounded size. Parsing never throws; a frame that cannot be taken
// yields a WireError with a fixed code the peer can act on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/booth_id.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

inline constexpr uint32_t kProtocolVersion = 1;
// Largest envelope the application accepts (a 24-megapixel JPEG fits).
inline constexpr size_t kMaxEnvelopeBytes = 24u << 20;

struct WireError {
  v1::ErrorCode code = v1::ERROR_NONE;
  std::string detail;  // what is wrong and where, for logs and operators
};

struct ParsedEnvelope {
  std::optional<v1::Envelope> envelope;  // set when the frame is acceptable
  std::optional<WireError> error;        // set otherwise
};

// Parses and checks size, version and that the message type is known.
ParsedEnvelope ParseEnvelope(std::string_view frame, size_t max_bytes = kMaxEnvelopeBytes);

// Checks the fields every booth event must carry: a booth id (1–64 printable
// bytes), epoch ≥ 1, seq ≥ 1 and a known body. nullopt when it is well formed.
std::optional<WireError> CheckBoothEvent(const v1::BoothEvent& event);

// Serialises with the current version stamped in.
std::string SerializeEnvelope(v1::Envelope& envelope);

std::string DescribeEventId(const v1::EventId& id);

}  // namespace gradcap
