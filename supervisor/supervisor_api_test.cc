// The supervisor in-process (real HTTP on loopback, real live feeds) against
// scripted coordinators: logins, scoping, refusals, the stream and its
// resumption, actions on the admin socket.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "common/sha256.h"
#include "common/temp_dir.h"
#include "live/fake_coordinator_for_tests.h"
#include "supervisor/http_client_for_tests.h"
#include "supervisor/secrets.h"
#include "supervisor/service.h"
#include "supervisor/view_json.h"

namespace gradcap {
namespace {

using testing::FakeLiveCoordinator;
using testing::HttpCall;
using testing::HttpResult;
using testing::SseReader;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr char kInfo[] = "信息工程学院";
constexpr char kArts[] = "艺术学院";

v1::BoothState Booth(const std::string& id, const std::string& college, uint32_t waiting) {
  v1::BoothState booth;
  booth.set_booth(id);
  booth.set_online(true);
  booth.add_colleges(college);
  for (uint32_t i = 1; i <= waiting; ++i) {
    auto* entry = booth.add_queue();
    entry->set_shooting_no(i);
    entry->set_college(college);
    entry->set_masked_name("张*");
  }
  return booth;
}

v1::Reconciliation College(const std::string& name, uint32_t waiting) {
  v1::Reconciliation c;
  c.set_college(name);
  c.set_roster(30);
  c.set_waiting(waiting);
  return c;
}

struct Login {
  std::string cookie, csrf;
  Headers get() const { return {{"Cookie", cookie}}; }
  Headers post() const {
    return {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Content-Type", "application/json"}};
  }
};

class SupervisorApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(InitCrypto().ok());
    hash_ = new std::string(HashPassword("pw-right").value());
  }

  void SetUp() override {
    fake_a_ = std::make_unique<FakeLiveCoordinator>("a-1", 200);
    fake_b_ = std::make_unique<FakeLiveCoordinator>("b-1", 200);
    fake_a_->PutBooth(Booth("B1", kInfo, 2));
    fake_a_->PutCollege(College(kInfo, 2));
    fake_b_->PutBooth(Booth("B7", kArts, 1));
    fake_b_->PutCollege(College(kArts, 0));
    UsersFile users;
    ASSERT_TRUE(users.Add({"office", Role::kOffice, {}, true, *hash_}).ok());
    ASSERT_TRUE(users.Add({"infolead", Role::kCollege, {kInfo}, false, *hash_}).ok());
    ASSERT_TRUE(users.Save(dir_.Sub("users.json")).ok());
    ServiceOptions options;
    options.coordinators = {fake_a_->live_endpoint(), fake_b_->live_endpoint()};
    options.port = 0;
    options.auth.users_path = dir_.Sub("users.json");
    options.feed.keepalive_ms = 300;
    options.feed.retry_ms = 300;
    options.feed.silence_ms = 1500;
    service_ = std::move(SupervisorService::Start(options).value());
    port_ = service_->port();
    // Both shards seen.
    ASSERT_TRUE(fake_a_->WaitFor(
        [&] {
          return service_->view().FindCollege(kArts).has_value() &&
                 service_->view().FindCollege(kInfo).has_value();
        },
        5000));
  }

  Login LogIn(const std::string& user) {
    HttpResult r =
        HttpCall(port_, "POST", "/api/login", "{\"user\":\"" + user + "\",\"password\":\"pw-right\"}");
    EXPECT_EQ(r.status, 200) << r.body;
    Login login;
    login.cookie = r.headers["set-cookie"].substr(0, r.headers["set-cookie"].find(';'));
    login.csrf = Json::parse(r.body)["csrf"];
    return login;
  }

  static std::string* hash_;
  TempDir dir_;
  std::unique_ptr<FakeLiveCoordinator> fake_a_, fake_b_;
  std::unique_ptr<SupervisorService> service_;
  int port_ = 0;
};
std::string* SupervisorApiTest::hash_ = nullptr;

TEST_F(SupervisorApiTest, NothingButThePageWithoutLogin) {
  EXPECT_EQ(HttpCall(port_, "GET", "/api/snapshot").status, 401);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/stream").status, 401);
  EXPECT_EQ(HttpCall(port_, "POST", "/api/colleges/x/close", "{}").status, 401);
  HttpResult page = HttpCall(port_, "GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Capture floor"), std::string::npos);
  EXPECT_EQ(HttpCall(port_, "GET", "/app.js").status, 200);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/snapshot", "", {{"Cookie", "gradcap_session=forged"}}).status, 401);
}

