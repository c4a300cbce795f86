// Every scan reason code, and the first queue rules, through the real
// coordinator process: the registrar's real CLI imports the sample roster,
// payments and schedule and issues codes; the codes are read back from their
// PNGs with ZXing; a booth client on loopback sends scans and photos; the
// coordinator runs on a rehearsal clock (2024-09-21 09:00 +08:00) and is
// killed and restarted midway to show the queues come back from the log.
#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <map>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/codes.h"
#include "common/collection_code.h"
#include "common/csv.h"
#include "common/envelope.h"
#include "common/kv_store.h"
#include "common/masking.h"
#include "common/qr_code.h"
#include "common/sha256.h"
#include "common/temp_dir.h"
#include "common/transport.h"
#include "common/log_format.h"
#include "registry/registry.h"
#include "tests/process.h"

namespace gradcap {
namespace {

using testing::ChildProcess;

class ScanRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    db_ = dir_.Sub("db");
    const std::string sample = SAMPLE_DIR;
    Gradcap({"roster", "import", "--db", db_, sample + "/roster.csv"});
    Gradcap({"payments", "import", "--db", db_, sample + "/payments.csv"});
    Gradcap({"schedule", "import", "--db", db_, sample + "/schedule.csv"});
    Gradcap({"keys", "init", "--db", db_});
    Gradcap({"codes", "issue", "--db", db_, "--out", dir_.Sub("codes")});
    std::ofstream(dir_.Sub("external.csv")) << "采集码,学号\nCHSI-7F3A-0010,S2021010\n";
    Gradcap({"codes", "import", "--db", db_, dir_.Sub("external.csv")});
    CraftCodes();
    endpoint_ = absl::StrFormat("tcp://127.0.0.1:%d", testing::FreeLoopbackPort());
    StartCoordinator();
    SocketOptions options;
    options.immediate = false;
    client_ = MessageSocket::Create(SocketKind::kDealer, options).value();
    ASSERT_TRUE(client_->Connect(endpoint_).ok());
  }

  void TearDown() override {
    coordinator_.Signal(SIGTERM);
    coordinator_.Wait(10000);
  }

  void Gradcap(std::vector<std::string> args) {
    args.insert(args.begin(), GRADCAP_BIN);
    std::string out;
    ASSERT_EQ(testing::RunCommand(args, &out), 0) << out;
  }

  void StartCoordinator() {
    const std::string ready = dir_.Sub("ready");
    std::remove(ready.c_str());
    ASSERT_TRUE(coordinator_.Start({COORDINATOR_BIN, "--db", db_, "--listen", endpoint_, "--ready_file", ready,
                                    "--clock_start", "2024-09-21T09:00+08:00", "--stats_interval_ms", "0"},
                                   dir_.Sub("coordinator.log")));
    ASSERT_FALSE(testing::WaitForFile(ready, 20000).empty()) << testing::ReadFile(dir_.Sub("coordinator.log"));
  }

  // The payload in a student's issued PNG, read with ZXing like a booth would.
  std::string CodeOf(const std::string& student_no) {
    auto decoded = DecodeQrFile(dir_.Sub("codes/" + student_no + ".png"));
    EXPECT_TRUE(decoded.ok() && decoded->size() == 1) << student_no;
    return decoded.ok() && !decoded->empty() ? (*decoded)[0] : "";
  }

  // Codes a registrar would never issue: sealed by hand with the real key.
  void CraftCodes() {
    auto store = KvStore::Open(db_, LogColumns(), OpenMode::kReadOnly);
    ASSERT_TRUE(store.ok());
    Registry registry(store->get());
    ASSERT_TRUE(registry.Load().ok());
    v1::CodeKey key = registry.CodeKey("k1").value();
    v1::CodeBody expired;
    expired.set_student_no("S2021004");
    expired.set_expires_at_ms(1726790400000);  // 2024-09-20
    expired_code_ = SealCode(expired, key);
    v1::CodeBody stranger;
    stranger.set_student_no("S9999999");
    stranger.set_expires_at_ms(1900000000000);
    stranger_code_ = SealCode(stranger, key);
  }

  v1::Ack Send(const std::string& booth, v1::BoothEvent event) {
    event.mutable_id()->set_booth(booth);
    event.mutable_id()->set_epoch(1);
    event.mutable_id()->set_seq(++seq_[booth]);
    v1::Envelope e;
    *e.mutable_event() = event;
    EXPECT_TRUE(client_->Send({SerializeEnvelope(e)}).ok());
    for (int tries = 0; tries < 50; ++tries) {
      auto reply = client_->Receive(200);
      if (!reply.ok() || !reply->has_value()) continue;
      last_raw_ = (**reply)[0];
      v1::Envelope r;
      if (r.ParseFromString(last_raw_) && r.has_ack() && r.ack().id().seq() == seq_[booth] &&
          r.ack().id().booth() == booth) {
        return r.ack();
      }
    }
    ADD_FAILURE() << "no ack for " << booth << " seq " << seq_[booth];
    return {};
  }

