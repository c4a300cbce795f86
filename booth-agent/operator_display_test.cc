#include "booth-agent/operator_display.h"

#include <gtest/gtest.h>

#include "booth-agent/operator_text.h"

namespace gradcap {
namespace {

TEST(OperatorDisplay, ShowsNextNumberQueueStateAndVerdictInBothLanguages) {
  BoothView v;
  v.booth = "B1";
  v.colleges = "信息工程学院";
  v.online = false;
  v.waiting_in_outbox = 7;
  for (uint32_t n : {4u, 5u}) {
    v1::QueueEntry e;
    e.set_shooting_no(n);
    e.set_masked_name(n == 4 ? "张**三" : "李*");
    e.set_state(n == 4 ? v1::QUEUE_TO_SIGN : v1::QUEUE_WAITING);
    v.queue.push_back(e);
  }
  const OperatorText t = ReasonText(v1::REASON_UNPAID);
  v.last_verdict_ok = false;
  v.last_verdict_zh = t.zh;
  v.last_verdict_en = t.en;
  const std::string screen = RenderBoothView(v);
  EXPECT_NE(screen.find("offline — 7 waiting"), std::string::npos) << screen;
  EXPECT_NE(screen.find("张**三"), std::string::npos);
  EXPECT_NE(screen.find("sign first"), std::string::npos);
  EXPECT_NE(screen.find(LargeNumber(4)), std::string::npos);
  EXPECT_NE(screen.find("未缴费"), std::string::npos);
  EXPECT_NE(screen.find("not paid"), std::string::npos);
}

TEST(OperatorDisplay, AHeldPhotoIsNamedWithItsTimeAndTheTwoAnswers) {
  BoothView v;
  v.booth = "B1";
  EXPECT_EQ(RenderBoothView(v).find("/keep"), std::string::npos);  // nothing held: no such line
  v.held_photo = "IMG_0042.JPG";
  v.held_photo_taken = "2024-09-21 09:41:07";
  const std::string screen = RenderBoothView(v);
  EXPECT_NE(screen.find("HELD PHOTO IMG_0042.JPG"), std::string::npos) << screen;
  EXPECT_NE(screen.find("2024-09-21 09:41:07"), std::string::npos) << screen;
  EXPECT_NE(screen.find("/keep"), std::string::npos) << screen;
  EXPECT_NE(screen.find("/drop"), std::string::npos) << screen;
}

TEST(OperatorText, PaymentCodesAndLinksAreNotCollectionCodes) {
  EXPECT_FALSE(NotACodeReason("wxp://f2f0abc").empty());
  EXPECT_FALSE(NotACodeReason("https://qr.alipay.com/fkx12345").empty());
  EXPECT_FALSE(NotACodeReason("http://example.com").empty());
  EXPECT_FALSE(NotACodeReason("134567890123456789").empty());
  EXPECT_TRUE(NotACodeReason("GC1.k1.AAAA").empty());
  EXPECT_TRUE(NotACodeReason("CHSI-7F3A-0010").empty());
}

}  // namespace
}  // namespace gradcap