TEST_F(SupervisorApiTest, WrongPasswordsAreRefusedThenSlowedDown) {
  for (int i = 0; i < 3; ++i) {
    HttpResult r = HttpCall(port_, "POST", "/api/login", R"({"user":"office","password":"nope"})");
    EXPECT_EQ(r.status, 401) << r.body;
  }
  HttpCall(port_, "POST", "/api/login", R"({"user":"office","password":"nope"})");
  HttpResult slowed = HttpCall(port_, "POST", "/api/login", R"({"user":"office","password":"pw-right"})");
  EXPECT_EQ(slowed.status, 429);
  EXPECT_FALSE(slowed.headers["retry-after"].empty());
  // Another user is not held up.
  EXPECT_EQ(HttpCall(port_, "POST", "/api/login", R"({"user":"infolead","password":"pw-right"})").status,
            200);
}

TEST_F(SupervisorApiTest, BadRequestsGetClearRefusals) {
  EXPECT_EQ(HttpCall(port_, "POST", "/api/login", "{not json").status, 400);
  EXPECT_EQ(HttpCall(port_, "POST", "/api/login", R"({"user":3})").status, 400);
  HttpResult huge = HttpCall(port_, "POST", "/api/login", std::string(200 * 1024, 'x'));
  EXPECT_EQ(huge.status, 413);
  Login office = LogIn("office");
  EXPECT_EQ(HttpCall(port_, "GET", "/api/booths/B99", "", office.get()).status, 404);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/colleges/%E5%A4%96", "", office.get()).status, 404);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/nothing", "", office.get()).status, 404);
  EXPECT_EQ(HttpCall(port_, "POST", "/api/alerts/0~nope/ack", "{}", office.post()).status, 404);
  EXPECT_EQ(HttpCall(port_, "POST", "/api/colleges/x/close", "[1,2]", office.post()).status, 404);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/stream?after=abc", "", office.get()).status, 400);
  // Still serving.
  EXPECT_EQ(HttpCall(port_, "GET", "/api/snapshot", "", office.get()).status, 200);
}

TEST_F(SupervisorApiTest, PostsWithoutTheCsrfTokenAreRefused) {
  Login office = LogIn("office");
  HttpResult r =
      HttpCall(port_, "POST", std::string("/api/colleges/") + "%E8%89%BA%E6%9C%AF%E5%AD%A6%E9%99%A2/close",
               "{}", office.get());
  EXPECT_EQ(r.status, 403);
  Headers cross = office.post();
  cross.emplace_back("Origin", "http://evil.example");
  EXPECT_EQ(HttpCall(port_, "POST", "/api/logout", "", cross).status, 403);
  EXPECT_TRUE(fake_b_->admin_requests().empty());
}

TEST_F(SupervisorApiTest, CollegeLeadSeesOnlyTheirCollegeInSnapshotAndApi) {
  Login lead = LogIn("infolead");
  Json snapshot = Json::parse(HttpCall(port_, "GET", "/api/snapshot", "", lead.get()).body);
  ASSERT_EQ(snapshot["booths"].size(), 1u);
  EXPECT_EQ(snapshot["booths"][0]["id"], "B1");
  ASSERT_EQ(snapshot["colleges"].size(), 1u);
  EXPECT_EQ(snapshot["colleges"][0]["college"], kInfo);
  EXPECT_EQ(snapshot["shards"].size(), 2u);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/booths/B7", "", lead.get()).status, 403);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/booths/B1", "", lead.get()).status, 200);
  const std::string arts = "/api/colleges/%E8%89%BA%E6%9C%AF%E5%AD%A6%E9%99%A2";
  EXPECT_EQ(HttpCall(port_, "GET", arts, "", lead.get()).status, 403);
  EXPECT_EQ(HttpCall(port_, "POST", arts + "/close", "{}", lead.post()).status, 403);
  EXPECT_TRUE(fake_b_->admin_requests().empty());
  Login office = LogIn("office");
  Json all = Json::parse(HttpCall(port_, "GET", "/api/snapshot", "", office.get()).body);
  EXPECT_EQ(all["booths"].size(), 2u);
  EXPECT_EQ(all["colleges"].size(), 2u);
}

