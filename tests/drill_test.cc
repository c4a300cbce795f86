// `gradcap drill` end to end: the drill files in tests/drills/ run real
// coordinator and booth-agent processes on loopback, and the report must show
// each refusal at the step that caused it, the alerts, every student's
// outcome, the head counts and a passing audit. Bad drill files are refused
// with the step index before anything starts.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/temp_dir.h"
#include "proto/gradcap.pb.h"
#include "tests/process.h"
#include "tests/replay_check.h"

namespace gradcap {
namespace {

namespace v1 = ::gradcap::v1;

// Runs a drill; `db` (optional) keeps its database there for the audit tools.
v1::DrillReport RunDrillFile(const std::string& file, std::string* raw = nullptr,
                             const std::string& db = "") {
  std::string out;
  std::vector<std::string> args = {GRADCAP_BIN, "drill", file, "--json"};
  if (!db.empty()) args.insert(args.end(), {"--db", db});
  const int status = testing::RunCommand(args, &out, 300000);
  EXPECT_EQ(status, 0) << out;
  v1::DrillReport report;
  // The JSON is the last line; the booths and coordinator log elsewhere.
  const std::string json = out.substr(out.rfind("\n{") == std::string::npos ? 0 : out.rfind("\n{") + 1);
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &report).ok()) << out;
  if (raw != nullptr) *raw = out;
  return report;
}

std::map<int, std::string> RefusalsByStep(const v1::DrillReport& r) {
  std::map<int, std::string> out;
  for (const auto& f : r.refusals()) out[f.step()] = f.reason();
  return out;
}

const v1::DrillStudent* Student(const v1::DrillReport& r, const std::string& no) {
  for (const auto& s : r.students()) {
    if (s.student_no() == no) return &s;
  }
  return nullptr;
}

TEST(Drill, EveryRefusalAndAlertShowsAtItsStep) {
  TempDir db;
  v1::DrillReport r = RunDrillFile(std::string(DRILLS_DIR) + "/reasons.json", nullptr, db.Sub("db"));
  ASSERT_TRUE(r.ran());
  const std::map<int, std::string> expected = {
      {2, "not_a_collection_code"}, {3, "forged_code"},       {4, "unknown_code"},
      {5, "duplicate_scan"},        {6, "duplicate_scan"},    {7, "unpaid"},
      {8, "wrong_booth"},           {9, "outside_schedule"},  {10, "not_signed"},
      {12, "shooting_no_mismatch"}, {15, "already_photographed"}, {16, "photo_without_scan"},
      {17, "reason_required"},      {31, "close_refused"},
  };
  EXPECT_EQ(RefusalsByStep(r), expected);
  std::map<int, std::string> alerts;
  for (const auto& a : r.alerts()) alerts[a.step()] = a.kind();
  EXPECT_EQ(alerts[5], "duplicate_scan");
  EXPECT_EQ(alerts[6], "duplicate_scan");
  EXPECT_EQ(alerts[12], "shooting_no_mismatch");
  EXPECT_EQ(alerts[15], "already_photographed");
  EXPECT_EQ(alerts[30], "scan_burst");  // four codes in a row at B1, nobody photographed
  EXPECT_EQ(alerts.size(), 5u);

  const v1::DrillStudent* s1 = Student(r, "S2021001");
  ASSERT_NE(s1, nullptr);
  EXPECT_EQ(s1->status(), "photographed");
  EXPECT_EQ(s1->shooting_no(), 1u);
  EXPECT_EQ(s1->photo_versions(), 2u);  // photo, then the retake replaced it
  // The drill's stand-in pictures have no face: the validators say so.
  EXPECT_EQ(s1->verdict(), "fail");
  EXPECT_NE(std::find(s1->failed_checks().begin(), s1->failed_checks().end(), "single_face"),
            s1->failed_checks().end());
  EXPECT_EQ(Student(r, "S2021002")->status(), "absent");
  // Scanned while the coordinator was down, delivered after it came back.
  EXPECT_EQ(Student(r, "S2022031")->status(), "photographed");
  // Scanned while its booth was offline, delivered when it came back.
  EXPECT_EQ(Student(r, "S2022032")->status(), "waiting");
  EXPECT_EQ(Student(r, "S2021004")->status(), "not_scanned");
  ASSERT_EQ(r.reconciliation_size(), 2);
  for (const auto& c : r.reconciliation()) {
    EXPECT_TRUE(c.closed()) << c.college();
    EXPECT_TRUE(c.override_used());
    EXPECT_EQ(c.waiting(), c.college() == "经济管理学院" ? 1u : 4u);
  }
  EXPECT_TRUE(r.audit().ok()) << r.audit().problem();
  testing::ExpectReplayEqualsLive(r, db.Sub("db"));
  testing::ExpectExportAndReportMatchDrill(r, db.Sub("db"), db.path());
}

