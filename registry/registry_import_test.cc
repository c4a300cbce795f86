// The registrar's imports against a real RocksDB in a temp folder: good files
// in both encodings and both header languages, and bad files refused whole
// with file, line, column and reason, leaving nothing written.
#include "registry/registry_import.h"

#include <gtest/gtest.h>

#include "common/gb18030_for_tests.h"

#include <fstream>

#include "common/sha256.h"
#include "common/temp_dir.h"
#include "audit/audit.h"
#include "registry/registry.h"

namespace gradcap {
namespace {


// Resident IDs with correct check characters.
constexpr char kId1[] = "360102200102021010";
constexpr char kId2[] = "360102200203031023";
constexpr char kId3[] = "36010220030404101X";

const std::string kRoster = std::string("学号,姓名,身份证号,学院,班级,层次,年级\n") +
                            "S1,张小三," + kId1 + ",信息工程学院,计科2101,本科,2021\n" +
                            "S2,李四," + kId2 + ",信息工程学院,计科2101,本科,2021级\n" +
                            "S3,王五," + kId3 + ",经济管理学院,会计2202,专科,2022\n";

class RegistryImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    auto log = EventLog::Open(dir_.Sub("db"), &clock_);
    ASSERT_TRUE(log.ok());
    log_ = std::move(*log);
  }
  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  void ImportGoodRoster() { ASSERT_TRUE(ImportRoster(*log_, Write("roster.csv", kRoster)).ok()); }
  Registry Loaded() {
    Registry r(&log_->store());
    EXPECT_TRUE(r.Load().ok());
    return r;
  }
  // Expects `status` to be an InvalidArgument naming `where`, and that the
  // log did not grow.
  void ExpectRefused(const absl::Status& status, const std::string& where, uint64_t records_before) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_NE(status.message().find(where), absl::string_view::npos) << status.message();
    EXPECT_EQ(log_->last_log_seq(), records_before);
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(RegistryImportTest, RosterInUtf8WithChineseHeadersIsImported) {
  auto summary = ImportRoster(*log_, Write("roster.csv", kRoster));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->rows, 3u);
  EXPECT_EQ(summary->encoding, "UTF-8");
  std::optional<v1::Student> s = Loaded().FindStudent("S2");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->name(), "李四");
  EXPECT_EQ(s->cohort(), "2021");
  EXPECT_EQ(s->level(), "本科");
  EXPECT_TRUE(VerifyLog(dir_.Sub("db")).ok()) << "the import is in the chain";
}

TEST_F(RegistryImportTest, RosterInGb18030WithEnglishHeadersInAnotherOrderIsImported) {
  std::string csv = std::string("name\tstudent_no\tcollege\tclass\tlevel\tcohort\tid_no\n") + "张小三\tS1\t信息工程学院\t计科2101\t专升本\t2023\t" +
                    kId1 + "\n";
  auto summary = ImportRoster(*log_, Write("roster_gbk.csv", ToGb18030(csv)));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->encoding, "GB18030");
  EXPECT_EQ(Loaded().FindStudent("S1")->college(), "信息工程学院");
  EXPECT_EQ(Loaded().FindStudent("S1")->level(), "专升本");
}

TEST_F(RegistryImportTest, ReimportUpdatesInPlace) {
  ImportGoodRoster();
  std::string changed = std::string("学号,姓名,身份证号,学院,班级,层次,年级\n") + "S2,李思," + kId2 +
                        ",经济管理学院,会计2202,专科,2022\n";
  auto summary = ImportRoster(*log_, Write("roster2.csv", changed));
  ASSERT_TRUE(summary.ok());
  EXPECT_NE(summary->detail.find("1 updated"), std::string::npos) << summary->detail;
  EXPECT_EQ(Loaded().FindStudent("S2")->name(), "李思");
  EXPECT_TRUE(Loaded().FindStudent("S1").has_value());
}