TEST_F(SupervisorApiTest, StreamSendsChangesAndResumesWithoutLossOrDoubles) {
  Login office = LogIn("office");
  SseReader stream;
  ASSERT_EQ(stream.Open(port_, "/api/stream", office.get()), 200);
  std::optional<testing::SseEvent> first = stream.Next(5000);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->event, "snapshot");
  Json snapshot = Json::parse(first->data);
  const std::string run = snapshot["run"];
  uint64_t seq = snapshot["seq"];

  const auto start = std::chrono::steady_clock::now();
  fake_a_->PutBooth(Booth("B1", kInfo, 3));
  std::optional<testing::SseEvent> change = stream.Next(5000);
  ASSERT_TRUE(change.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  Json json = Json::parse(change->data);
  EXPECT_EQ(json["kind"], "booth");
  EXPECT_EQ(json["value"]["waiting"], 3);
  EXPECT_GT(json["seq"].get<uint64_t>(), seq);
  seq = json["seq"];
  stream.Close();

  // While nobody listens: three changes.
  fake_a_->PutBooth(Booth("B1", kInfo, 4));
  fake_b_->PutBooth(Booth("B7", kArts, 2));
  fake_a_->PutBooth(Booth("B1", kInfo, 5));
  ASSERT_TRUE(fake_a_->WaitFor([&] { return service_->view().seq() >= seq + 3; }, 5000));
  ASSERT_EQ(stream.Open(port_, "/api/stream?after=" + std::to_string(seq) + "&run=" + run, office.get()),
            200);
  // Each shard's last state arrives, numbered after `seq`, in order; a
  // change superseded within the batch (B1=4 by B1=5) may be left out.
  std::map<std::string, int> waiting;
  uint64_t previous = seq;
  while (waiting["B1"] != 5 || waiting["B7"] != 2) {
    std::optional<testing::SseEvent> next = stream.Next(5000);
    ASSERT_TRUE(next.has_value());
    ASSERT_EQ(next->event, "change");
    Json c = Json::parse(next->data);
    ASSERT_GT(c["seq"].get<uint64_t>(), previous);
    previous = c["seq"];
    waiting[c["value"]["id"].get<std::string>()] = c["value"]["waiting"].get<int>();
  }
  EXPECT_LE(previous, seq + 3);
  // A resume from another run of the supervisor gets a snapshot.
  ASSERT_EQ(stream.Open(port_, "/api/stream?after=3&run=elsewhere", office.get()), 200);
  EXPECT_EQ(stream.Next(5000)->event, "snapshot");
}

TEST_F(SupervisorApiTest, LogoutEndsTheSessionAndItsOpenStream) {
  Login office = LogIn("office");
  SseReader stream;
  ASSERT_EQ(stream.Open(port_, "/api/stream", office.get()), 200);
  ASSERT_EQ(stream.Next(5000)->event, "snapshot");
  ASSERT_EQ(HttpCall(port_, "POST", "/api/logout", "", office.post()).status, 200);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/snapshot", "", office.get()).status, 401);
  service_->Tick();
  for (int i = 0; i < 50 && !stream.closed(); ++i) stream.Next(100);
  EXPECT_TRUE(stream.closed());
}

TEST_F(SupervisorApiTest, CollegeLeadStreamCarriesNothingOfOtherColleges) {
  Login lead = LogIn("infolead");
  SseReader stream;
  ASSERT_EQ(stream.Open(port_, "/api/stream", lead.get()), 200);
  ASSERT_EQ(stream.Next(5000)->event, "snapshot");
  fake_b_->PutBooth(Booth("B7", kArts, 6));
  fake_a_->PutBooth(Booth("B1", kInfo, 1));
  std::optional<testing::SseEvent> next = stream.Next(5000);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(Json::parse(next->data)["value"]["id"], "B1");
  EXPECT_EQ(next->data.find(kArts), std::string::npos);
}

TEST_F(SupervisorApiTest, AcknowledgementGoesToTheShardNamingTheUser) {
  v1::LiveAlert alert;
  alert.set_id("L9.0");
  alert.set_college(kArts);
  alert.mutable_alert()->set_kind(v1::ALERT_SCAN_BURST);
  alert.mutable_alert()->set_booth("B7");
  fake_b_->PutAlert(alert);
  ASSERT_TRUE(fake_b_->WaitFor([&] { return service_->view().FindAlert(1, "L9.0").has_value(); }, 5000));
  Login lead = LogIn("infolead");
  EXPECT_EQ(HttpCall(port_, "POST", "/api/alerts/1~L9.0/ack", "{}", lead.post()).status, 403);
  Login office = LogIn("office");
  HttpResult r =
      HttpCall(port_, "POST", "/api/alerts/1~L9.0/ack", R"({"note":"checked the phones"})", office.post());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["acknowledged"], true);
  std::vector<v1::AdminRequest> requests = fake_b_->admin_requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].actor(), "office");
  EXPECT_EQ(requests[0].ack_alert().id(), "L9.0");
  EXPECT_EQ(requests[0].ack_alert().note(), "by office: checked the phones");
  EXPECT_TRUE(fake_a_->admin_requests().empty());
}

