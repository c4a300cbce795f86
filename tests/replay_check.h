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

#include "common/csv.h"
#include "common/file_util.h"
#include "common/sha256.h"
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

// `gradcap export` of a drill's database holds exactly its passing students,
// each file with the digest the drill reported, and the 补拍 lists exactly
// the others; `gradcap report` counts what the drill's head counts count.
inline void ExpectExportAndReportMatchDrill(const v1::DrillReport& drill, const std::string& db,
                                            const std::string& work) {
  std::string out;
  ASSERT_EQ(RunCommand({GRADCAP_BIN, "export", "--db", db, "--out", work + "/upload"}, &out, 120000), 0) << out;
  ASSERT_EQ(RunCommand({GRADCAP_BIN, "report", "--db", db, "--out", work + "/report"}, &out, 120000), 0) << out;
  auto rows = [](const std::string& path) {
    std::map<std::string, std::vector<std::string>> by_student;
    absl::StatusOr<CsvTable> t = ReadCsvFile(path);
    EXPECT_TRUE(t.ok()) << path << ": " << t.status();
    if (t.ok()) {
      for (const CsvRow& r : t->rows) by_student[r.fields[0]] = r.fields;
    }
    return by_student;
  };
  std::map<std::string, std::map<std::string, std::vector<std::string>>> manifest, absent, retake;
  for (const v1::Reconciliation& c : drill.reconciliation()) {
    const std::string folder = work + "/upload/" + c.college();
    manifest[c.college()] = rows(folder + "/manifest.csv");
    absent[c.college()] = rows(folder + "/absent.csv");
    retake[c.college()] = rows(folder + "/retake-needed.csv");
  }
  size_t exported = 0, listed = 0;
  for (const v1::DrillStudent& s : drill.students()) {
    const bool photographed = s.status() == "photographed";
    // A failed photo the operator let through (/ok) is exported like a passing one.
    const bool passed = photographed && (s.verdict() == "pass" || s.overridden());
    EXPECT_EQ(manifest[s.college()].count(s.student_no()), passed ? 1u : 0u) << s.student_no();
    EXPECT_EQ(retake[s.college()].count(s.student_no()), photographed && !passed ? 1u : 0u) << s.student_no();
    EXPECT_EQ(absent[s.college()].count(s.student_no()), photographed ? 0u : 1u) << s.student_no();
    if (!photographed) {
      const std::string expected = s.status() == "not_scanned" ? "not_seen" : s.status();
      EXPECT_EQ(absent[s.college()][s.student_no()][2], expected) << s.student_no();
      ++listed;
    }
    if (passed) {
      const auto& row = manifest[s.college()][s.student_no()];
      EXPECT_EQ(row[4], s.photo_sha256()) << s.student_no() << ": the capture's digest";
      const std::string file = ReadWholeFile(work + "/upload/" + s.college() + "/" + row[2]).value_or("");
      EXPECT_EQ(ToHex(Sha256(file)), row[3]) << s.student_no() << ": the exported file's digest";
      EXPECT_EQ(row[3], s.photo_sha256()) << s.student_no() << ": a 480 × 640 capture is exported byte for byte";
      EXPECT_EQ(row[5], s.overridden() ? "passed_by_operator" : "pass") << s.student_no();
      ++exported;
    }
  }
  size_t in_manifests = 0, in_absent = 0;
  for (const auto& [college, m] : manifest) in_manifests += m.size();
  for (const auto& [college, a] : absent) in_absent += a.size();
  EXPECT_EQ(in_manifests, exported);
  EXPECT_EQ(in_absent, listed);

  const auto reconciliation = rows(work + "/report/reconciliation.csv");
  ASSERT_EQ(reconciliation.size(), static_cast<size_t>(drill.reconciliation_size()));
  for (const v1::Reconciliation& c : drill.reconciliation()) {
    const std::vector<std::string>& row = reconciliation.at(c.college());
    const std::vector<uint32_t> counted = {c.roster(), c.paid(), c.scanned(), c.photographed(), c.passed(),
                                           c.passed_by_operator(), c.failed_pending_retake(), c.verdict_pending(), c.absent(), c.waiting(),
                                           c.not_scanned()};
    for (size_t i = 0; i < counted.size(); ++i) EXPECT_EQ(row[i + 1], std::to_string(counted[i])) << c.college() << " column " << i + 1;
    EXPECT_EQ(row[12], c.closed() ? "yes" : "no") << c.college();
  }
}

}  // namespace gradcap::testing