TEST_F(RegistryImportTest, BadRostersAreRefusedWholeWithLineAndColumn) {
  const std::string header = "学号,姓名,身份证号,学院,班级,层次,年级\n";
  const std::string good = std::string("S1,张小三,") + kId1 + ",信息工程学院,计科2101,本科,2021\n";
  struct Case {
    std::string csv, where;
  };
  std::vector<Case> cases = {
      {"", "empty"},
      {header, "no students"},
      {"学号,姓名,学院\nS1,张三,x\n", "missing columns"},
      {header + good + "S1,李四," + kId2 + ",信息工程学院,计科2101,本科,2021\n", "line 3, column 学号 (1): student number S1 appears twice (first on line 2)"},
      {header + good + "S2,李四,360102200203031024,信息工程学院,计科2101,本科,2021\n", "line 3, column 身份证号 (3): resident ID"},
      {header + good + "S2,李四," + kId2 + ",信息工程学院,计科2101,研究生,2021\n", "line 3, column 层次 (6)"},
      {header + good + "S2,李四," + kId2 + ",信息工程学院,计科2101,本科,二一\n", "line 3, column 年级 (7)"},
      {header + good + "S2,," + kId2 + ",信息工程学院,计科2101,本科,2021\n", "line 3, column 姓名 (2): name is empty"},
      {header + good + "S 2,李四," + kId2 + ",信息工程学院,计科2101,本科,2021\n", "line 3, column 学号 (1)"},
      {header + good + "S2,李四," + kId2 + ",信息工程学院,计科2101,本科\n", "line 3: 6 fields"},
  };
  for (const Case& c : cases) {
    const uint64_t before = log_->last_log_seq();
    ExpectRefused(ImportRoster(*log_, Write("bad.csv", c.csv)).status(), c.where, before);
    EXPECT_FALSE(Loaded().FindStudent("S1").has_value()) << c.where << ": nothing may be written";
  }
}

TEST_F(RegistryImportTest, PaymentsCountEachTransactionOnceAndRespectTheAmountDue) {
  ImportGoodRoster();
  const std::string csv =
      "学号,金额,缴费时间,交易号\nS1,15.00,2024-09-01,T1\nS2,10,2024-09-02,T2\nS2,5元,2024-09-03,T3\n"
      "S3,7.5,2024-09-03,T4\nS1,15.00,2024-09-01,T1\n";
  auto summary = ImportPayments(*log_, Write("pay.csv", csv), std::nullopt);
  ASSERT_TRUE(summary.ok()) << summary.status();
  Registry r = Loaded();
  EXPECT_EQ(r.PaidFen("S1"), 1500);  // T1 twice counts once
  EXPECT_EQ(r.PaidFen("S2"), 1500);
  EXPECT_EQ(r.PaidFen("S3"), 750);
  EXPECT_EQ(r.amount_due_fen(), 1500);
  // Importing the same ledger again changes nothing.
  ASSERT_TRUE(ImportPayments(*log_, Write("pay.csv", csv), std::nullopt).ok());
  EXPECT_EQ(Loaded().PaidFen("S1"), 1500);
  // A different amount due is remembered.
  ASSERT_TRUE(ImportPayments(*log_, Write("pay.csv", csv), 700).ok());
  EXPECT_EQ(Loaded().amount_due_fen(), 700);
}

TEST_F(RegistryImportTest, BadPaymentsAreRefusedWhole) {
  ImportGoodRoster();
  const std::string header = "student_no,amount,paid_at,txn_id\n";
  struct Case {
    std::string csv, where;
  };
  std::vector<Case> cases = {
      {header + "S1,15,x,T1\nS1,abc,x,T2\n", "line 3, column amount (2): amount \"abc\" is not a positive amount"},
      {header + "S1,-15,x,T1\n", "line 2, column amount (2)"},
      {header + "S1,15,x,T1\nS9,15,x,T2\n", "line 3, column student_no (1): student S9 is not in the roster"},
      {header + "S1,15,x,T1\nS2,15,x,T1\n", "line 3, column txn_id (4): transaction T1 is already recorded on line 2"},
      {header + "S1,15,x,\n", "line 2, column txn_id (4): transaction id is empty"},
  };
  for (const Case& c : cases) {
    const uint64_t before = log_->last_log_seq();
    ExpectRefused(ImportPayments(*log_, Write("bad.csv", c.csv), std::nullopt).status(), c.where, before);
    EXPECT_EQ(Loaded().PaidFen("S1"), 0) << c.where;
  }
}