  v1::Ack Scan(const std::string& booth, const std::string& payload) {
    v1::BoothEvent e;
    e.mutable_scan()->set_payload(payload);
    return Send(booth, e);
  }
  v1::Ack Photo(const std::string& booth, uint32_t shooting_no) {
    v1::BoothEvent e;
    const std::string jpeg = "\xFF\xD8 photo " + std::to_string(++photos_);
    e.mutable_photo()->set_jpeg(jpeg);
    e.mutable_photo()->set_sha256(DigestBytes(Sha256(jpeg)));
    e.mutable_photo()->set_shooting_no(shooting_no);
    return Send(booth, e);
  }
  v1::Ack Sign(const std::string& booth, uint32_t shooting_no) {
    v1::BoothEvent e;
    e.mutable_sign()->set_shooting_no(shooting_no);
    return Send(booth, e);
  }

  TempDir dir_;
  std::string db_, endpoint_, expired_code_, stranger_code_, last_raw_;
  ChildProcess coordinator_;
  std::unique_ptr<MessageSocket> client_;
  std::map<std::string, uint64_t> seq_;
  int photos_ = 0;
};

#define EXPECT_REFUSED(ack, code)                                    \
  do {                                                               \
    const v1::Ack a_ = (ack);                                        \
    EXPECT_FALSE(a_.outcome().accepted()) << a_.DebugString();       \
    EXPECT_EQ(CodeName(a_.outcome().reason()), code) << a_.outcome().detail(); \
    EXPECT_FALSE(a_.outcome().detail().empty());                     \
  } while (0)

TEST_F(ScanRulesTest, EveryScanRuleHoldsThroughTheRealCoordinator) {
  // Accepted: the next shooting number, masked name and ID, nothing plain.
  v1::Ack first = Scan("B1", CodeOf("S2021001"));
  ASSERT_TRUE(first.outcome().accepted()) << first.outcome().DebugString();
  EXPECT_EQ(first.outcome().shooting_no(), 1u);
  auto roster = ReadCsvFile(std::string(SAMPLE_DIR) + "/roster.csv").value();
  const std::string name = roster.rows[0].fields[1], id_no = roster.rows[0].fields[2];
  EXPECT_EQ(first.outcome().masked_name(), MaskName(name));
  EXPECT_EQ(first.outcome().masked_id(), MaskIdNo(id_no));
  EXPECT_EQ(last_raw_.find(id_no), std::string::npos) << "plain ID number sent to the booth";
  EXPECT_EQ(last_raw_.find(name), std::string::npos) << "plain name sent to the booth";
  EXPECT_EQ(Scan("B1", CodeOf("S2021002")).outcome().shooting_no(), 2u);

  EXPECT_REFUSED(Scan("B1", "https://qr.alipay.com/fkx12345"), "unknown_code");
  std::string forged = CodeOf("S2021003");
  forged[forged.size() - 5] = forged[forged.size() - 5] == 'a' ? 'b' : 'a';
  EXPECT_REFUSED(Scan("B1", forged), "forged_code");
  EXPECT_REFUSED(Scan("B1", expired_code_), "expired_code");
  EXPECT_REFUSED(Scan("B1", stranger_code_), "not_in_roster");
  EXPECT_REFUSED(Scan("B1", CodeOf("S2021008")), "unpaid");
  EXPECT_REFUSED(Scan("B2", CodeOf("S2021003")), "wrong_booth");
  EXPECT_REFUSED(Scan("B1", CodeOf("S2022031")), "outside_schedule");  // its B1 window is 14:00
  EXPECT_REFUSED(Scan("B1", CodeOf("S2021001")), "duplicate_scan");
  EXPECT_REFUSED(Scan("B2", CodeOf("S2021001")), "duplicate_scan");

  // Each booth numbers its own queue.
  EXPECT_EQ(Scan("B2", CodeOf("S2022031")).outcome().shooting_no(), 1u);
  // An imported external (学信网) code works like an issued one.
  v1::Ack external = Scan("B1", "CHSI-7F3A-0010");
  ASSERT_TRUE(external.outcome().accepted()) << external.outcome().detail();
  EXPECT_EQ(external.outcome().shooting_no(), 3u);

  // The queue: B1's schedule asks for signatures; photos bind to the head.
  EXPECT_REFUSED(Photo("B3", 0), "photo_without_scan");
  EXPECT_REFUSED(Photo("B1", 1), "not_signed");
  EXPECT_REFUSED(Sign("B1", 2), "shooting_no_mismatch");
  ASSERT_TRUE(Sign("B1", 1).outcome().accepted());
  EXPECT_REFUSED(Photo("B1", 2), "shooting_no_mismatch");
  v1::Ack bound = Photo("B1", 1);
  ASSERT_TRUE(bound.outcome().accepted()) << bound.outcome().detail();
  EXPECT_EQ(bound.outcome().shooting_no(), 1u);
  EXPECT_REFUSED(Scan("B1", CodeOf("S2021001")), "already_photographed");

  // A coordinator killed and restarted holds the same queues (from the log).
  coordinator_.Signal(SIGKILL);
  ASSERT_TRUE(coordinator_.Wait(5000));
  StartCoordinator();
  EXPECT_REFUSED(Scan("B1", CodeOf("S2021001")), "already_photographed");
  EXPECT_REFUSED(Scan("B1", CodeOf("S2021002")), "duplicate_scan");
  EXPECT_EQ(Scan("B1", CodeOf("S2021005")).outcome().shooting_no(), 4u);
  EXPECT_REFUSED(Photo("B1", 3), "shooting_no_mismatch");  // number 2 is next

  coordinator_.Signal(SIGTERM);
  ASSERT_TRUE(coordinator_.Wait(10000));
  std::string audit;
  EXPECT_EQ(testing::RunCommand({GRADCAP_BIN, "audit", "verify", "--db", db_}, &audit), 0) << audit;
}

