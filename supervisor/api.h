// The supervisor's HTTP API and page (README, "Watching the floor"): login
// and sessions, the scoped snapshot and the numbered live stream, one booth
// or college, acknowledging an alert, closing a college, a photo. Every
// answer is scoped to the caller (supervisor/view_json.h); 401 without a
// session, 403 for another college's data or a POST without its CSRF token.
// Handle() runs on the HTTP server's thread and never blocks: password checks
// and admin-socket calls run on worker threads.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/clock.h"
#include "supervisor/admin_calls.h"
#include "supervisor/auth.h"
#include "supervisor/http_server.h"
#include "supervisor/merged_view.h"
#include "supervisor/stream_hub.h"
#include "supervisor/work_queue.h"

namespace gradcap {

class SupervisorApi {
 public:
  // `web_dir`: serve the page from there (development) instead of the copy
  // built into the binary.
  SupervisorApi(Auth* auth, MergedView* view, AdminCalls* admin, std::string web_dir);

  // Before serving: the server whose thread runs streams.
  void Attach(HttpServer* server) { server_ = server; }
  void Handle(const HttpRequest& request, std::shared_ptr<HttpExchange> exchange);
  // The merged view changed (any thread): streams get it soon.
  void OnViewChanged();
  // Every few seconds (any thread): keep streams alive.
  void Tick();

 private:
  void Route(const HttpRequest& request, const std::shared_ptr<HttpExchange>& exchange);
  void ServePage(const HttpRequest& request, const std::shared_ptr<HttpExchange>& exchange);
  void Login(const HttpRequest& request, const std::shared_ptr<HttpExchange>& exchange);
  void Logout(const Caller& caller, const std::shared_ptr<HttpExchange>& exchange);
  void Me(const Caller& caller, const std::shared_ptr<HttpExchange>& exchange);
  void Snapshot(const Caller& caller, const std::shared_ptr<HttpExchange>& exchange);
  void Stream(const Caller& caller, const HttpRequest& request,
              const std::shared_ptr<HttpExchange>& exchange);
  void Booth(const Caller& caller, const std::string& id, const std::shared_ptr<HttpExchange>& exchange);
  void College(const Caller& caller, const std::string& name, const std::shared_ptr<HttpExchange>& exchange);
  void AckAlert(const Caller& caller, const std::string& key, const HttpRequest& request,
                const std::shared_ptr<HttpExchange>& exchange);
  void Close(const Caller& caller, const std::string& name, const HttpRequest& request,
             const std::shared_ptr<HttpExchange>& exchange);
  void Photo(const Caller& caller, const std::string& hex, const std::shared_ptr<HttpExchange>& exchange);

  Auth* auth_;
  MergedView* view_;
  AdminCalls* admin_;
  std::string web_dir_;
  HttpServer* server_ = nullptr;
  StreamHub hub_;
  std::atomic<bool> flush_pending_{false};
  WorkQueue logins_{64};
};

// HTTP helpers shared by the API's files.
HttpResponse JsonResponse(int status, const std::string& json);
HttpResponse ErrorResponse(int status, const std::string& message);
// The HTTP status for a refusal from a coordinator.
int StatusForAdminError(const absl::Status& status);
// %XX and '+' decoded; nullopt when malformed or holding a NUL.
std::optional<std::string> PercentDecode(const std::string& text);
// The value of `name` in a query string ("" when absent).
std::string QueryValue(const std::string& query, const std::string& name);

}  // namespace gradcap
