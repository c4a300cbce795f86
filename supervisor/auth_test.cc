#include "supervisor/auth.h"

#include <gtest/gtest.h>

#include "common/file_util.h"
#include "common/sha256.h"
#include "common/temp_dir.h"
#include "supervisor/secrets.h"

namespace gradcap {
namespace {

TEST(SessionStoreTest, SessionEndsWhenIdleTooLongOrTooOld) {
  ManualClock clock;
  SessionStore sessions(&clock, /*lifetime_ms=*/10000, /*idle_ms=*/3000);
  Session a = sessions.Create("wang");
  clock.Advance(2000);
  ASSERT_TRUE(sessions.Use(a.token).has_value());
  clock.Advance(2000);  // 2 s since last use
  ASSERT_TRUE(sessions.Use(a.token).has_value());
  clock.Advance(3001);
  EXPECT_FALSE(sessions.Use(a.token).has_value());  // idle too long

  Session b = sessions.Create("li");
  for (int i = 0; i < 3; ++i) {
    clock.Advance(2500);
    ASSERT_TRUE(sessions.Use(b.token).has_value()) << i;
  }
  clock.Advance(2500);  // 10 s since login: its lifetime is over although it was used
  EXPECT_FALSE(sessions.Use(b.token).has_value());
  EXPECT_EQ(sessions.size(), 0u);
}

TEST(SessionStoreTest, TokensAreRandomAndLogoutEndsTheSession) {
  ManualClock clock;
  SessionStore sessions(&clock, 10000, 10000);
  Session a = sessions.Create("wang"), b = sessions.Create("wang");
  EXPECT_NE(a.token, b.token);
  EXPECT_NE(a.csrf, a.token);
  EXPECT_EQ(a.token.size(), 64u);
  sessions.Remove(a.token);
  EXPECT_FALSE(sessions.Use(a.token).has_value());
  EXPECT_TRUE(sessions.Use(b.token).has_value());
  sessions.RemoveUser("wang");
  EXPECT_FALSE(sessions.Use(b.token).has_value());
}

TEST(LoginThrottleTest, WrongPasswordsForOneUserAreSlowedDownDoubling) {
  ManualClock clock;
  LoginThrottle throttle(&clock);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle.RetryAfterMs("wang", "10.0.0.1"), 0);
    throttle.RecordFailure("wang", "10.0.0." + std::to_string(i));
  }
  EXPECT_EQ(throttle.RetryAfterMs("wang", "10.0.0.9"), 0);  // three are free
  throttle.RecordFailure("wang", "10.0.0.9");
  EXPECT_EQ(throttle.RetryAfterMs("wang", "10.0.0.9"), 1000);
  EXPECT_EQ(throttle.RetryAfterMs("li", "10.0.0.9"), 0);  // another user from another address
  clock.Advance(1000);
  throttle.RecordFailure("wang", "10.0.0.9");
  EXPECT_EQ(throttle.RetryAfterMs("wang", "10.0.0.9"), 2000);
  clock.Advance(2000);
  throttle.RecordSuccess("wang");
  EXPECT_EQ(throttle.RetryAfterMs("wang", "10.0.0.9"), 0);
}

TEST(LoginThrottleTest, OneAddressTryingManyNamesIsSlowedDown) {
  ManualClock clock;
  LoginThrottle throttle(&clock);
  for (int i = 0; i < 10; ++i) throttle.RecordFailure("user" + std::to_string(i), "10.0.0.7");
  EXPECT_EQ(throttle.RetryAfterMs("someone", "10.0.0.7"), 0);
  throttle.RecordFailure("user10", "10.0.0.7");
  EXPECT_GT(throttle.RetryAfterMs("someone", "10.0.0.7"), 0);
  EXPECT_EQ(throttle.RetryAfterMs("someone", "10.0.0.8"), 0);
  clock.Advance(16 * 60 * 1000);
  EXPECT_EQ(throttle.RetryAfterMs("someone", "10.0.0.7"), 0);  // forgotten after quiet minutes
}

