#include "common/envelope.h"

#include <gtest/gtest.h>

namespace gradcap {
namespace {

v1::Envelope ScanEnvelope() {
  v1::Envelope e;
  v1::BoothEvent* event = e.mutable_event();
  event->mutable_id()->set_booth("B1");
  event->mutable_id()->set_epoch(7);
  event->mutable_id()->set_seq(1);
  event->mutable_scan()->set_payload("code");
  return e;
}

TEST(Envelope, RoundTripsWithVersionStamped) {
  v1::Envelope e = ScanEnvelope();
  ParsedEnvelope p = ParseEnvelope(SerializeEnvelope(e));
  ASSERT_TRUE(p.envelope.has_value());
  EXPECT_EQ(p.envelope->version(), kProtocolVersion);
  EXPECT_EQ(p.envelope->event().scan().payload(), "code");
}

TEST(Envelope, GarbageIsMalformed) {
  ParsedEnvelope p = ParseEnvelope(std::string("\xff\xff\xff\xff garbage", 13));
  ASSERT_TRUE(p.error.has_value());
  EXPECT_EQ(p.error->code, v1::ERROR_MALFORMED);
}

TEST(Envelope, EmptyFrameIsMalformed) {
  ParsedEnvelope p = ParseEnvelope("");
  ASSERT_TRUE(p.error.has_value());
  EXPECT_EQ(p.error->code, v1::ERROR_MALFORMED);
}

TEST(Envelope, OversizedFrameIsRefusedBeforeParsing) {
  ParsedEnvelope p = ParseEnvelope(std::string(2000, 'x'), 1000);
  ASSERT_TRUE(p.error.has_value());
  EXPECT_EQ(p.error->code, v1::ERROR_OVERSIZED);
  EXPECT_NE(p.error->detail.find("2000"), std::string::npos);
}

TEST(Envelope, OtherVersionIsRefused) {
  v1::Envelope e = ScanEnvelope();
  e.set_version(2);
  ParsedEnvelope p = ParseEnvelope(e.SerializeAsString());
  ASSERT_TRUE(p.error.has_value());
  EXPECT_EQ(p.error->code, v1::ERROR_WRONG_VERSION);
}

TEST(Envelope, UnknownMessageTypeIsRefused) {
  // Version 1 plus a field number this schema does not define (a newer peer).
  std::string frame;
  frame += '\x08';
  frame += '\x01';
  frame += static_cast<char>((99 << 3) | 2);  // field 99, length-delimited
  frame += '\x00';
  ParsedEnvelope p = ParseEnvelope(frame);
  ASSERT_TRUE(p.error.has_value());
  EXPECT_EQ(p.error->code, v1::ERROR_UNKNOWN_MESSAGE);
}

TEST(BoothEventCheck, RequiresBoothEpochSeqAndBody) {
  v1::BoothEvent ok = ScanEnvelope().event();
  EXPECT_FALSE(CheckBoothEvent(ok).has_value());

  v1::BoothEvent no_booth = ok;
  no_booth.mutable_id()->clear_booth();
  EXPECT_EQ(CheckBoothEvent(no_booth)->code, v1::ERROR_MALFORMED);

  v1::BoothEvent zero_seq = ok;
  zero_seq.mutable_id()->set_seq(0);
  EXPECT_EQ(CheckBoothEvent(zero_seq)->code, v1::ERROR_INVALID_SEQ);

  v1::BoothEvent zero_epoch = ok;
  zero_epoch.mutable_id()->set_epoch(0);
  EXPECT_EQ(CheckBoothEvent(zero_epoch)->code, v1::ERROR_INVALID_SEQ);

  v1::BoothEvent no_body = ok;
  no_body.clear_scan();
  EXPECT_EQ(CheckBoothEvent(no_body)->code, v1::ERROR_UNKNOWN_MESSAGE);

  v1::BoothEvent spaced = ok;
  spaced.mutable_id()->set_booth("B 1");
  EXPECT_EQ(CheckBoothEvent(spaced)->code, v1::ERROR_MALFORMED);

  v1::BoothEvent long_id = ok;
  long_id.mutable_id()->set_booth(std::string(65, 'B'));
  EXPECT_EQ(CheckBoothEvent(long_id)->code, v1::ERROR_MALFORMED);
}

// Found by fuzz/envelope_fuzzer: protobuf printed an error line for each
// such frame, so a flood of them filled the coordinator's log.
TEST(Envelope, TextThatIsNotUtf8IsMalformedAndLogsNothing) {
  v1::Envelope e;
  e.mutable_heartbeat()->set_booth("B1");
  std::string frame = SerializeEnvelope(e);
  const size_t at = frame.find("B1");
  ASSERT_NE(at, std::string::npos);
  frame[at] = '\xff';
  ::testing::internal::CaptureStderr();
  ParsedEnvelope parsed = ParseEnvelope(frame);
  const std::string logged = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(parsed.error.has_value());
  EXPECT_EQ(parsed.error->code, v1::ERROR_MALFORMED);
  EXPECT_EQ(logged, "");
}

}  // namespace
}  // namespace gradcap