TEST_F(RegistryImportTest, ScheduleConvertsLocalTimesAndReplacesTheOldOne) {
  ImportGoodRoster();
  auto summary = ImportSchedule(*log_,
                                Write("s.csv", "学院,机位,开始,结束,签名\n信息工程学院,B1,2024-09-21T08:00,2024-09-21 11:30,是\n"
                                               "经济管理学院,B1,2024/09/21 14:00,2024-09-21T17:00+08:00,否\n"),
                                "Asia/Shanghai");
  ASSERT_TRUE(summary.ok()) << summary.status();
  Registry r = Loaded();
  ASSERT_EQ(r.SlotsAt("B1").size(), 2u);
  EXPECT_EQ(r.SlotsAt("B1")[0].start_ms(), 1726876800000);  // 2024-09-21T00:00Z
  EXPECT_TRUE(r.SlotsAt("B1")[0].sign());
  EXPECT_FALSE(r.SlotsAt("B1")[1].sign());
  ASSERT_TRUE(ImportSchedule(*log_, Write("s2.csv", "college,booth,start,end,sign\n信息工程学院,B2,2024-09-22T08:00,2024-09-22T09:00,no\n"),
                             "Asia/Shanghai")
                  .ok());
  EXPECT_TRUE(Loaded().SlotsAt("B1").empty());
  EXPECT_EQ(Loaded().SlotsAt("B2").size(), 1u);
}

TEST_F(RegistryImportTest, BadSchedulesAreRefusedWhole) {
  ImportGoodRoster();
  const std::string header = "学院,机位,开始,结束,签名\n";
  const std::string good = "信息工程学院,B1,2024-09-21T08:00,2024-09-21T11:30,是\n";
  struct Case {
    std::string csv, where;
  };
  std::vector<Case> cases = {
      {header + good + "艺术学院,B2,2024-09-21T08:00,2024-09-21T11:30,是\n", "line 3, column 学院 (1): college \"艺术学院\" has no students"},
      {header + good + "经济管理学院,B1,2024-09-21T11:00,2024-09-21T12:00,否\n", "line 3, column 开始 (3): booth B1 is already booked"},
      {header + good + "经济管理学院,B2,tomorrow,2024-09-21T12:00,否\n", "line 3, column 开始 (3)"},
      {header + good + "经济管理学院,B2,2024-09-21T12:00,2024-09-21T11:00,否\n", "line 3, column 结束 (4): the window ends before it starts"},
      {header + good + "经济管理学院,B2,2024-09-21T12:00,2024-09-21T13:00,maybe\n", "line 3, column 签名 (5)"},
  };
  for (const Case& c : cases) {
    const uint64_t before = log_->last_log_seq();
    ExpectRefused(ImportSchedule(*log_, Write("bad.csv", c.csv), "Asia/Shanghai").status(), c.where, before);
    EXPECT_FALSE(Loaded().HasSchedule()) << c.where;
  }
}

TEST_F(RegistryImportTest, ExternalCodesMapToRosterStudents) {
  ImportGoodRoster();
  ASSERT_TRUE(ImportExternalCodes(*log_, Write("c.csv", "采集码,学号\nCHSI-ABC-123,S1\n")).ok());
  EXPECT_EQ(Loaded().ExternalCode("CHSI-ABC-123"), "S1");
  const uint64_t before = log_->last_log_seq();
  ExpectRefused(ImportExternalCodes(*log_, Write("c2.csv", "code,student_no\nX1,S1\nX2,S404\n")).status(),
                "line 3, column student_no (2): student S404 is not in the roster", before);
  ExpectRefused(ImportExternalCodes(*log_, Write("c3.csv", "code,student_no\nCHSI-ABC-123,S2\n")).status(),
                "already belongs to student S1", before);
  EXPECT_FALSE(Loaded().ExternalCode("X1").has_value());
}