TEST(UsersFileTest, RoundTripAndRefusals) {
  TempDir dir;
  UsersFile file;
  ASSERT_TRUE(file.Add({"office1", Role::kOffice, {}, true, "h1"}).ok());
  ASSERT_TRUE(file.Add({"xxy", Role::kCollege, {"信息工程学院"}, false, "h2"}).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(file.Add({"xxy", Role::kOffice, {}, false, "h"})));
  EXPECT_TRUE(absl::IsInvalidArgument(file.Add({"nocollege", Role::kCollege, {}, false, "h"})));
  EXPECT_TRUE(absl::IsInvalidArgument(file.Add({"has space", Role::kOffice, {}, false, "h"})));
  ASSERT_TRUE(file.Save(dir.Sub("users.json")).ok());
  absl::StatusOr<UsersFile> loaded = UsersFile::Load(dir.Sub("users.json"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_NE(loaded->Find("xxy"), nullptr);
  EXPECT_EQ(loaded->Find("xxy")->colleges, std::vector<std::string>{"信息工程学院"});
  EXPECT_TRUE(loaded->Find("office1")->photos);
  EXPECT_TRUE(absl::IsNotFound(UsersFile::Load(dir.Sub("missing.json")).status()));
  ASSERT_TRUE(WriteFileAtomically(dir.Sub("bad.json"), "{\"users\": 3}").ok());
  EXPECT_TRUE(absl::IsInvalidArgument(UsersFile::Load(dir.Sub("bad.json")).status()));
}

TEST(ScopeTest, OfficeSeesAllCollegeLeadOnlyTheirs) {
  Scope office = ScopeOf({"o", Role::kOffice, {}, true, ""});
  Scope lead = ScopeOf({"l", Role::kCollege, {"A", "B"}, false, ""});
  EXPECT_TRUE(office.Sees("C"));
  EXPECT_TRUE(lead.Sees("B"));
  EXPECT_FALSE(lead.Sees("C"));
  EXPECT_FALSE(lead.Sees(""));
  EXPECT_NE(office.key(), lead.key());
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    UsersFile file;
    ASSERT_TRUE(file.Add({"wang", Role::kOffice, {}, true, HashPassword("right horse").value()}).ok());
    ASSERT_TRUE(file.Save(dir_.Sub("users.json")).ok());
    AuthOptions options;
    options.users_path = dir_.Sub("users.json");
    auth_ = std::move(Auth::Create(options, &clock_).value());
  }
  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Auth> auth_;
};

TEST_F(AuthTest, RightPasswordGivesASessionTheCookieFinds) {
  EXPECT_EQ(auth_->Login("wang", "wrong", "127.0.0.1").result, Auth::LoginOutcome::Result::kWrong);
  EXPECT_EQ(auth_->Login("nobody", "right horse", "127.0.0.1").result, Auth::LoginOutcome::Result::kWrong);
  Auth::LoginOutcome ok = auth_->Login("wang", "right horse", "127.0.0.1");
  ASSERT_EQ(ok.result, Auth::LoginOutcome::Result::kOk);
  const std::string cookie = auth_->SessionCookie(ok.session);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  HttpRequest request;
  request.headers["cookie"] = "other=1; " + cookie.substr(0, cookie.find(';'));
  std::optional<Caller> caller = auth_->Identify(request);
  ASSERT_TRUE(caller.has_value());
  EXPECT_EQ(caller->user.name, "wang");
  EXPECT_TRUE(caller->scope.all_colleges);
}

TEST_F(AuthTest, PostsNeedTheCsrfTokenAndThisOrigin) {
  Auth::LoginOutcome ok = auth_->Login("wang", "right horse", "127.0.0.1");
  Caller caller{ok.session, ok.user, ScopeOf(ok.user)};
  HttpRequest request;
  request.headers["host"] = "127.0.0.1:8080";
  EXPECT_FALSE(auth_->CsrfOk(caller, request));
  request.headers[kCsrfHeader] = ok.session.csrf;
  EXPECT_TRUE(auth_->CsrfOk(caller, request));
  request.headers["origin"] = "http://127.0.0.1:8080";
  EXPECT_TRUE(auth_->CsrfOk(caller, request));
  request.headers["origin"] = "http://evil.example";
  EXPECT_FALSE(auth_->CsrfOk(caller, request));
  request.headers["origin"] = "http://127.0.0.1:8080";
  request.headers[kCsrfHeader] = ok.session.token;
  EXPECT_FALSE(auth_->CsrfOk(caller, request));
}

TEST_F(AuthTest, RemovedUserLosesTheSessionAtOnce) {
  Auth::LoginOutcome ok = auth_->Login("wang", "right horse", "127.0.0.1");
  HttpRequest request;
  request.headers["cookie"] = std::string(kSessionCookie) + "=" + ok.session.token;
  ASSERT_TRUE(auth_->Identify(request).has_value());
  UsersFile file = UsersFile::Load(dir_.Sub("users.json")).value();
  ASSERT_TRUE(file.Remove("wang").ok());
  ASSERT_TRUE(file.Add({"li", Role::kOffice, {}, true, "x"}).ok());
  ASSERT_TRUE(file.Save(dir_.Sub("users.json")).ok());
  EXPECT_FALSE(auth_->Identify(request).has_value());
}

}  // namespace
}  // namespace gradcap