TEST(Drill, AWholeDayOfTwoCollegesWithRetakesAbsenteesAndCrashesAddsUp) {
  // 60 students on 2 booths; B2 is SIGKILLed after student 11 and the
  // coordinator after student 21, both restarted.
  TempDir db;
  v1::DrillReport r = RunDrillFile(std::string(DRILLS_DIR) + "/whole_college.json", nullptr, db.Sub("db"));
  ASSERT_TRUE(r.ran());
  std::map<std::string, int> by_status;
  for (const auto& s : r.students()) by_status[s.status()]++;
  EXPECT_EQ(by_status["photographed"], 54);
  EXPECT_EQ(by_status["absent"], 4);
  EXPECT_EQ(by_status["not_scanned"], 2);  // the two who have not paid
  EXPECT_EQ(by_status["waiting"], 0);
  for (const char* no : {"S2021006", "S2021018", "S2022036", "S2022048"}) {
    EXPECT_EQ(Student(r, no)->status(), "absent") << no;
  }
  EXPECT_EQ(RefusalsByStep(r).size(), 2u);
  for (const auto& f : r.refusals()) EXPECT_EQ(f.reason(), "unpaid");
  EXPECT_EQ(r.alerts_size(), 0);
  // Photos: student k (0-based in its college) got faces[k % 4]; k % 7 == 3
  // were retaken with faces[(k + 1) % 4].
  std::map<std::string, std::string> digests;
  for (const auto& s : r.students()) {
    if (s.status() != "photographed") continue;
    const int k = std::stoi(s.student_no().substr(5)) - (s.college() == "信息工程学院" ? 1 : 31);
    EXPECT_EQ(s.photo_versions(), k % 7 == 3 ? 2u : 1u) << s.student_no();
    const int face = k % 7 == 3 ? (k + 1) % 4 : k % 4;
    auto [it, fresh] = digests.emplace(std::to_string(face), s.photo_sha256());
    EXPECT_EQ(it->second, s.photo_sha256()) << s.student_no() << " got another face's photo";
    EXPECT_EQ(s.verdict(), "fail") << s.student_no();  // stand-in pictures without a face
  }
  EXPECT_EQ(digests.size(), 4u);
  ASSERT_EQ(r.reconciliation_size(), 2);
  for (const auto& c : r.reconciliation()) {
    EXPECT_TRUE(c.closed());
    EXPECT_FALSE(c.override_used());
    EXPECT_EQ(c.roster(), c.photographed() + c.absent() + c.waiting() + c.not_scanned()) << c.college();
    EXPECT_EQ(c.scanned(), c.photographed() + c.absent() + c.waiting()) << c.college();
    EXPECT_EQ(c.photographed(), c.passed() + c.failed_pending_retake() + c.verdict_pending()) << c.college();
    EXPECT_EQ(c.verdict_pending(), 0u) << c.college();
  }
  EXPECT_TRUE(r.audit().ok()) << r.audit().problem();
  EXPECT_EQ(r.audit().verdicts(), 60u);  // 54 photos + 6 retakes, each checked once
  EXPECT_EQ(r.audit().checkpoints(), 2u);  // one signed with each close
  testing::ExpectReplayEqualsLive(r, db.Sub("db"));
  testing::ExpectExportAndReportMatchDrill(r, db.Sub("db"), db.path());
}

