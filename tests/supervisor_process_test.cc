// The supervisor with real processes: two coordinator shards, the supervisor
// binary, `gradcap users` and `gradcap watch`. A scan reaches the stream
// within a second; each college lead sees only their college; an alert
// acknowledged and a college closed through the page's API land in the real
// coordinator's log with the user's name; a coordinator SIGKILLed and started
// again is survived with the coordinator's state and nothing lost; with CURVE
// the supervisor signs in with its enrolled admin key.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "common/temp_dir.h"
#include "supervisor/http_client_for_tests.h"
#include "tests/process.h"
#include "tests/supervisor_fixture.h"

namespace gradcap {
namespace {

using Json = nlohmann::json;
using testing::HttpCall;
using testing::HttpResult;
using testing::SseReader;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr char kInfo[] = "信息工程学院";
constexpr char kEcon[] = "经济管理学院";

struct Session {
  Headers get, post;
};

Session LogIn(int port, const std::string& user) {
  HttpResult r =
      HttpCall(port, "POST", "/api/login", "{\"user\":\"" + user + "\",\"password\":\"pw-" + user + "\"}");
  EXPECT_EQ(r.status, 200) << r.body;
  const std::string cookie = r.headers["set-cookie"].substr(0, r.headers["set-cookie"].find(';'));
  const std::string csrf = r.status == 200 ? Json::parse(r.body)["csrf"].get<std::string>() : "";
  return {{{"Cookie", cookie}}, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}};
}

std::string UrlEscape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// Reads change events until `want` holds for one; its JSON.
std::optional<Json> UntilChange(SseReader& stream, const std::function<bool(const Json&)>& want,
                                int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<testing::SseEvent> event = stream.Next(500);
    if (!event) {
      if (stream.closed()) return std::nullopt;
      continue;
    }
    if (event->event != "change") continue;
    Json json = Json::parse(event->data);
    if (want(json)) return json;
  }
  return std::nullopt;
}

class SupervisorProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    fixture_ = std::make_unique<testing::SupervisorFixture>(dir_.path());
    info_ = &fixture_->AddShard(kInfo, "B1");
    econ_ = &fixture_->AddShard(kEcon, "B2");
  }
  TempDir dir_;
  std::unique_ptr<testing::SupervisorFixture> fixture_;
  testing::Shard* info_ = nullptr;
  testing::Shard* econ_ = nullptr;
};

TEST_F(SupervisorProcessTest, TwoShardsBehindOneSupervisorEachLeadSeesOnlyTheirCollege) {
  fixture_->StartCoordinator(*info_);
  fixture_->StartCoordinator(*econ_);
  fixture_->AddUser("office", "office");
  fixture_->AddUser("econlead", "college", kEcon);
  const int port = fixture_->StartSupervisor();
  Session office = LogIn(port, "office");
  SseReader stream;
  ASSERT_EQ(stream.Open(port, "/api/stream", office.get), 200);
  // The merged snapshot holds both shards once both have answered.
  Json snapshot;
  for (int i = 0; i < 100; ++i) {
    snapshot = Json::parse(HttpCall(port, "GET", "/api/snapshot", "", office.get).body);
    if (snapshot["colleges"].size() == 2) break;
    ASSERT_TRUE(stream.Next(200).has_value() || !stream.closed());
  }
  ASSERT_EQ(snapshot["colleges"].size(), 2u) << snapshot.dump();
  ASSERT_EQ(snapshot["booths"].size(), 2u);
  EXPECT_EQ(snapshot["booths"][0]["id"], "B1");
  EXPECT_EQ(snapshot["booths"][0]["shard"], 0);
  EXPECT_EQ(snapshot["booths"][1]["id"], "B2");
  EXPECT_EQ(snapshot["booths"][1]["shard"], 1);

  // A scan at shard 1's booth is on the stream within a second.
  const auto scanned = std::chrono::steady_clock::now();
  ASSERT_TRUE(fixture_->Scan(*econ_, "S2022031").outcome().accepted());
  std::optional<Json> change = UntilChange(
      stream,
      [](const Json& c) {
        return c["kind"] == "booth" && c["value"]["id"] == "B2" && c["value"]["waiting"] == 1;
      },
      5000);
  ASSERT_TRUE(change.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - scanned, std::chrono::seconds(1));
  EXPECT_EQ((*change)["value"]["queue"][0]["student_no"], "S2022031");
  EXPECT_FALSE((*change)["value"]["queue"][0]["name"].get<std::string>().empty());  // office: names

  Session lead = LogIn(port, "econlead");
  Json scoped = Json::parse(HttpCall(port, "GET", "/api/snapshot", "", lead.get).body);
  ASSERT_EQ(scoped["booths"].size(), 1u);
  EXPECT_EQ(scoped["booths"][0]["id"], "B2");
  EXPECT_FALSE(scoped["booths"][0]["queue"][0].contains("name"));  // no photos right: masked only
  ASSERT_EQ(scoped["colleges"].size(), 1u);
  EXPECT_EQ(HttpCall(port, "GET", "/api/booths/B1", "", lead.get).status, 403);
  EXPECT_EQ(HttpCall(port, "GET", "/api/colleges/" + UrlEscape(kInfo), "", lead.get).status, 403);
  EXPECT_EQ(HttpCall(port, "POST", "/api/colleges/" + UrlEscape(kInfo) + "/close", "{}", lead.post).status,
            403);
}

