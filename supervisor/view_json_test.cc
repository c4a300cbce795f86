#include "supervisor/view_json.h"

#include <gtest/gtest.h>

namespace gradcap {
namespace {

constexpr char kInfo[] = "信息工程学院";
constexpr char kArts[] = "艺术学院";

// A booth shared by two colleges: #1 info, #2 arts waiting; recent photos of both.
v1::BoothState SharedBooth() {
  v1::BoothState booth;
  booth.set_booth("B1");
  booth.set_online(true);
  booth.add_colleges(kInfo);
  booth.add_colleges(kArts);
  auto* a = booth.add_queue();
  a->set_shooting_no(1);
  a->set_masked_name("张*");
  a->set_name("张三");
  a->set_college(kInfo);
  a->set_student_no("S1");
  auto* b = booth.add_queue();
  b->set_shooting_no(2);
  b->set_masked_name("李*");
  b->set_name("李四");
  b->set_college(kArts);
  booth.set_current_shooting_no(1);
  auto* p = booth.add_recent();
  p->set_shooting_no(7);
  p->set_verdict(v1::VERDICT_FAIL);
  p->set_photo_sha256(std::string(32, '\x01'));
  auto* problem = p->add_problems();
  problem->set_id("exposure");
  problem->set_status(v1::CHECK_FAIL);
  booth.add_recent_colleges(kArts);
  booth.add_recent()->set_shooting_no(6);
  booth.add_recent_colleges(kInfo);
  return booth;
}

Scope Lead(const std::string& college, bool photos = false) {
  return ScopeOf({"lead", Role::kCollege, {college}, photos, ""});
}

TEST(ViewJsonTest, CollegeLeadSeesOnlyTheirStudentsOnASharedBooth) {
  Json json = BoothJson(Lead(kInfo), 0, SharedBooth(), 0);
  ASSERT_EQ(json["queue"].size(), 1u);
  EXPECT_EQ(json["queue"][0]["shooting_no"], 1);
  EXPECT_FALSE(json["queue"][0].contains("name"));  // no photos right: masked only
  EXPECT_EQ(json["waiting"], 1);
  ASSERT_EQ(json["recent"].size(), 1u);
  EXPECT_EQ(json["recent"][0]["shooting_no"], 6);
  EXPECT_EQ(json["colleges"], Json({kInfo}));
  EXPECT_EQ(json.dump().find("李"), std::string::npos);
  EXPECT_EQ(json.dump().find(kArts), std::string::npos);
}

TEST(ViewJsonTest, PhotosRightShowsNamesAndPhotoLinks) {
  Scope office = ScopeOf({"o", Role::kOffice, {}, true, ""});
  Json json = BoothJson(office, 0, SharedBooth(), 0);
  ASSERT_EQ(json["queue"].size(), 2u);
  EXPECT_EQ(json["queue"][1]["name"], "李四");
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += "01";
  EXPECT_EQ(json["recent"][0]["photo"], hex);
  EXPECT_EQ(json["recent"][0]["verdict"], "fail");
  EXPECT_EQ(json["recent"][0]["problems"][0]["id"], "exposure");
  Scope no_photos = ScopeOf({"o", Role::kOffice, {}, false, ""});
  EXPECT_FALSE(BoothJson(no_photos, 0, SharedBooth(), 0)["recent"][0].contains("photo"));
}

TEST(ViewJsonTest, BoothOfOtherCollegesIsHiddenFromALead) {
  EXPECT_TRUE(BoothVisible(Lead(kArts), SharedBooth()));
  EXPECT_FALSE(BoothVisible(Lead("外语学院"), SharedBooth()));
  MergedChange change;
  change.item.kind = LiveChange::Kind::kBooth;
  change.item.booth = SharedBooth();
  EXPECT_FALSE(ChangeJson(Lead("外语学院"), change, nullptr).has_value());
  EXPECT_TRUE(ChangeJson(Lead(kArts), change, nullptr).has_value());
}

TEST(ViewJsonTest, AlertsAreScopedByTheirCollegeOrTheirBooth) {
  v1::LiveAlert alert;
  alert.set_id("L5.0");
  alert.set_college(kArts);
  alert.mutable_alert()->set_kind(v1::ALERT_SHOOTING_NO_MISMATCH);
  alert.mutable_alert()->set_booth("B1");
  BoothColleges colleges = [](int, const std::string&) { return std::vector<std::string>{kInfo, kArts}; };
  EXPECT_TRUE(AlertVisible(Lead(kArts), 0, alert, colleges));
  EXPECT_FALSE(AlertVisible(Lead(kInfo), 0, alert, colleges));
  alert.clear_college();  // booth offline: whoever's booth it is
  alert.mutable_alert()->set_kind(v1::ALERT_BOOTH_OFFLINE);
  EXPECT_TRUE(AlertVisible(Lead(kInfo), 0, alert, colleges));
  EXPECT_FALSE(AlertVisible(Lead("外语学院"), 0, alert, colleges));
  Json json = AlertJson(2, alert);
  EXPECT_EQ(json["key"], "2~L5.0");
  EXPECT_EQ(json["kind"], "booth_offline");
  EXPECT_EQ(ParseAlertKey("2~L5.0"), std::make_pair(2, std::string("L5.0")));
  EXPECT_FALSE(ParseAlertKey("L5.0").has_value());
}

TEST(ViewJsonTest, PaceFromTheLastHourAndWhenTheQueueEmpties) {
  const int64_t hour = 3600 * 1000, h9 = 100 * hour;
  v1::BoothState booth;
  auto* nine = booth.add_photos_by_hour();
  nine->set_hour_start_ms(h9);
  nine->set_photos(60);
  auto* ten = booth.add_photos_by_hour();
  ten->set_hour_start_ms(h9 + hour);
  ten->set_photos(30);
  // 10:30: the whole 10 o'clock hour so far (30) and half of the 9 o'clock one (30).
  Pace pace = PaceOf(booth, 12, h9 + hour + hour / 2);
  EXPECT_NEAR(pace.photos_per_hour, 60, 0.01);
  ASSERT_TRUE(pace.empty_in_min.has_value());
  EXPECT_NEAR(*pace.empty_in_min, 12, 0.01);
  EXPECT_FALSE(PaceOf(v1::BoothState(), 5, h9).empty_in_min.has_value());
}

TEST(ViewJsonTest, RetakeListJoinsAbsentAndFailedStudents) {
  v1::Reconciliation c;
  c.set_college(kInfo);
  c.add_absent_students("S3");
  c.add_retake_students("S9");
  c.set_waiting(2);
  Json json = CollegeJson(0, c);
  EXPECT_EQ(json["retake_list"], Json({"S3", "S9"}));
  EXPECT_EQ(json["waiting"], 2);
}

}  // namespace
}  // namespace gradcap