TEST_F(ScanRulesTest, CloseGivesTheHeadCountAndRefusesWhileStudentsWait) {
  for (const char* s : {"S2021001", "S2021002", "S2021003"}) ASSERT_TRUE(Scan("B1", CodeOf(s)).outcome().accepted());
  EXPECT_REFUSED(Scan("B1", CodeOf("S2021008")), "unpaid");
  EXPECT_REFUSED(Scan("B1", CodeOf("S2021001")), "duplicate_scan");
  ASSERT_TRUE(Sign("B1", 1).outcome().accepted());
  ASSERT_TRUE(Photo("B1", 1).outcome().accepted());
  v1::BoothEvent absent;
  absent.mutable_absent()->set_shooting_no(2);
  absent.mutable_absent()->set_reason("left the line");
  ASSERT_TRUE(Send("B1", absent).outcome().accepted());
  coordinator_.Signal(SIGTERM);
  ASSERT_TRUE(coordinator_.Wait(10000));

  std::string out;
  EXPECT_EQ(testing::RunCommand({GRADCAP_BIN, "close", "--db", db_, "--college", "信息工程学院"}, &out), 1);
  EXPECT_NE(out.find("still waiting (S2021003)"), std::string::npos) << out;
  ASSERT_EQ(testing::RunCommand({GRADCAP_BIN, "close", "--db", db_, "--college", "信息工程学院", "--override",
                                 "S2021003 went to the clinic", "--json"},
                                &out),
            0)
      << out;
  v1::Reconciliation r;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &r).ok()) << out;
  EXPECT_EQ(r.roster(), 30u);
  EXPECT_EQ(r.paid(), 29u);
  EXPECT_EQ(r.scanned(), 3u);
  EXPECT_EQ(r.photographed(), 1u);
  EXPECT_EQ(r.absent(), 1u);
  EXPECT_EQ(r.waiting(), 1u);
  EXPECT_EQ(r.not_scanned(), 27u);
  EXPECT_EQ(r.refused_scans().at("unpaid"), 1u);
  EXPECT_EQ(r.refused_scans().at("duplicate_scan"), 1u);
  ASSERT_EQ(r.absent_students_size(), 1);
  EXPECT_EQ(r.absent_students(0), "S2021002");
  EXPECT_TRUE(r.override_used());
  EXPECT_EQ(testing::RunCommand({GRADCAP_BIN, "audit", "verify", "--db", db_}, &out), 0) << out;
}

TEST_F(ScanRulesTest, CodesInspectExplainsAPayload) {
  coordinator_.Signal(SIGTERM);
  ASSERT_TRUE(coordinator_.Wait(10000));
  std::string out;
  EXPECT_EQ(testing::RunCommand({GRADCAP_BIN, "codes", "inspect", "--db", db_, CodeOf("S2021001")}, &out), 0) << out;
  EXPECT_NE(out.find("S2021001"), std::string::npos) << out;
  EXPECT_NE(out.find("valid"), std::string::npos) << out;
  EXPECT_EQ(testing::RunCommand({GRADCAP_BIN, "codes", "inspect", "--db", db_, "--json", stranger_code_}, &out), 0);
  EXPECT_NE(out.find("\"in_roster\":false"), std::string::npos) << out;
  EXPECT_EQ(testing::RunCommand({GRADCAP_BIN, "codes", "inspect", "--db", db_, "GC1.k1.garbage"}, &out), 1);
  EXPECT_NE(out.find("forged_code"), std::string::npos) << out;
}

}  // namespace
}  // namespace gradcap
