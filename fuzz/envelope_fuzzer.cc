// libFuzzer: any bytes a peer can send as a frame. ParseEnvelope must never
// crash, and what it accepts must hold its promises: a known message type
// of the current version that serialises back and parses the same.
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "common/envelope.h"

// ParseEnvelope must refuse quietly: a line per bad frame is a way to fill
// the disk (found by this fuzzer; now a test in common/envelope_test.cc).
static void TrapOnProtobufLog(google::protobuf::LogLevel level, const char*, int,
                              const std::string& message) {
  if (level < google::protobuf::LOGLEVEL_WARNING) return;
  std::fprintf(stderr, "protobuf: %s\n", message.c_str());
  __builtin_trap();
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(&TrapOnProtobufLog);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gradcap;
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  ParsedEnvelope parsed = ParseEnvelope(frame, 64 * 1024);
  if (parsed.envelope.has_value() == parsed.error.has_value()) __builtin_trap();  // exactly one of them
  if (parsed.error.has_value()) {
    if (parsed.error->code == v1::ERROR_NONE || parsed.error->detail.empty()) __builtin_trap();
    return 0;
  }
  v1::Envelope& envelope = *parsed.envelope;
  if (envelope.version() != kProtocolVersion || envelope.msg_case() == v1::Envelope::MSG_NOT_SET)
    __builtin_trap();
  if (envelope.has_event()) {
    std::optional<WireError> bad = CheckBoothEvent(envelope.event());
    if (bad.has_value() && bad->code == v1::ERROR_NONE) __builtin_trap();
    if (!bad.has_value()) (void)DescribeEventId(envelope.event().id());
  }
  const std::string again = SerializeEnvelope(envelope);
  ParsedEnvelope reparsed = ParseEnvelope(again, again.size());
  if (!reparsed.envelope.has_value() || reparsed.envelope->msg_case() != envelope.msg_case())
    __builtin_trap();
  return 0;
}
