// booth-agent --exit_when_delivered with real processes: the booth exits once
// its inputs have ended and everything is acked — never merely because its
// outbox ran empty while a slow scanner is still typing on its stdin.
#include "tests/booth_fixture.h"

namespace gradcap {
namespace {

class BoothExitWhenDeliveredTest : public testing::BoothFixture {};

TEST_F(BoothExitWhenDeliveredTest, WaitsForStdinToEndThoughEverythingTypedSoFarIsDelivered) {
  StartCoordinator();
  StartBooth({"--stdin_scans", "--exit_when_delivered"});
  ASSERT_TRUE(booth_.WriteLine("SLOW-SCANNER-CODE-1"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"SLOW-SCANNER-CODE-1","seqs":[1]})");
  // The coordinator answered and the outbox is empty (the ack is logged
  // after the outbox dropped the event, in the same turn).
  ASSERT_TRUE(WaitForBoothLog("event 1 refused", 60000)) << BoothLog();

  // The scanner pauses, then types on: the booth must still be reading.
  ASSERT_TRUE(booth_.WriteLine("/n 1"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"/n 1","seqs":[]})");
  ASSERT_TRUE(booth_.WriteLine("SLOW-SCANNER-CODE-2"));
  EXPECT_EQ(NextJournal(), R"({"input":"line","text":"SLOW-SCANNER-CODE-2","seqs":[2]})");
  EXPECT_TRUE(booth_.running());

  booth_.CloseStdin();  // the scanner is done
  ASSERT_TRUE(booth_.Wait(60000)) << BoothLog();
  EXPECT_EQ(booth_.exit_status(), 0) << BoothLog();
  EXPECT_EQ(Logged().size(), 2u);  // both delivered before it left
  EXPECT_NE(BoothLog().find("all 2 events delivered"), std::string::npos) << BoothLog();
}

TEST_F(BoothExitWhenDeliveredTest, ExitsAtEndOfStdinWhenNothingWasTyped) {
  StartCoordinator();
  StartBooth({"--stdin_scans", "--exit_when_delivered"});
  booth_.CloseStdin();
  ASSERT_TRUE(booth_.Wait(60000)) << BoothLog();
  EXPECT_EQ(booth_.exit_status(), 0) << BoothLog();
}

}  // namespace
}  // namespace gradcap
