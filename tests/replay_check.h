// Test helper for drills: `gradcap audit replay` on a drill's database, up to
// the record the running coordinator stood at when the drill asked it for
// its state (DrillReport.live), must find no difference and answer exactly
// what the coordinator answered — every student, every booth, the status.
#pragma once

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "proto/gradcap.pb.h"
#include "tests/process.h"

namespace gradcap::testing {

inline v1::ReplayReport ReplayDrillDatabase(const std::string& db, uint64_t until, bool face_alerts,
                                            std::string* raw = nullptr) {
  std::string out;
  std::vector<std::string> args = {GRADCAP_BIN, "audit",  "replay",  "--db",
                                   db,          "--json", "--until", std::to_string(until)};
  if (face_alerts) args.push_back("--face_alerts");
  EXPECT_EQ(RunCommand(args, &out, 120000), 0) << out.substr(0, 4000);
  v1::ReplayReport report;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(out, &report).ok()) << out.substr(0, 2000);
  if (raw != nullptr) *raw = out;
  return report;
}

inline void ExpectReplayEqualsLive(const v1::DrillReport& drill, const std::string& db,
                                   bool face_alerts = false) {
  using google::protobuf::util::MessageDifferencer;
  ASSERT_TRUE(drill.has_live()) << "the drill could not ask the coordinator for its state";
  const v1::DrillLive& live = drill.live();
  const v1::ReplayReport r = ReplayDrillDatabase(db, live.status().log_head(), face_alerts);
  EXPECT_TRUE(r.ok()) << r.DebugString().substr(0, 4000);
  EXPECT_TRUE(MessageDifferencer::Equals(r.status(), live.status())) << "replayed:\n"
                                                                     << r.status().DebugString() << "live:\n"
                                                                     << live.status().DebugString();
  std::map<std::string, const v1::BoothReport*> replayed_booths;
  for (const v1::BoothReport& b : r.booths()) replayed_booths[b.state().booth()] = &b;
  for (v1::BoothReport b : live.booths()) {
    b.set_last_heard_ago_ms(-1);  // the one thing only a running coordinator knows
    auto it = replayed_booths.find(b.state().booth());
    if (it == replayed_booths.end()) {
      EXPECT_EQ(b.committed_seq(), 0u) << b.DebugString();  // a booth that sent nothing
      continue;
    }
    EXPECT_TRUE(MessageDifferencer::Equals(*it->second, b)) << "replayed:\n"
                                                            << it->second->DebugString() << "live:\n"
                                                            << b.DebugString();
  }
  std::map<std::string, const v1::StudentReport*> replayed_students;
  for (const v1::StudentReport& s : r.students()) replayed_students[s.student_no()] = &s;
  ASSERT_EQ(r.students_size(), live.students_size());
  for (const v1::StudentReport& s : live.students()) {
    ASSERT_TRUE(replayed_students.count(s.student_no())) << s.student_no();
    EXPECT_TRUE(MessageDifferencer::Equals(*replayed_students[s.student_no()], s))
        << "replayed:\n"
        << replayed_students[s.student_no()]->DebugString() << "live:\n"
        << s.DebugString();
  }
}

}  // namespace gradcap::testing
