// Test helper: one morning of the sample roster (deploy/sample) written by a
// DayBuilder, with every kind of record the audit tools must tell about:
//
//   B1 (信息工程学院, signs first)
//     S2021001 #1 signs, photo A passes
//     S2021002 #2 signs, photo B fails (clothing_pattern), retake C passes
//     S2021003 #3 scanned twice (duplicate_scan), signs, a photo naming #4 is
//              refused (shooting_no_mismatch), photo D fails (exposure): retake needed
//     S2021008 unpaid: refused
//     S2021004 #4 absent ("went to the clinic")
//     S2021005 #5 still waiting when the college closes (with an override)
//   B2 (经济管理学院)
//     S2022031 #1 photo E, no verdict yet
//     a payment QR (unknown_code), a photo with nobody waiting
//   信息工程学院 closed with override (signed checkpoint), then a day-end checkpoint.
#pragma once

#include <map>
#include <string>

#include "audit/day_builder_for_tests.h"
#include "audit/test_photos_for_tests.h"

namespace gradcap::testing {

struct SampleDay {
  std::map<std::string, std::string> photos;  // "A" … "E" → JPEG bytes
  std::map<std::string, uint64_t> at;         // what happened → its record
};

inline SampleDay PlaySampleDay(DayBuilder& day) {
  SampleDay s;
  for (const char* name : {"A", "B", "C", "D", "E"}) s.photos[name] = TestJpeg(40 * (name[0] - 'A'));
  day.Scan("B1", "S2021001");
  day.Sign("B1");
  s.at["photo S2021001"] = day.Photo("B1", s.photos["A"]).log_seq;
  day.Verdict(s.at["photo S2021001"], v1::VERDICT_PASS);
  s.at["scan S2021002"] = day.Scan("B1", "S2021002").log_seq;
  day.Sign("B1");
  s.at["photo S2021002"] = day.Photo("B1", s.photos["B"]).log_seq;
  day.Verdict(s.at["photo S2021002"], v1::VERDICT_FAIL, {"clothing_pattern"});
  s.at["retake S2021002"] = day.Retake("B1", s.photos["C"]).log_seq;
  s.at["verdict S2021002"] = day.Verdict(s.at["retake S2021002"], v1::VERDICT_PASS);
  day.Scan("B1", "S2021003");
  s.at["duplicate S2021003"] = day.Scan("B1", "S2021003").log_seq;
  day.Sign("B1");
  s.at["mismatch S2021003"] = day.Photo("B1", s.photos["D"], 4).log_seq;
  s.at["photo S2021003"] = day.Photo("B1", s.photos["D"]).log_seq;
  day.Verdict(s.at["photo S2021003"], v1::VERDICT_FAIL, {"exposure"});
  s.at["unpaid S2021008"] = day.Scan("B1", "S2021008").log_seq;
  day.Scan("B1", "S2021004");
  s.at["absent S2021004"] = day.Absent("B1", "went to the clinic").log_seq;
  day.Scan("B1", "S2021005");
  day.Scan("B2", "S2022031");
  s.at["photo S2022031"] = day.Photo("B2", s.photos["E"]).log_seq;
  day.ScanPayload("B2", "https://qr.alipay.com/fkx12345");
  day.Photo("B2", s.photos["A"]);  // nobody waiting at B2
  day.Advance(60'000);
  v1::AdminReply closed = day.Close("信息工程学院", "S2021005 left for an exam");
  s.at["close"] = closed.checkpoint().log_seq();
  s.at["close checkpoint"] = closed.checkpoint().log_seq() + 1;
  v1::AdminRequest end;
  end.mutable_checkpoint();
  s.at["day end checkpoint"] = day.Admin(end).checkpoint().log_seq() + 1;
  return s;
}

}  // namespace gradcap::testing