TEST_F(SupervisorProcessTest, AcknowledgementAndCloseLandInTheCoordinatorWithTheUsersName) {
  fixture_->StartCoordinator(*info_);
  fixture_->StartCoordinator(*econ_);
  fixture_->AddUser("wang", "office");
  const int port = fixture_->StartSupervisor();
  Session wang = LogIn(port, "wang");
  SseReader stream;
  ASSERT_EQ(stream.Open(port, "/api/stream", wang.get), 200);
  ASSERT_TRUE(fixture_->Scan(*info_, "S2021001").outcome().accepted());
  ASSERT_EQ(fixture_->Scan(*info_, "S2021001").outcome().reason(), v1::REASON_DUPLICATE_SCAN);
  std::optional<Json> raised = UntilChange(
      stream, [](const Json& c) { return c["kind"] == "alert" && c["value"]["kind"] == "duplicate_scan"; },
      5000);
  ASSERT_TRUE(raised.has_value());
  const std::string key = (*raised)["value"]["key"];
  HttpResult ack = HttpCall(port, "POST", "/api/alerts/" + UrlEscape(key) + "/ack",
                            R"({"note":"friend's phone, sent back"})", wang.post);
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(Json::parse(ack.body)["acknowledged_by"], "wang");
  std::optional<Json> shown = UntilChange(
      stream,
      [&](const Json& c) {
        return c["kind"] == "alert" && c["value"]["key"] == key && c["value"]["acknowledged"] == true;
      },
      5000);
  ASSERT_TRUE(shown.has_value());
  EXPECT_EQ((*shown)["value"]["note"], "by wang: friend's phone, sent back");

  const std::string close = "/api/colleges/" + UrlEscape(kInfo) + "/close";
  HttpResult refused = HttpCall(port, "POST", close, "{}", wang.post);
  EXPECT_EQ(refused.status, 409) << refused.body;
  HttpResult closed =
      HttpCall(port, "POST", close, R"({"override":"S2021001 went to the clinic"})", wang.post);
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_TRUE(Json::parse(closed.body)["closed"].get<bool>());
  std::string out;
  ASSERT_EQ(testing::RunCommand({GRADCAP_BIN, "reconcile", "--coordinator", info_->admin_endpoint,
                                 "--college", kInfo, "--json"},
                                &out),
            0)
      << out;
  EXPECT_NE(out.find("\"closed\":true"), std::string::npos) << out;
}

TEST_F(SupervisorProcessTest, RestartedCoordinatorIsSurvivedAndTheStreamEndsWithItsState) {
  fixture_->StartCoordinator(*info_);
  fixture_->StartCoordinator(*econ_);
  fixture_->AddUser("office", "office");
  const int port = fixture_->StartSupervisor();
  Session office = LogIn(port, "office");
  SseReader stream;
  ASSERT_EQ(stream.Open(port, "/api/stream", office.get), 200);
  ASSERT_TRUE(fixture_->Scan(*info_, "S2021001").outcome().accepted());
  ASSERT_TRUE(UntilChange(
      stream, [](const Json& c) { return c["kind"] == "booth" && c["value"]["waiting"] == 1; }, 5000));
  uint64_t last = 0;
  fixture_->KillCoordinator(*info_);
  fixture_->StartCoordinator(*info_);
  ASSERT_TRUE(fixture_->Scan(*info_, "S2021002").outcome().accepted());
  std::optional<Json> after = UntilChange(
      stream,
      [&](const Json& c) {
        last = c["seq"];
        return c["kind"] == "booth" && c["value"]["id"] == "B1" && c["value"]["waiting"] == 2;
      },
      15000);
  ASSERT_TRUE(after.has_value()) << "the restarted coordinator's change did not reach the stream";
  Json coordinator = Json::parse(fixture_->BoothJson(*info_, "B1"));
  Json supervisor = Json::parse(HttpCall(port, "GET", "/api/booths/B1", "", office.get).body);
  ASSERT_EQ(supervisor["queue"].size(), coordinator["state"]["queue"].size()) << coordinator.dump();
  for (size_t i = 0; i < supervisor["queue"].size(); ++i) {
    EXPECT_EQ(supervisor["queue"][i]["shooting_no"], coordinator["state"]["queue"][i]["shooting_no"]);
  }
  // A page that resumes from the last number gets nothing twice.
  SseReader resumed;
  ASSERT_EQ(resumed.Open(port, "/api/stream?after=" + std::to_string(last), office.get), 200);
  std::optional<testing::SseEvent> next = resumed.Next(300);
  EXPECT_TRUE(!next.has_value() || (next->event == "change" && std::stoull(next->id) > last));
}

TEST_F(SupervisorProcessTest, WithCurveTheSupervisorSignsInWithItsAdminKey) {
  const std::string keys = dir_.Sub("keys");
  std::string out;
  ASSERT_EQ(testing::RunCommand({GRADCAP_BIN, "transport-keys", "init", "--keys", keys}, &out), 0) << out;
  ASSERT_EQ(
      testing::RunCommand({GRADCAP_BIN, "transport-keys", "enroll", "--keys", keys, "--booth", "B1"}, &out),
      0);
  ASSERT_EQ(testing::RunCommand(
                {GRADCAP_BIN, "transport-keys", "enroll", "--keys", keys, "--admin", "supervisor"}, &out),
            0)
      << out;
  fixture_->StartCoordinator(*info_, keys);
  fixture_->AddUser("li", "office");
  fixture_->shards().pop_back();  // shard 1 is not started: this supervisor watches shard 0 alone
  const int port = fixture_->StartSupervisor(keys, "supervisor");
  Session li = LogIn(port, "li");
  SseReader stream;
  ASSERT_EQ(stream.Open(port, "/api/stream", li.get), 200);
  ASSERT_TRUE(fixture_->Scan(*info_, "S2021001").outcome().accepted());
  ASSERT_EQ(fixture_->Scan(*info_, "S2021001").outcome().reason(), v1::REASON_DUPLICATE_SCAN);
  std::optional<Json> raised = UntilChange(
      stream, [](const Json& c) { return c["kind"] == "alert" && c["value"]["kind"] == "duplicate_scan"; },
      10000);
  ASSERT_TRUE(raised.has_value()) << testing::ReadFile(dir_.Sub("supervisor.log"));
  HttpResult ack =
      HttpCall(port, "POST", "/api/alerts/" + UrlEscape((*raised)["value"]["key"]) + "/ack", "{}", li.post);
  ASSERT_EQ(ack.status, 200) << ack.body;
  // The key names the supervisor; the user it acts for follows.
  EXPECT_EQ(Json::parse(ack.body)["acknowledged_by"], "supervisor:li");
  EXPECT_EQ(Json::parse(ack.body)["note"], "by li");
}

TEST_F(SupervisorProcessTest, WatchPrintsTheFloorInTheTerminal) {
  fixture_->StartCoordinator(*info_);
  ASSERT_TRUE(fixture_->Scan(*info_, "S2021001").outcome().accepted());
  std::string out;
  ASSERT_EQ(
      testing::RunCommand({GRADCAP_BIN, "watch", "--coordinator", info_->live_endpoint, "--once"}, &out), 0)
      << out;
  EXPECT_NE(out.find("B1"), std::string::npos) << out;
  EXPECT_NE(out.find("#1 "), std::string::npos) << out;
  EXPECT_NE(out.find(kInfo), std::string::npos) << out;
  EXPECT_EQ(testing::RunCommand({GRADCAP_BIN, "watch"}, &out), 2);
}

TEST(UsersCliTest, AddPasswdRemoveAndRefusals) {
  TempDir dir;
  testing::SupervisorFixture fixture(dir.path());
  fixture.AddUser("office1", "office");
  fixture.AddUser("lead1", "college", std::string(kInfo) + "," + kEcon, /*photos=*/true);
  std::string file = testing::ReadFile(fixture.users_file());
  EXPECT_NE(file.find("$argon2id$"), std::string::npos);
  EXPECT_EQ(file.find("pw-office1"), std::string::npos);
  std::string out;
  ASSERT_EQ(testing::RunCommand({GRADCAP_BIN, "users", "list", "--users", fixture.users_file()}, &out), 0);
  EXPECT_NE(out.find(std::string("lead1\tcollege\t") + kInfo + "," + kEcon + "\tphotos"), std::string::npos)
      << out;
  // Refusals: the same name twice, a lead without a college, a role that is none, no password.
  ChildProcess twice;
  ASSERT_TRUE(twice.Start(
      {GRADCAP_BIN, "users", "add", "--users", fixture.users_file(), "--name", "office1", "--role", "office"},
      dir.Sub("twice.log"), true));
  twice.CloseStdin();
  ASSERT_TRUE(twice.Wait(10000));
  EXPECT_EQ(twice.exit_status(), 1);
  EXPECT_NE(testing::ReadFile(dir.Sub("twice.log")).find("already exists"), std::string::npos);
  EXPECT_EQ(testing::RunCommand({GRADCAP_BIN, "users", "add", "--users", fixture.users_file(), "--name", "x",
                                 "--role", "college"},
                                &out),
            1);
  EXPECT_EQ(testing::RunCommand({GRADCAP_BIN, "users", "add", "--users", fixture.users_file(), "--name", "x",
                                 "--role", "boss"},
                                &out),
            2);
  ASSERT_EQ(testing::RunCommand(
                {GRADCAP_BIN, "users", "remove", "--users", fixture.users_file(), "--name", "lead1"}, &out),
            0)
      << out;
  EXPECT_EQ(testing::RunCommand(
                {GRADCAP_BIN, "users", "remove", "--users", fixture.users_file(), "--name", "lead1"}, &out),
            1);
  const std::string before = testing::ReadFile(fixture.users_file());
  ChildProcess passwd;
  ASSERT_TRUE(
      passwd.Start({GRADCAP_BIN, "users", "passwd", "--users", fixture.users_file(), "--name", "office1"},
                   dir.Sub("passwd.log"), true));
  passwd.WriteLine("a new one");
  passwd.CloseStdin();
  ASSERT_TRUE(passwd.Wait(10000));
  EXPECT_EQ(passwd.exit_status(), 0) << testing::ReadFile(dir.Sub("passwd.log"));
  EXPECT_NE(testing::ReadFile(fixture.users_file()), before);
}

}  // namespace
}  // namespace gradcap
