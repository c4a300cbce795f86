// `audit replay` on a real database written as the coordinator writes it:
// the replay equals the live state and finds nothing; every kind of edit that
// keeps the chain intact (a forger re-hashing it) is found as a difference
// at its record, booth and student; a damaged log, or a database of another
// version, is refused with a message saying what is wrong.
#include "audit/replay.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "audit/sample_day_for_tests.h"
#include "audit/tamper_for_tests.h"
#include "common/temp_dir.h"
#include "coordinator/reconciliation.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;
using testing::DayBuilder;
using testing::Tamper;

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    db_ = dir_.Sub("db");
    day_ = std::make_unique<DayBuilder>(db_, SAMPLE_DIR);
    sample_ = testing::PlaySampleDay(*day_);
  }

  // What the running coordinator would answer now.
  void SnapshotLive() {
    live_students_.clear();
    live_booths_.clear();
    const std::vector<std::string> colleges = day_->registry().Colleges().value();
    for (const std::string& college : colleges) {
      const std::vector<v1::Student> students = day_->registry().StudentsOf(college).value();
      for (const v1::Student& s : students) {
        live_students_[s.student_no()] =
            StudentReportOf(day_->day(), day_->registry(), s).SerializeAsString();
      }
    }
    for (const char* booth : {"B1", "B2"}) {
      live_booths_[booth] =
          BoothReportOf(day_->day(), booth, day_->log().CommittedProgress(booth), -1).SerializeAsString();
    }
  }

  void ExpectEqualsLive(const v1::ReplayReport& r) {
    ASSERT_EQ(r.students_size(), static_cast<int>(live_students_.size()));
    for (const v1::StudentReport& s : r.students()) {
      EXPECT_EQ(s.SerializeAsString(), live_students_[s.student_no()]) << s.DebugString();
    }
    ASSERT_EQ(r.booths_size(), 2);
    for (const v1::BoothReport& b : r.booths()) {
      EXPECT_EQ(b.SerializeAsString(), live_booths_[b.state().booth()]) << b.DebugString();
    }
  }

  // The differences found, as "record/booth/student/check".
  static std::vector<std::string> Found(const v1::ReplayReport& r) {
    std::vector<std::string> out;
    for (const auto& d : r.differences()) {
      out.push_back(absl::StrCat(d.log_seq(), "/", d.booth(), "/", d.student_no(), "/", d.check()));
    }
    return out;
  }

  TempDir dir_;
  std::string db_;
  std::unique_ptr<DayBuilder> day_;
  testing::SampleDay sample_;
  std::map<std::string, std::string> live_students_, live_booths_;
};

TEST_F(ReplayTest, TheReplayEqualsTheLiveStateAndFindsNoDifference) {
  SnapshotLive();
  const size_t alerts = day_->day().alerts().size();
  day_->Stop();
  absl::StatusOr<v1::ReplayReport> r = ReplayAudit(db_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok()) << FormatReplayReport(*r);
  ExpectEqualsLive(*r);
  EXPECT_EQ(r->alerts_size(), static_cast<int>(alerts));
  EXPECT_EQ(r->alerts_size(), 4);  // duplicate_scan, shooting_no_mismatch, two refused scans (unknown_code, unpaid)
  EXPECT_EQ(r->checkpoints(), 2u);
  EXPECT_EQ(r->status().photos_awaiting_verdict(), 1u);  // S2022031's
  EXPECT_GE(r->checks_size(), 10);
  EXPECT_FALSE(r->not_checked().empty());
  const std::string text = FormatReplayReport(*r);
  EXPECT_NE(text.find("queue_decision"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 2), "ok");
}

TEST_F(ReplayTest, ReplayingTwiceGivesTheSameReport) {
  day_->Stop();
  auto a = ReplayAudit(db_), b = ReplayAudit(db_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(FormatReplayReport(*a), FormatReplayReport(*b));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*a, *b));
}