// Payments arriving mid-day, head counts asked while booths scan and a close
// with an override — all through the admin socket, the coordinator never
// stopped.
TEST(Drill, ADayWithALatePaymentHeadCountsAndACloseRunsWithoutStoppingTheCoordinator) {
  TempDir db;
  v1::DrillReport r = RunDrillFile(std::string(DRILLS_DIR) + "/day_without_stop.json", nullptr, db.Sub("db"));
  ASSERT_TRUE(r.ran());
  EXPECT_EQ(r.coordinator_starts(), 1u);
  const std::map<int, std::string> refusals = {{3, "unpaid"}, {17, "close_refused"}};
  EXPECT_EQ(RefusalsByStep(r), refusals);
  // The late payment let S2021008 through at the next scan.
  EXPECT_EQ(Student(r, "S2021008")->status(), "photographed");
  EXPECT_EQ(Student(r, "S2021008")->shooting_no(), 2u);
  ASSERT_EQ(r.head_counts_size(), 3);
  EXPECT_EQ(r.head_counts(0).step(), 6);
  EXPECT_EQ(r.head_counts(0).head_count().photographed(), 1u);
  EXPECT_EQ(r.head_counts(0).head_count().paid(), 29u);
  EXPECT_EQ(r.head_counts(0).head_count().refused_scans().at("unpaid"), 1u);
  EXPECT_EQ(r.head_counts(1).head_count().paid(), 30u);
  EXPECT_EQ(r.head_counts(1).head_count().photographed(), 2u);
  EXPECT_EQ(r.head_counts(1).head_count().waiting(), 2u);
  EXPECT_EQ(r.head_counts(2).head_count().photographed(), 2u);
  for (const auto& c : r.reconciliation()) {
    if (c.college() != "信息工程学院") continue;
    EXPECT_TRUE(c.closed());
    EXPECT_TRUE(c.override_used());
    EXPECT_EQ(c.waiting(), 1u);
    EXPECT_EQ(c.photographed(), 3u);
  }
  EXPECT_TRUE(r.audit().ok()) << r.audit().problem();
  EXPECT_EQ(r.audit().admin(), 6u);  // three imports and the key before the day, the late payment, the close
  testing::ExpectReplayEqualsLive(r, db.Sub("db"));
}

// Two coordinator shards from one shard map, one college each, with the
// whole university's files imported on both: a student scanned at the other
// shard's booth is refused as wrong_shard naming the shard, shard 1's
// coordinator SIGKILLed and restarted while shard 0 goes on, one of the two
// validators (each serving both shards) killed mid-day — and every photo of
// both shards still gets its verdict, each log passes its audit.
TEST(Drill, TwoShardsRefuseEachOthersStudentsAndShareTheirValidators) {
  TempDir db;
  v1::DrillReport r = RunDrillFile(std::string(DRILLS_DIR) + "/two_shards.json", nullptr, db.Sub("db"));
  ASSERT_TRUE(r.ran());
  EXPECT_EQ(r.coordinator_starts(), 3u);  // two shards, one restarted
  const std::map<int, std::string> refusals = {{5, "wrong_shard"}, {6, "wrong_shard"}};
  EXPECT_EQ(RefusalsByStep(r), refusals);
  for (const auto& f : r.refusals()) {
    const std::string other = f.step() == 5 ? "issued by shard 1" : "issued by shard 0";
    EXPECT_NE(f.detail().find(other), std::string::npos) << f.step() << ": " << f.detail();
  }
  EXPECT_EQ(r.students_size(), 60);  // each student once, from their own shard
  const std::map<std::string, std::pair<std::string, uint32_t>> photographed = {
      {"S2021001", {"B1", 1}}, {"S2021002", {"B1", 2}}, {"S2021008", {"B1", 3}},
      {"S2022031", {"B2", 1}}, {"S2022033", {"B2", 2}}, {"S2022034", {"B2", 3}}};
  for (const auto& [no, at] : photographed) {
    const v1::DrillStudent* s = Student(r, no);
    ASSERT_NE(s, nullptr) << no;
    EXPECT_EQ(s->status(), "photographed") << no;
    EXPECT_EQ(s->booth(), at.first) << no;
    EXPECT_EQ(s->shooting_no(), at.second) << no;
    EXPECT_NE(s->verdict(), "pending") << no << ": a validator serving both shards checks every photo";
  }
  EXPECT_EQ(Student(r, "S2022032")->status(), "not_scanned");
  ASSERT_EQ(r.head_counts_size(), 2);
  EXPECT_EQ(r.head_counts(0).head_count().college(), "信息工程学院");
  EXPECT_EQ(r.head_counts(0).head_count().photographed(), 3u);
  EXPECT_EQ(r.head_counts(0).head_count().paid(), 30u);  // the late payment reached shard 0
  EXPECT_EQ(r.head_counts(1).head_count().college(), "经济管理学院");
  EXPECT_EQ(r.head_counts(1).head_count().photographed(), 3u);
  EXPECT_EQ(r.head_counts(1).head_count().roster(), 30u);
  EXPECT_EQ(r.reconciliation_size(), 2);
  EXPECT_TRUE(r.audit().ok()) << r.audit().problem();
  EXPECT_EQ(r.audit().verdicts(), 6u);
  for (const char* shard : {"shard-0", "shard-1"}) {
    std::string out;
    EXPECT_EQ(testing::RunCommand({GRADCAP_BIN, "audit", "verify", "--db", db.Sub("db") + "/" + shard}, &out), 0)
        << shard << ": " << out;
  }
}

