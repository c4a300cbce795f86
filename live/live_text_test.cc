#include "live/live_text.h"

#include <gtest/gtest.h>

namespace gradcap {
namespace {

TEST(LiveTextTest, ShowsBoothsQueuesOpenAlertsAndColleges) {
  v1::LiveSnapshot snapshot;
  snapshot.set_run("r1");
  snapshot.set_seq(4);
  v1::BoothState* booth = snapshot.add_booths();
  booth->set_booth("B1");
  booth->set_online(false);
  booth->set_current_shooting_no(3);
  booth->add_colleges("信息工程学院");
  for (uint32_t no : {3, 4}) {
    v1::QueueEntry* entry = booth->add_queue();
    entry->set_shooting_no(no);
    entry->set_masked_name("张*");
    entry->set_name("张三");  // never shown in the terminal
  }
  v1::PhotoVerdict* photo = booth->add_recent();
  photo->set_shooting_no(2);
  photo->set_verdict(v1::VERDICT_FAIL);
  photo->add_problems()->set_id("exposure");
  v1::LiveAlert* open = snapshot.add_alerts();
  open->set_id("L7.0");
  open->mutable_alert()->set_kind(v1::ALERT_SHOOTING_NO_MISMATCH);
  v1::LiveAlert* acked = snapshot.add_alerts();
  acked->set_id("L8.0");
  acked->set_acknowledged(true);
  snapshot.add_colleges()->set_college("信息工程学院");
  LiveState state;
  state.ApplySnapshot(snapshot);
  const std::string text = FormatLiveText(state, LinkState::kLive, {"tcp://x", 8});
  EXPECT_NE(text.find("B1     离线 OFFLINE"), std::string::npos) << text;
  EXPECT_NE(text.find("#3 张*  #4 张*"), std::string::npos) << text;
  EXPECT_NE(text.find("fail (exposure)"), std::string::npos) << text;
  EXPECT_NE(text.find("Open alerts (1)"), std::string::npos) << text;
  EXPECT_NE(text.find("shooting_no_mismatch"), std::string::npos) << text;
  EXPECT_EQ(text.find("L8.0"), std::string::npos) << text;
  EXPECT_EQ(text.find("张三"), std::string::npos) << text;
  EXPECT_NE(text.find("信息工程学院  名单 roster 0"), std::string::npos) << text;
}

}  // namespace
}  // namespace gradcap