TEST_F(RegistryImportTest, KeysInitRotateRetire) {
  auto k1 = InitCodeKeys(*log_, 1);
  ASSERT_TRUE(k1.ok());
  EXPECT_EQ(*k1, "k1");
  EXPECT_EQ(InitCodeKeys(*log_, 2).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(RetireCodeKey(*log_, "k1").code(), absl::StatusCode::kFailedPrecondition);  // current
  auto k2 = RotateCodeKey(*log_, 3);
  ASSERT_TRUE(k2.ok());
  EXPECT_EQ(*k2, "k2");
  ASSERT_TRUE(RetireCodeKey(*log_, "k1").ok());
  Registry r = Loaded();
  EXPECT_TRUE(r.CodeKey("k1")->retired());
  EXPECT_FALSE(r.CodeKey("k2")->retired());
  EXPECT_EQ(RetireCodeKey(*log_, "k7").code(), absl::StatusCode::kNotFound);
}

TEST_F(RegistryImportTest, PlanningAnImportWritesNothingAndItsRecordNamesTheFileAndActor) {
  ImportGoodRoster();
  const uint64_t before = log_->last_log_seq();
  const std::string pay = Write("pay.csv", "学号,金额,缴费时间,交易号\nS1,15,2024-09-01,T1\nS3,10,2024-09-02,T2\n");
  auto source = ReadImportSource(pay);
  ASSERT_TRUE(source.ok()) << source.status();
  auto change = PlanPaymentsImport(log_->store(), *source, std::nullopt);
  ASSERT_TRUE(change.ok()) << change.status();
  // Planned, not written: the store and the log are as they were.
  EXPECT_EQ(log_->last_log_seq(), before);
  EXPECT_EQ(Loaded().PaidFen("S1"), 0);
  EXPECT_EQ(change->record.action(), "payments_import");
  EXPECT_EQ(change->record.source(), "pay.csv");
  EXPECT_EQ(change->record.source_sha256(), DigestBytes(Sha256(source->bytes)));
  EXPECT_EQ(change->record.rows(), 2u);
  v1::LogRecord staged;
  ASSERT_TRUE(CommitChange(*log_, std::move(*change), "registrar", &staged).ok());
  EXPECT_EQ(staged.admin().actor(), "registrar");
  EXPECT_EQ(log_->last_log_seq(), before + 1);
  Registry r = Loaded();
  EXPECT_EQ(r.PaidFen("S1"), 1500);
  EXPECT_EQ(r.PaidFen("S3"), 1000);
}

TEST_F(RegistryImportTest, TheRegistryListsCollegesAndTheirStudentsInOrder) {
  ImportGoodRoster();
  Registry r = Loaded();
  auto colleges = r.Colleges();
  ASSERT_TRUE(colleges.ok());
  EXPECT_EQ(*colleges, (std::vector<std::string>{"信息工程学院", "经济管理学院"}));
  auto students = r.StudentsOf("信息工程学院");
  ASSERT_TRUE(students.ok());
  ASSERT_EQ(students->size(), 2u);
  EXPECT_EQ((*students)[0].student_no(), "S1");
  EXPECT_EQ((*students)[1].student_no(), "S2");
  EXPECT_TRUE(r.StudentsOf("没有的学院")->empty());
  EXPECT_EQ(r.FindStudent("S3")->level(), "专科");
  EXPECT_FALSE(r.FindStudent("S9").has_value());
}

TEST(ParseFen, ReadsAmountsAsRegistrarsWriteThem) {
  EXPECT_EQ(ParseFen("15"), 1500);
  EXPECT_EQ(ParseFen("15.5"), 1550);
  EXPECT_EQ(ParseFen("15.05"), 1505);
  EXPECT_EQ(ParseFen("15元"), 1500);
  EXPECT_EQ(ParseFen(" ￥15.00 "), 1500);
  EXPECT_FALSE(ParseFen("15.005").has_value());
  EXPECT_FALSE(ParseFen("abc").has_value());
  EXPECT_FALSE(ParseFen("-3").has_value());
  EXPECT_FALSE(ParseFen("").has_value());
}

TEST(ResidentId, CheckCharacterIsVerified) {
  EXPECT_EQ(ResidentIdCheckDigitOk(kId1), true);
  EXPECT_EQ(ResidentIdCheckDigitOk(kId3), true);
  EXPECT_EQ(ResidentIdCheckDigitOk("360102200102021011"), false);
  EXPECT_FALSE(ResidentIdCheckDigitOk("E12345678").has_value());  // a passport: not judged
}

}  // namespace
}  // namespace gradcap