// A booth taken offline and then SIGKILLed while the floor goes on: steps
// made offline are in its outbox before the next is played, the camera's
// shot and a phone's code that land while the agent is down are taken in the
// order they were made when it starts again (the photo held for the
// operator, who keeps it), and a command typed into the dead agent is refused
// at its step. Three runs give the same bindings.
TEST(Drill, ABoothOfflineThenKilledGivesTheSameBindingsEveryRun) {
  std::string first;
  for (int run = 0; run < 3; ++run) {
    v1::DrillReport r = RunDrillFile(std::string(DRILLS_DIR) + "/offline_then_killed.json");
    ASSERT_TRUE(r.ran());
    const std::map<int, std::string> refusals = {{12, "booth_down"}};
    EXPECT_EQ(RefusalsByStep(r), refusals) << "run " << run;
    std::string bindings;
    for (const char* no : {"S2021001", "S2021002", "S2021003", "S2021004"}) {
      const v1::DrillStudent* s = Student(r, no);
      ASSERT_NE(s, nullptr);
      EXPECT_EQ(s->status(), "photographed") << no << " run " << run;
      bindings += absl::StrCat(no, " #", s->shooting_no(), " ", s->photo_sha256(), " v", s->photo_versions(), "\n");
    }
    EXPECT_EQ(Student(r, "S2021004")->photo_versions(), 2u);
    EXPECT_EQ(Student(r, "S2021001")->photo_sha256(), Student(r, "S2021004")->photo_sha256())
        << "the retake (faces/a.jpg) replaced S2021004's photo, not an earlier student's";
    EXPECT_NE(Student(r, "S2021003")->photo_sha256(), Student(r, "S2021002")->photo_sha256());
    EXPECT_TRUE(r.audit().ok()) << r.audit().problem();
    if (run == 0) first = bindings;
    EXPECT_EQ(bindings, first) << "run " << run << " bound photos differently";
  }
}

