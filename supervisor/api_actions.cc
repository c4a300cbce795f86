// The API's actions: logging in and out, and what goes to a coordinator's
// admin socket (acknowledging an alert, closing a college, fetching a photo).
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "supervisor/api.h"
#include "supervisor/view_json.h"

namespace gradcap {
namespace {

// The request body as a JSON object; an empty body is an empty object.
std::optional<Json> BodyObject(const HttpRequest& request) {
  if (request.body.empty()) return Json::object();
  Json json = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

// A string member, "" when absent; nullopt when present but not a string.
std::optional<std::string> StringMember(const Json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

void SupervisorApi::Login(const HttpRequest& request, const std::shared_ptr<HttpExchange>& exchange) {
  std::optional<Json> body = BodyObject(request);
  std::optional<std::string> user = body ? StringMember(*body, "user") : std::nullopt;
  std::optional<std::string> password = body ? StringMember(*body, "password") : std::nullopt;
  if (!user || !password || user->empty() || password->empty()) {
    return exchange->Reply(ErrorResponse(400, "send JSON {\"user\": NAME, \"password\": PASSWORD}"));
  }
  auto task = [this, exchange, user = *user, password = *password, address = request.remote_address] {
    Auth::LoginOutcome outcome = auth_->Login(user, password, address);
    switch (outcome.result) {
      case Auth::LoginOutcome::Result::kThrottled: {
        const int64_t seconds = (outcome.retry_after_ms + 999) / 1000;
        HttpResponse response =
            ErrorResponse(429, absl::StrCat("too many wrong passwords: try again in ", seconds, " s"));
        response.headers.emplace_back("Retry-After", absl::StrCat(seconds));
        exchange->Reply(std::move(response));
        return;
      }
      case Auth::LoginOutcome::Result::kWrong:
        exchange->Reply(ErrorResponse(401, "wrong user name or password"));
        return;
      case Auth::LoginOutcome::Result::kOk: {
        Json json = {{"user", UserJson(outcome.user)},
                     {"csrf", outcome.session.csrf},
                     {"expires_ms", outcome.session.expires_ms}};
        HttpResponse response = JsonResponse(200, json.dump());
        response.headers.emplace_back("Set-Cookie", auth_->SessionCookie(outcome.session));
        exchange->Reply(std::move(response));
        return;
      }
    }
  };
  if (!logins_.Add(std::move(task)))
    exchange->Reply(ErrorResponse(503, "too many logins at once: try again"));
}

void SupervisorApi::Logout(const Caller& caller, const std::shared_ptr<HttpExchange>& exchange) {
  auth_->Logout(caller);
  HttpResponse response = JsonResponse(200, "{\"ok\":true}");
  response.headers.emplace_back("Set-Cookie", auth_->ClearedCookie());
  exchange->Reply(std::move(response));
}

void SupervisorApi::AckAlert(const Caller& caller, const std::string& key, const HttpRequest& request,
                             const std::shared_ptr<HttpExchange>& exchange) {
  std::optional<std::pair<int, std::string>> parsed = ParseAlertKey(key);
  std::optional<std::pair<int, v1::LiveAlert>> found =
      parsed ? view_->FindAlert(parsed->first, parsed->second) : std::nullopt;
  if (!found) return exchange->Reply(ErrorResponse(404, absl::StrCat("no alert ", key)));
  auto booth_colleges = [this](int shard, const std::string& booth) {
    for (const auto& [s, state] : view_->FindBooth(booth)) {
      if (s == shard) return std::vector<std::string>(state.colleges().begin(), state.colleges().end());
    }
    return std::vector<std::string>{};
  };
  if (!AlertVisible(caller.scope, found->first, found->second, booth_colleges)) {
    return exchange->Reply(
        ErrorResponse(403, absl::StrCat("alert ", key, " concerns none of your colleges")));
  }
  std::optional<Json> body = BodyObject(request);
  std::optional<std::string> note = body ? StringMember(*body, "note") : std::nullopt;
  if (!note) return exchange->Reply(ErrorResponse(400, "send JSON {\"note\": TEXT} (the note may be empty)"));
  if (note->size() > 2000) return exchange->Reply(ErrorResponse(400, "the note is over 2000 bytes"));
  v1::AdminRequest admin;
  admin.set_actor(caller.user.name);
  admin.mutable_ack_alert()->set_id(parsed->second);
  // With CURVE the coordinator names the supervisor's key as actor: the
  // user's name goes into the note too.
  admin.mutable_ack_alert()->set_note(note->empty() ? absl::StrCat("by ", caller.user.name)
                                                    : absl::StrCat("by ", caller.user.name, ": ", *note));
  const int shard = found->first;
  admin_->Call(shard, admin, [exchange, shard](absl::StatusOr<v1::AdminReply> reply) {
    if (!reply.ok()) {
      exchange->Reply(
          ErrorResponse(StatusForAdminError(reply.status()), std::string(reply.status().message())));
      return;
    }
    exchange->Reply(JsonResponse(200, AlertJson(shard, reply->alert()).dump()));
  });
}

void SupervisorApi::Close(const Caller& caller, const std::string& name, const HttpRequest& request,
                          const std::shared_ptr<HttpExchange>& exchange) {
  std::optional<std::pair<int, v1::Reconciliation>> found = view_->FindCollege(name);
  if (!found) return exchange->Reply(ErrorResponse(404, absl::StrCat("no college ", name)));
  if (!caller.scope.Sees(name)) {
    return exchange->Reply(ErrorResponse(403, absl::StrCat(name, " is not one of your colleges")));
  }
  std::optional<Json> body = BodyObject(request);
  std::optional<std::string> override_reason = body ? StringMember(*body, "override") : std::nullopt;
  if (!override_reason) {
    return exchange->Reply(ErrorResponse(400, "send JSON {\"override\": REASON} (empty when nobody waits)"));
  }
  if (override_reason->size() > 2000)
    return exchange->Reply(ErrorResponse(400, "the reason is over 2000 bytes"));
  v1::AdminRequest admin;
  admin.set_actor(caller.user.name);
  admin.mutable_close()->set_college(name);
  if (!override_reason->empty()) {
    admin.mutable_close()->set_override_reason(
        absl::StrCat(*override_reason, " (by ", caller.user.name, ")"));
  }
  const int shard = found->first;
  admin_->Call(shard, admin, [exchange, shard](absl::StatusOr<v1::AdminReply> reply) {
    if (!reply.ok()) {
      exchange->Reply(
          ErrorResponse(StatusForAdminError(reply.status()), std::string(reply.status().message())));
      return;
    }
    exchange->Reply(JsonResponse(200, CollegeJson(shard, reply->head_count()).dump()));
  });
}

void SupervisorApi::Photo(const Caller& caller, const std::string& hex,
                          const std::shared_ptr<HttpExchange>& exchange) {
  if (!caller.scope.photos) {
    return exchange->Reply(ErrorResponse(403, "you may not see photos (ask for the photos right)"));
  }
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return exchange->Reply(ErrorResponse(400, "a photo is named by its SHA-256 in lower-case hex"));
  }
  const std::string sha256 = absl::HexStringToBytes(hex);
  std::optional<std::pair<int, std::string>> found = view_->FindPhoto(sha256);
  if (!found) return exchange->Reply(ErrorResponse(404, "no recent photo with that digest"));
  if (!caller.scope.Sees(found->second)) {
    return exchange->Reply(ErrorResponse(403, "that photo is of another college's student"));
  }
  v1::AdminRequest admin;
  admin.set_actor(caller.user.name);
  admin.mutable_photo()->set_photo_sha256(sha256);
  admin_->Call(found->first, admin, [exchange](absl::StatusOr<v1::AdminReply> reply) {
    if (!reply.ok()) {
      exchange->Reply(
          ErrorResponse(StatusForAdminError(reply.status()), std::string(reply.status().message())));
      return;
    }
    HttpResponse response;
    response.content_type = "image/jpeg";
    response.body = reply->photo_jpeg();
    response.headers.emplace_back("Cache-Control", "private, max-age=3600");
    exchange->Reply(std::move(response));
  });
}

}  // namespace gradcap
