#include "supervisor/api.h"

#include <algorithm>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/file_util.h"
#include "common/json_text.h"
#include "supervisor/view_json.h"
#include "supervisor/web_assets.h"

namespace gradcap {

HttpResponse JsonResponse(int status, const std::string& json) {
  HttpResponse response;
  response.status = status;
  response.body = json;
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

HttpResponse ErrorResponse(int status, const std::string& message) {
  return JsonResponse(status, absl::StrCat("{\"error\":", JsonQuote(message), "}"));
}

int StatusForAdminError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
      return 409;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 502;
  }
}

std::optional<std::string> PercentDecode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int value = 0;
    if (i + 2 >= text.size() + 0 || !absl::SimpleHexAtoi(text.substr(i + 1, 2), &value)) return std::nullopt;
    if (value == 0) return std::nullopt;
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

std::string QueryValue(const std::string& query, const std::string& name) {
  for (absl::string_view pair : absl::StrSplit(query, '&')) {
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    std::string value(eq == absl::string_view::npos ? "" : pair.substr(eq + 1));
    std::replace(value.begin(), value.end(), '+', ' ');
    return PercentDecode(value).value_or("");
  }
  return "";
}

SupervisorApi::SupervisorApi(Auth* auth, MergedView* view, AdminCalls* admin, std::string web_dir)
    : auth_(auth), view_(view), admin_(admin), web_dir_(std::move(web_dir)), hub_(view) {}

void SupervisorApi::OnViewChanged() {
  if (server_ == nullptr || flush_pending_.exchange(true)) return;
  server_->Post([this] {
    flush_pending_ = false;
    hub_.Flush();
  });
}

void SupervisorApi::Tick() {
  if (server_ != nullptr) server_->Post([this] { hub_.Ping(); });
}

void SupervisorApi::Handle(const HttpRequest& request, std::shared_ptr<HttpExchange> exchange) {
  Route(request, exchange);
}

void SupervisorApi::ServePage(const HttpRequest& request, const std::shared_ptr<HttpExchange>& exchange) {
  const std::string path = request.path == "/" ? "/index.html" : request.path;
  const WebAsset* asset = FindWebAsset(path);
  if (asset == nullptr) {
    exchange->Reply(ErrorResponse(404, absl::StrCat("nothing at ", request.path)));
    return;
  }
  HttpResponse response;
  response.content_type = asset->content_type;
  response.body = std::string(asset->body);
  if (!web_dir_.empty()) {
    if (absl::StatusOr<std::string> file = ReadWholeFile(web_dir_ + path); file.ok()) response.body = *file;
  }
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' blob: data:; frame-ancestors 'none'");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  exchange->Reply(std::move(response));
}

void SupervisorApi::Route(const HttpRequest& request, const std::shared_ptr<HttpExchange>& exchange) {
  const bool get = request.method == HttpMethod::kGet || request.method == HttpMethod::kHead;
  const bool post = request.method == HttpMethod::kPost;
  if (request.path.rfind("/api/", 0) != 0) {
    if (!get) {
      exchange->Reply(ErrorResponse(405, "only GET here"));
      return;
    }
    ServePage(request, exchange);
    return;
  }
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(request.path.substr(5), '/')) {
    std::optional<std::string> decoded = PercentDecode(std::string(part));
    if (!decoded) {
      exchange->Reply(ErrorResponse(400, "the path is not properly percent-encoded"));
      return;
    }
    parts.push_back(std::move(*decoded));
  }
  const std::string first = parts[0];
  if (first == "login") {
    if (!post) return exchange->Reply(ErrorResponse(405, "log in with POST"));
    return Login(request, exchange);
  }
  std::optional<Caller> caller = auth_->Identify(request);
  if (!caller) {
    HttpResponse response = ErrorResponse(401, "not logged in, or the session expired: log in again");
    return exchange->Reply(std::move(response));
  }
  if (post && !auth_->CsrfOk(*caller, request)) {
    return exchange->Reply(ErrorResponse(
        403, "missing or wrong X-CSRF-Token (or a request from another site): reload the page"));
  }
  const size_t n = parts.size();
  if (get && n == 1 && first == "me") return Me(*caller, exchange);
  if (get && n == 1 && first == "snapshot") return Snapshot(*caller, exchange);
  if (get && n == 1 && first == "stream") return Stream(*caller, request, exchange);
  if (get && n == 2 && first == "booths") return Booth(*caller, parts[1], exchange);
  if (get && n == 2 && first == "colleges") return College(*caller, parts[1], exchange);
  if (get && n == 2 && first == "photos") return Photo(*caller, parts[1], exchange);
  if (post && n == 1 && first == "logout") return Logout(*caller, exchange);
  if (post && n == 3 && first == "alerts" && parts[2] == "ack")
    return AckAlert(*caller, parts[1], request, exchange);
  if (post && n == 3 && first == "colleges" && parts[2] == "close")
    return Close(*caller, parts[1], request, exchange);
  exchange->Reply(ErrorResponse(get || post ? 404 : 405, absl::StrCat("no such API: ", request.path)));
}