// A rehearsal with real photographs from the corpus and two validators, one
// of which is SIGKILLed mid-day: every photo still gets exactly one verdict,
// a good photo passes, and a bad one fails with the check that explains it.
TEST(Drill, ValidatorsCheckEveryPhotoEvenWhenOneIsKilled) {
  TempDir dir;
  namespace fs = std::filesystem;
  const fs::path corpus = PHOTO_CORPUS_DIR;
  const fs::path work = dir.path();
  ASSERT_TRUE(fs::exists(corpus / "pos_franck_01829.jpg")) << "run tests/photos/make-corpus.sh";
  for (const char* f : {"pos_franck_01829.jpg", "pos_franck_04035.jpg", "clothing_pattern_franck_02159_vstripes.jpg",
                        "headwear_audrey_cap.jpg", "exposure_dark_franck_02159.jpg"}) {
    fs::copy_file(corpus / f, work / f);
  }
  for (const char* f : {"roster.csv", "payments.csv", "schedule.csv"}) {
    fs::copy_file(fs::path(SAMPLE_DIR) / f, work / f);
  }
  const std::string drill = R"({
    "roster": "roster.csv", "payments": "payments.csv", "schedule": "schedule.csv",
    "booths": ["B1"], "validators": 2,
    "steps": [
      {"booth": "B1", "scan": "S2021001"}, {"booth": "B1", "sign": true},
      {"booth": "B1", "photo": "pos_franck_01829.jpg"},
      {"booth": "B1", "scan": "S2021002"}, {"booth": "B1", "sign": true},
      {"booth": "B1", "photo": "clothing_pattern_franck_02159_vstripes.jpg"},
      {"kill": "validator"},
      {"booth": "B1", "retake": "pos_franck_04035.jpg"},
      {"booth": "B1", "scan": "S2021003"}, {"booth": "B1", "sign": true},
      {"booth": "B1", "photo": "exposure_dark_franck_02159.jpg"},
      {"booth": "B1", "scan": "S2021004"}, {"booth": "B1", "sign": true},
      {"booth": "B1", "photo": "headwear_audrey_cap.jpg"},
      {"start": "validator"}
    ]})";
  std::ofstream(work / "drill.json") << drill;
  v1::DrillReport r = RunDrillFile((work / "drill.json").string(), nullptr, (work / "db").string());
  ASSERT_TRUE(r.ran());
  auto failed = [&](const char* no) {
    const v1::DrillStudent* s = Student(r, no);
    return std::set<std::string>(s->failed_checks().begin(), s->failed_checks().end());
  };
  EXPECT_EQ(Student(r, "S2021001")->verdict(), "pass") << ::testing::PrintToString(failed("S2021001"));
  // S2021002's striped top failed; the retake (a good photo) replaced it and passed.
  EXPECT_EQ(Student(r, "S2021002")->verdict(), "pass") << ::testing::PrintToString(failed("S2021002"));
  EXPECT_EQ(Student(r, "S2021003")->verdict(), "fail");
  EXPECT_TRUE(failed("S2021003").count("exposure")) << ::testing::PrintToString(failed("S2021003"));
  // A cap is a warning (religious headwear may stay): the operator decides.
  EXPECT_EQ(Student(r, "S2021004")->verdict(), "pass");
  // S2021001–3 were all photographed as the same man: substitution alerts,
  // each about the later photo of its pair (steps 5, 7, 10), never the first
  // (step 2) even when the killed validator held it and its verdict came
  // last; never for S2021004 (a different person).
  int duplicates = 0;
  for (const auto& a : r.alerts()) {
    if (a.kind() != "face_duplicate") continue;
    ++duplicates;
    EXPECT_TRUE(a.step() == 5 || a.step() == 7 || a.step() == 10) << a.step() << " " << a.detail();
    EXPECT_EQ(a.detail().find("尹"), std::string::npos) << a.detail();  // S2021004 is 尹涵
  }
  EXPECT_GE(duplicates, 2);
  EXPECT_TRUE(r.audit().ok()) << r.audit().problem();
  EXPECT_EQ(r.audit().verdicts(), 5u);  // four photos and one retake, once each
  for (const auto& c : r.reconciliation()) {
    if (c.college() != "信息工程学院") continue;
    EXPECT_EQ(c.passed(), 3u);
    EXPECT_EQ(c.failed_pending_retake(), 1u);
    EXPECT_EQ(c.verdict_pending(), 0u);
  }
  // The face alerts too: this day has real faces.
  testing::ExpectReplayEqualsLive(r, (work / "db").string(), /*face_alerts=*/true);
  // Three passing photos in the upload folder, the striped-top one's retake among them.
  testing::ExpectExportAndReportMatchDrill(r, (work / "db").string(), work.string());
}