TEST_F(SupervisorApiTest, CloseWhileStudentsWaitNeedsAnOverrideReason) {
  Login lead = LogIn("infolead");
  const std::string close = "/api/colleges/%E4%BF%A1%E6%81%AF%E5%B7%A5%E7%A8%8B%E5%AD%A6%E9%99%A2/close";
  HttpResult refused = HttpCall(port_, "POST", close, "{}", lead.post());
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("override"), std::string::npos);
  HttpResult closed = HttpCall(port_, "POST", close, R"({"override":"two went to the clinic"})", lead.post());
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(Json::parse(closed.body)["closed"], true);
  EXPECT_EQ(fake_a_->admin_requests().back().close().override_reason(),
            "two went to the clinic (by infolead)");
  EXPECT_EQ(fake_a_->admin_requests().back().actor(), "infolead");
}

TEST_F(SupervisorApiTest, PhotosOnlyWithTheRightAndOnlyOfTheirCollege) {
  v1::BoothState booth = Booth("B1", kInfo, 0);
  auto* photo = booth.add_recent();
  photo->set_shooting_no(1);
  photo->set_photo_sha256(std::string(32, '\xab'));
  booth.add_recent_colleges(kInfo);
  fake_a_->PutPhoto(std::string(32, '\xab'), "JPEGBYTES");
  fake_a_->PutBooth(booth);
  ASSERT_TRUE(fake_a_->WaitFor(
      [&] { return service_->view().FindPhoto(std::string(32, '\xab')).has_value(); }, 5000));
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += "ab";
  Login lead = LogIn("infolead");
  EXPECT_EQ(HttpCall(port_, "GET", "/api/photos/" + hex, "", lead.get()).status, 403);
  Login office = LogIn("office");
  HttpResult r = HttpCall(port_, "GET", "/api/photos/" + hex, "", office.get());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "JPEGBYTES");
  EXPECT_EQ(r.headers["content-type"], "image/jpeg");
  EXPECT_EQ(HttpCall(port_, "GET", "/api/photos/" + std::string(64, 'c'), "", office.get()).status, 404);
}

TEST_F(SupervisorApiTest, RestartedCoordinatorReachesOpenStreamsAsChanges) {
  Login office = LogIn("office");
  SseReader stream;
  ASSERT_EQ(stream.Open(port_, "/api/stream", office.get()), 200);
  ASSERT_EQ(stream.Next(5000)->event, "snapshot");
  fake_a_->Restart("a-2", /*clear=*/true);
  fake_a_->PutBooth(Booth("B2", kInfo, 1));
  // B1 and 信息工程学院 are gone after the restart, B2 is new: as changes, not a snapshot.
  std::set<std::string> seen;
  while (seen.size() < 3) {
    std::optional<testing::SseEvent> next = stream.Next(5000);
    ASSERT_TRUE(next.has_value());
    ASSERT_EQ(next->event, "change");
    Json c = Json::parse(next->data);
    if (c["kind"] == "shard") continue;
    seen.insert(c["value"]["key"].get<std::string>() + (c["removed"].get<bool>() ? " removed" : ""));
  }
  EXPECT_EQ(seen, (std::set<std::string>{"0/B1 removed", "0/B2", std::string(kInfo) + " removed"}));
}

TEST_F(SupervisorApiTest, AThousandIdleConnectionsDoNotStopService) {
  Login office = LogIn("office");
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    const int fd = testing::OpenIdleConnection(port_);
    ASSERT_GE(fd, 0) << i;
    idle.push_back(fd);
  }
  const auto start = std::chrono::steady_clock::now();
  HttpResult r = HttpCall(port_, "GET", "/api/snapshot", "", office.get());
  EXPECT_EQ(r.status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  for (int fd : idle) testing::CloseConnection(fd);
}

}  // namespace
}  // namespace gradcap
