#include "common/envelope.h"

#include <google/protobuf/stubs/logging.h>

#include "common/booth_id.h"

#include "absl/strings/str_cat.h"

namespace gradcap {
namespace {

ParsedEnvelope Fail(v1::ErrorCode code, std::string detail) {
  ParsedEnvelope p;
  p.error = WireError{code, std::move(detail)};
  return p;
}

}  // namespace

ParsedEnvelope ParseEnvelope(std::string_view frame, size_t max_bytes) {
  if (frame.size() > max_bytes) {
    return Fail(v1::ERROR_OVERSIZED, absl::StrCat("message of ", frame.size(),
                                                     " bytes exceeds the limit of ", max_bytes));
  }
  if (frame.empty()) return Fail(v1::ERROR_MALFORMED, "empty message");
  v1::Envelope envelope;
  // protobuf logs a line for every string field that is not UTF-8 before it
  // refuses the message: a flood of such frames would fill the log with
  // them. The refusal itself says what is wrong.
  const google::protobuf::LogSilencer quiet;
  if (!envelope.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    return Fail(v1::ERROR_MALFORMED,
                absl::StrCat("message of ", frame.size(), " bytes is not a gradcap Envelope"));
  }
  if (envelope.version() == 0 && envelope.msg_case() == v1::Envelope::MSG_NOT_SET) {
    return Fail(v1::ERROR_MALFORMED,
                "message parses but carries neither a version nor a message: not a gradcap Envelope");
  }
  if (envelope.version() != kProtocolVersion) {
    return Fail(v1::ERROR_WRONG_VERSION,
                absl::StrCat("protocol version ", envelope.version(), " is not supported; this peer speaks ",
                             kProtocolVersion));
  }
  if (envelope.msg_case() == v1::Envelope::MSG_NOT_SET) {
    return Fail(v1::ERROR_UNKNOWN_MESSAGE,
                "envelope holds no message type this peer knows (newer client?)");
  }
  ParsedEnvelope ok;
  ok.envelope = std::move(envelope);
  return ok;
}

std::optional<WireError> CheckBoothEvent(const v1::BoothEvent& event) {
  const v1::EventId& id = event.id();
  if (absl::Status booth = CheckBoothId(id.booth()); !booth.ok()) {
    return WireError{v1::ERROR_MALFORMED, std::string(booth.message())};
  }
  if (id.epoch() == 0) {
    return WireError{v1::ERROR_INVALID_SEQ, absl::StrCat(DescribeEventId(id), ": epoch must be ≥ 1")};
  }
  if (id.seq() == 0) {
    return WireError{v1::ERROR_INVALID_SEQ, absl::StrCat(DescribeEventId(id), ": seq must be ≥ 1")};
  }
  if (event.body_case() == v1::BoothEvent::BODY_NOT_SET) {
    return WireError{v1::ERROR_UNKNOWN_MESSAGE,
                     absl::StrCat(DescribeEventId(id), ": event body is missing or of an unknown type")};
  }
  return std::nullopt;
}

std::string SerializeEnvelope(v1::Envelope& envelope) {
  envelope.set_version(kProtocolVersion);
  return envelope.SerializeAsString();
}

std::string DescribeEventId(const v1::EventId& id) {
  return absl::StrCat("booth ", id.booth(), " epoch ", id.epoch(), " seq ", id.seq());
}

}  // namespace gradcap