// The operator has the last word: a photo failed by the validators is passed
// with /ok and a reason at the booth, logged, and counted as passed by the
// operator; an /ok for a photo that passed is refused at its step.
TEST(Drill, AnOperatorOverridesAFailedPhotoWithAReason) {
  TempDir dir;
  namespace fs = std::filesystem;
  const fs::path corpus = PHOTO_CORPUS_DIR;
  ASSERT_TRUE(fs::exists(corpus / "exposure_dark_franck_02159.jpg")) << "run tests/photos/make-corpus.sh";
  for (const char* f : {"exposure_dark_franck_02159.jpg", "pos_franck_01829.jpg"}) {
    fs::copy_file(corpus / f, fs::path(dir.path()) / f);
  }
  for (const char* f : {"roster.csv", "payments.csv", "schedule.csv"}) {
    fs::copy_file(fs::path(SAMPLE_DIR) / f, fs::path(dir.path()) / f);
  }
  std::ofstream(dir.Sub("drill.json")) << R"({
    "roster": "roster.csv", "payments": "payments.csv", "schedule": "schedule.csv",
    "booths": ["B1"], "validators": 1,
    "steps": [
      {"booth": "B1", "scan": "S2021001"}, {"booth": "B1", "sign": true},
      {"booth": "B1", "photo": "exposure_dark_franck_02159.jpg"},
      {"booth": "B1", "ok": "the backdrop light was checked; the photographer confirms the exposure"},
      {"booth": "B1", "scan": "S2021002"}, {"booth": "B1", "sign": true},
      {"booth": "B1", "photo": "pos_franck_01829.jpg"},
      {"booth": "B1", "ok": "nothing to overrule"}
    ]})";
  v1::DrillReport r = RunDrillFile(dir.Sub("drill.json"), nullptr, dir.Sub("db"));
  ASSERT_TRUE(r.ran());
  const v1::DrillStudent* s1 = Student(r, "S2021001");
  EXPECT_EQ(s1->verdict(), "fail");
  EXPECT_TRUE(s1->overridden());
  EXPECT_FALSE(Student(r, "S2021002")->overridden());
  const std::map<int, std::string> refusals = {{7, "nothing_to_override"}};
  EXPECT_EQ(RefusalsByStep(r), refusals);
  for (const auto& c : r.reconciliation()) {
    if (c.college() != "信息工程学院") continue;
    EXPECT_EQ(c.passed_by_operator(), 1u);
    EXPECT_EQ(c.failed_pending_retake(), 0u);
    EXPECT_EQ(c.passed(), 1u);
  }
  EXPECT_TRUE(r.audit().ok()) << r.audit().problem();
  // After the day: the replay agrees, the overridden photo is in the upload and
  // not on the 补拍 list, the report lists the override by check, and the
  // student's story tells who overruled what and why.
  testing::ExpectReplayEqualsLive(r, dir.Sub("db"));
  testing::ExpectExportAndReportMatchDrill(r, dir.Sub("db"), dir.path());
  absl::StatusOr<CsvTable> overrides = ReadCsvFile(dir.Sub("report/overrides.csv"));
  ASSERT_TRUE(overrides.ok()) << overrides.status();
  ASSERT_EQ(overrides->rows.size(), 1u);
  EXPECT_EQ(overrides->rows[0].fields[3], "S2021001");
  EXPECT_EQ(overrides->rows[0].fields[5], "booth B1");  // the operator: the booth unless --operator_name
  EXPECT_NE(overrides->rows[0].fields[6].find(s1->failed_checks(0)), std::string::npos);
  EXPECT_EQ(overrides->rows[0].fields[7], "the backdrop light was checked; the photographer confirms the exposure");
  std::string story;
  ASSERT_EQ(testing::RunCommand({GRADCAP_BIN, "audit", "student", "--db", dir.Sub("db"), "S2021001"}, &story, 60000), 0)
      << story;
  EXPECT_NE(story.find("override"), std::string::npos) << story;
  EXPECT_NE(story.find("the photographer confirms the exposure"), std::string::npos) << story;
}