TEST_F(ReplayTest, UntilReplaysTheDayAsItStoodAtThatRecord) {
  day_->Stop();
  // A second day in another database, stopped half-way, is "the live state then".
  TempDir other;
  DayBuilder half(other.Sub("db"), SAMPLE_DIR);
  half.Scan("B1", "S2021001");
  half.Sign("B1");
  half.Scan("B1", "S2021002");
  auto snapshot = [&] {
    std::map<std::string, std::string> out;
    for (const char* no : {"S2021001", "S2021002", "S2021003"}) {
      out[no] =
          StudentReportOf(half.day(), half.registry(), *half.registry().FindStudent(no)).SerializeAsString();
    }
    out["B1"] = BoothReportOf(half.day(), "B1", half.log().CommittedProgress("B1"), -1).SerializeAsString();
    return out;
  };
  const std::map<std::string, std::string> then = snapshot();
  const uint64_t until = half.log().last_log_seq();
  half.Photo("B1", testing::TestJpeg(1));  // the day goes on
  half.Stop();
  absl::StatusOr<v1::ReplayReport> r = ReplayAudit(other.Sub("db"), ReplayOptions{until});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok()) << FormatReplayReport(*r);
  EXPECT_EQ(r->records(), until);
  for (const v1::StudentReport& s : r->students()) {
    if (then.count(s.student_no()))
      EXPECT_EQ(s.SerializeAsString(), then.at(s.student_no())) << s.DebugString();
  }
  EXPECT_EQ(r->booths(0).SerializeAsString(), then.at("B1"));
  EXPECT_FALSE(ReplayAudit(other.Sub("db"), ReplayOptions{until + 100}).ok());
}

TEST_F(ReplayTest, ABindingRewrittenToAnotherStudentIsFoundAtItsRecord) {
  day_->Stop();
  const uint64_t at = sample_.at["photo S2021003"];
  Tamper(db_).RewriteAndRehash(
      at,
      [](v1::LogRecord& r) {
        r.mutable_applied()->mutable_binding()->set_student_no(
            "S2021005");  // S2021005's name on S2021003's photo
      },
      /*resign=*/true);
  absl::StatusOr<v1::ReplayReport> r = ReplayAudit(db_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->ok());
  const std::vector<std::string> found = Found(*r);
  EXPECT_NE(std::find(found.begin(), found.end(), absl::StrCat(at, "/B1/S2021005/queue_decision")),
            found.end())
      << FormatReplayReport(*r);
}

TEST_F(ReplayTest, AnAlteredShootingNumberAndAnErasedAlertAreFound) {
  day_->Stop();
  const uint64_t scan = sample_.at["scan S2021002"], duplicate = sample_.at["duplicate S2021003"];
  Tamper tamper(db_);
  tamper.RewriteAndRehash(scan, [](v1::LogRecord& r) {
    r.mutable_applied()->mutable_binding()->set_shooting_no(7);
    r.mutable_applied()->mutable_outcome()->set_shooting_no(7);
  });
  tamper.RewriteAndRehash(duplicate,
                          [](v1::LogRecord& r) { r.mutable_applied()->mutable_binding()->clear_alerts(); });
  absl::StatusOr<v1::ReplayReport> r = ReplayAudit(db_);
  ASSERT_TRUE(r.ok()) << r.status();
  const std::vector<std::string> found = Found(*r);
  EXPECT_NE(std::find(found.begin(), found.end(), absl::StrCat(scan, "/B1/S2021002/scan_decision")),
            found.end())
      << FormatReplayReport(*r);
  EXPECT_NE(std::find(found.begin(), found.end(), absl::StrCat(duplicate, "/B1/S2021003/queue_alerts")),
            found.end())
      << FormatReplayReport(*r);
}

TEST_F(ReplayTest, AVerdictMovedToAnotherStudentAndAnEditedHeadCountAreFound) {
  day_->Stop();
  const uint64_t verdict = sample_.at["verdict S2021002"], close = sample_.at["close"];
  Tamper tamper(db_);
  tamper.RewriteAndRehash(verdict,
                          [](v1::LogRecord& r) { r.mutable_validation()->set_student_no("S2021003"); });
  tamper.RewriteAndRehash(
      close,
      [](v1::LogRecord& r) {
        v1::Reconciliation* h = r.mutable_admin()->mutable_head_count();
        h->set_passed(h->passed() + 1);
      },
      /*resign=*/true);
  absl::StatusOr<v1::ReplayReport> r = ReplayAudit(db_);
  ASSERT_TRUE(r.ok()) << r.status();
  const std::vector<std::string> found = Found(*r);
  EXPECT_NE(std::find(found.begin(), found.end(), absl::StrCat(verdict, "/B1/S2021003/verdict_binding")),
            found.end())
      << FormatReplayReport(*r);
  EXPECT_NE(std::find(found.begin(), found.end(), absl::StrCat(close, "///head_count")), found.end())
      << FormatReplayReport(*r);
}