void SupervisorApi::Me(const Caller& caller, const std::shared_ptr<HttpExchange>& exchange) {
  Json json = {{"user", UserJson(caller.user)},
               {"csrf", caller.session.csrf},
               {"expires_ms", caller.session.expires_ms},
               {"run", view_->run()}};
  exchange->Reply(JsonResponse(200, json.dump()));
}

void SupervisorApi::Snapshot(const Caller& caller, const std::shared_ptr<HttpExchange>& exchange) {
  Json json = SnapshotJson(caller.scope, view_->TakeSnapshot());
  json["user"] = UserJson(caller.user);
  exchange->Reply(JsonResponse(200, json.dump()));
}

void SupervisorApi::Stream(const Caller& caller, const HttpRequest& request,
                           const std::shared_ptr<HttpExchange>& exchange) {
  // EventSource resends the last id it saw; the page's own reconnects say
  // ?after=SEQ&run=RUN.
  std::string after_text = request.Header("last-event-id");
  if (after_text.empty()) after_text = QueryValue(request.query, "after");
  uint64_t after = 0;
  if (!after_text.empty() && !absl::SimpleAtoi(after_text, &after)) {
    return exchange->Reply(ErrorResponse(400, "after must be a sequence number"));
  }
  std::string run = QueryValue(request.query, "run");
  if (run.empty() && !after_text.empty()) run = view_->run();  // a bare ?after=SEQ means this run
  if (after_text.empty()) run.clear();                         // nothing seen yet: snapshot first
  HttpResponse head;
  head.content_type = "text/event-stream; charset=utf-8";
  exchange->OpenStream(head, [this, scope = caller.scope, run, after,
                              token = caller.session.token](std::shared_ptr<StreamSink> sink) {
    hub_.Add(std::move(sink), scope, run, after, [this, token] { return auth_->SessionAlive(token); });
  });
}

void SupervisorApi::Booth(const Caller& caller, const std::string& id,
                          const std::shared_ptr<HttpExchange>& exchange) {
  std::vector<std::pair<int, v1::BoothState>> found = view_->FindBooth(id);
  if (found.empty()) return exchange->Reply(ErrorResponse(404, absl::StrCat("no booth ", id)));
  Json list = Json::array();
  for (const auto& [shard, booth] : found) {
    if (BoothVisible(caller.scope, booth)) {
      list.push_back(BoothJson(caller.scope, shard, booth, view_->shard(shard).now_ms));
    }
  }
  if (list.empty()) {
    return exchange->Reply(ErrorResponse(403, absl::StrCat("booth ", id, " serves none of your colleges")));
  }
  exchange->Reply(JsonResponse(200, (list.size() == 1 ? list[0] : list).dump()));
}

void SupervisorApi::College(const Caller& caller, const std::string& name,
                            const std::shared_ptr<HttpExchange>& exchange) {
  std::optional<std::pair<int, v1::Reconciliation>> found = view_->FindCollege(name);
  if (!found) return exchange->Reply(ErrorResponse(404, absl::StrCat("no college ", name)));
  if (!caller.scope.Sees(name)) {
    return exchange->Reply(ErrorResponse(403, absl::StrCat(name, " is not one of your colleges")));
  }
  exchange->Reply(JsonResponse(200, CollegeJson(found->first, found->second).dump()));
}

}  // namespace gradcap