// What the operators let through is what the next morning's calibration
// learns from: `validator calibrate` on the day's export takes its passed and
// operator-passed photos as good and the failed ones of a --force export as
// bad, names the checks the operators overruled, and loosens their limits;
// a photo changed after the export is named and left out.
TEST(Drill, TheMorningCalibrationLearnsFromTheOperatorsOverridesInTheExport) {
  TempDir dir;
  namespace fs = std::filesystem;
  const fs::path corpus = PHOTO_CORPUS_DIR;
  const std::vector<std::string> good = {"pos_franck_01829.jpg", "pos_franck_04035.jpg",
                                         "wide_positive_bald_vin.jpg", "wide_positive_trk_mid.jpg"};
  const std::string side_lit = "wide_one_sided_audrey.jpg";                  // lighting_uniform: a retake
  const std::string striped = "clothing_pattern_franck_02159_vstripes.jpg";  // clothing_pattern: a retake
  std::vector<std::string> files = good;
  files.insert(files.end(), {side_lit, striped});
  for (const std::string& f : files) {
    ASSERT_TRUE(fs::exists(corpus / f)) << "run tests/photos/make-corpus.sh";
    fs::copy_file(corpus / f, fs::path(dir.path()) / f);
  }
  for (const char* f : {"roster.csv", "payments.csv", "schedule.csv"}) {
    fs::copy_file(fs::path(SAMPLE_DIR) / f, fs::path(dir.path()) / f);
  }
  std::string steps;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string no = absl::StrCat("S202100", i + 1);
    absl::StrAppend(&steps, i ? "," : "", R"({"booth": "B1", "scan": ")", no,
                    R"("}, {"booth": "B1", "sign": true},)", R"({"booth": "B1", "photo": ")", files[i],
                    R"("})");
    if (files[i] == side_lit)
      absl::StrAppend(&steps, R"(, {"booth": "B1", "ok": "soft side light, face fully lit: confirmed"})");
  }
  std::ofstream(dir.Sub("drill.json")) << R"({"roster": "roster.csv", "payments": "payments.csv",
    "schedule": "schedule.csv", "booths": ["B1"], "validators": 1, "steps": [)"
                                       << steps << "]}";
  v1::DrillReport r = RunDrillFile(dir.Sub("drill.json"), nullptr, dir.Sub("db"));
  ASSERT_TRUE(r.ran());
  std::string out;
  ASSERT_EQ(testing::RunCommand(
                {GRADCAP_BIN, "export", "--db", dir.Sub("db"), "--out", dir.Sub("upload"), "--force"}, &out,
                120000),
            0)
      << out;

  auto calibrate = [&](const std::string& folder, google::protobuf::Struct* json, std::string* text) {
    ASSERT_EQ(testing::RunCommand({VALIDATOR_BIN, "calibrate", folder, "--json"}, text, 300000), 0) << *text;
    const std::string line =
        text->substr(text->rfind("\n{") == std::string::npos ? 0 : text->rfind("\n{") + 1);
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, json).ok()) << *text;
  };
  auto field = [](const google::protobuf::Struct& s,
                  const std::string& a) -> const google::protobuf::Struct& {
    return s.fields().at(a).struct_value();
  };
  // The export's root (one folder per college) and the college's own folder read the same.
  for (const std::string& folder : {dir.Sub("upload"), dir.Sub("upload") + "/信息工程学院"}) {
    google::protobuf::Struct c;
    calibrate(folder, &c, &out);
    ASSERT_TRUE(c.fields().count("export")) << out;
    const auto& e = field(c, "export");
    EXPECT_EQ(e.fields().at("passed").number_value(), 4) << out;
    EXPECT_EQ(e.fields().at("passed_by_operator").number_value(), 1) << out;
    EXPECT_EQ(e.fields().at("failed").number_value(), 1) << out;
    EXPECT_EQ(field(e, "overruled").fields().at("lighting_uniform").number_value(), 1) << out;
    EXPECT_EQ(field(c, "good").fields().at("photos").number_value(), 5) << out;
    EXPECT_EQ(field(c, "good").fields().at("retake_now").number_value(), 1) << out;
    EXPECT_EQ(field(c, "good").fields().at("retake_suggested").number_value(), 0) << out;
    EXPECT_EQ(field(c, "bad").fields().at("photos").number_value(), 1) << out;
    EXPECT_EQ(field(c, "bad").fields().at("caught_now").number_value(), 1) << out;
    bool loosened = false;
    for (const auto& m : c.fields().at("measures").list_value().values()) {
      const auto& f = m.struct_value().fields();
      if (f.at("check").string_value() == "lighting_uniform" && f.at("changed").bool_value()) loosened = true;
    }
    EXPECT_TRUE(loosened) << "the overruled check's limit is loosened: " << out;
  }
  // A photo replaced after the export no longer hashes to its manifest row:
  // named and left out, the rest still read.
  const std::string college = dir.Sub("upload") + "/信息工程学院";
  std::vector<std::string> photos;
  for (const auto& entry : fs::directory_iterator(college))
    if (entry.path().extension() == ".jpg") photos.push_back(entry.path().string());
  std::sort(photos.begin(), photos.end());
  ASSERT_GE(photos.size(), 2u);
  fs::copy_file(photos[1], photos[0], fs::copy_options::overwrite_existing);
  google::protobuf::Struct c;
  calibrate(college, &c, &out);
  EXPECT_EQ(field(c, "good").fields().at("photos").number_value() +
                field(c, "bad").fields().at("photos").number_value(),
            5)
      << out;
  bool named = false;
  for (const auto& s : c.fields().at("skipped").list_value().values()) {
    const auto& f = s.struct_value().fields();
    named |= f.at("file").string_value() == photos[0] &&
             f.at("reason").string_value().find("sha256_file") != std::string::npos;
  }
  EXPECT_TRUE(named) << out;
}