TEST_F(ReplayTest, EditedBoothProgressAndEventIndexAreFound) {
  day_->Stop();
  Tamper tamper(db_);
  v1::BoothProgress p;
  p.set_epoch(1);
  p.set_last_seq(3);
  p.set_last_log_seq(9);
  tamper.Put(kBoothsColumn, "B2", p.SerializeAsString());
  v1::EventId id;
  id.set_booth("B1");
  id.set_epoch(1);
  id.set_seq(2);
  tamper.Delete(kEventIndexColumn, EventIndexKey(id));
  absl::StatusOr<v1::ReplayReport> r = ReplayAudit(db_);
  ASSERT_TRUE(r.ok()) << r.status();
  std::set<std::string> checks;
  for (const auto& d : r->differences()) checks.insert(d.booth() + "/" + d.check());
  EXPECT_TRUE(checks.count("B2/booth_progress")) << FormatReplayReport(*r);
  EXPECT_TRUE(checks.count("B1/event_index")) << FormatReplayReport(*r);
}

TEST_F(ReplayTest, ADamagedLogIsRefusedNamingTheRecord) {
  day_->Stop();
  struct Case {
    std::string name;
    std::function<void(Tamper&)> damage;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"flipped byte", [](Tamper& t) { t.FlipByte(12, 40); },
       "record 12: content does not match its stored hash"},
      {"deleted record", [](Tamper& t) { t.DeleteRecord(12); }, "record 12 is missing"},
      {"swapped records", [](Tamper& t) { t.Swap(12, 13); }, "record 12"},
      {"cut tail", [&](Tamper& t) { t.DeleteRecord(sample_.at["day end checkpoint"]); },
       "chain head names record"},
      {"rewritten, not re-hashed",
       [](Tamper& t) {
         v1::LogRecord r;
         const std::string v = t.Value(12);
         ASSERT_TRUE(r.ParseFromString(v.substr(32)));
         r.set_recorded_at_ms(r.recorded_at_ms() + 1);
         t.Put(kEventsColumn, BigEndian64(12), SealRecord(r).value);
       },
       "record 13"},
  };
  for (const Case& c : cases) {
    const std::string copy = dir_.Sub("copy-" + std::to_string(&c - &cases[0]));
    fs::copy(db_, copy);
    Tamper t(copy);
    c.damage(t);
    absl::StatusOr<v1::ReplayReport> r = ReplayAudit(copy);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_TRUE(absl::IsDataLoss(r.status())) << c.name << ": " << r.status();
    EXPECT_NE(r.status().message().find(c.message), absl::string_view::npos) << c.name << ": " << r.status();
  }
}

TEST_F(ReplayTest, ADatabaseOfAnotherVersionOrLackingAColumnIsRefusedSayingSo) {
  day_->Stop();
  Tamper(db_).Put(kMetaColumn, kLogFormatKey, "2");
  absl::StatusOr<v1::ReplayReport> newer = ReplayAudit(db_);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.status().message().find("log format \"2\""), absl::string_view::npos) << newer.status();

  std::vector<ColumnSpec> fewer = LogColumns();
  fewer.erase(fewer.begin() + kPhotosColumn);
  ASSERT_TRUE(KvStore::Open(dir_.Sub("fewer"), fewer, OpenMode::kReadWrite).ok());
  absl::StatusOr<v1::ReplayReport> lacking = ReplayAudit(dir_.Sub("fewer"));
  ASSERT_FALSE(lacking.ok());
  EXPECT_NE(lacking.status().message().find("lacks the column family photos"), absl::string_view::npos)
      << lacking.status();

  std::vector<ColumnSpec> more = LogColumns();
  more.push_back({"timelapse", false});
  ASSERT_TRUE(KvStore::Open(dir_.Sub("more"), more, OpenMode::kReadWrite).ok());
  absl::StatusOr<v1::ReplayReport> extra = ReplayAudit(dir_.Sub("more"));
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.status().message().find("timelapse this gradcap does not know"), absl::string_view::npos)
      << extra.status();

  absl::StatusOr<v1::ReplayReport> none = ReplayAudit(dir_.Sub("nothing-here"));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("nothing-here"), absl::string_view::npos) << none.status();
}

}  // namespace
}  // namespace gradcap