TEST(Drill, BadDrillFilesAreRefusedWithTheStepAndNothingStarts) {
  TempDir dir;
  const std::string sample = std::string(DRILLS_DIR) + "/../../deploy/sample/";
  auto drill = [&](const std::string& steps) {
    return "{\"roster\": \"" + sample + "roster.csv\", \"payments\": \"" + sample + "payments.csv\", \"schedule\": \"" +
           sample + "schedule.csv\", \"booths\": [\"B1\"], \"steps\": [" + steps + "]}";
  };
  struct Case {
    std::string json, message;
  };
  const std::vector<Case> cases = {
      {"{ not json", "not a valid drill file"},
      {drill("{\"booth\": \"B9\", \"scan\": \"S2021001\"}"), "step 0: unknown booth \"B9\""},
      {drill("{\"booth\": \"B1\", \"sign\": true}, {\"booth\": \"B1\", \"scan\": \"S404\"}"),
       "step 1: student S404 is not in the roster"},
      {drill("{\"booth\": \"B1\", \"photo\": \"nope.jpg\"}"), "step 0: no such file"},
      {drill("{\"kill\": \"printer\"}"), "step 0: unknown process \"printer\""},
      {drill("{\"booth\": \"B1\", \"sign\": true, \"absent\": true}"), "step 0: a step does exactly one thing"},
      {drill("{\"booth\": \"B1\", \"jump\": true}"), "not a valid drill file"},
  };
  for (const Case& c : cases) {
    const std::string path = dir.Sub("bad.json");
    std::ofstream(path) << c.json;
    std::string out;
    EXPECT_EQ(testing::RunCommand({GRADCAP_BIN, "drill", path}, &out, 60000), 1) << c.json;
    EXPECT_NE(out.find(c.message), std::string::npos) << out;
    EXPECT_EQ(out.find("coordinator: listening"), std::string::npos) << "nothing may start: " << out;
  }
}

}  // namespace
}  // namespace gradcap
