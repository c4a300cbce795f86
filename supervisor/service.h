// The whole supervisor put together — live feeds of every shard, the merged
// view, the admin calls, the API and the HTTP server — for main() and for
// tests that run it in-process.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "supervisor/admin_calls.h"
#include "supervisor/api.h"
#include "supervisor/auth.h"
#include "supervisor/http_server.h"
#include "supervisor/merged_view.h"

namespace gradcap {

struct ServiceOptions {
  std::vector<std::string> coordinators;  // live endpoints, one per shard
  std::string address = "127.0.0.1";
  int port = 8080;  // 0: any free port
  AuthOptions auth;
  std::optional<CurveKeyPair> keys;  // CURVE: the supervisor's admin pair
  std::string server_public_key;
  std::string web_dir;
  LiveFeedOptions feed;    // timing; endpoint and keys are set per shard
  HttpServerOptions http;  // limits; address and port come from above
};

class SupervisorService {
 public:
  static absl::StatusOr<std::unique_ptr<SupervisorService>> Start(ServiceOptions options);
  ~SupervisorService();

  int port() const { return server_->port(); }
  std::string url() const;
  // Every few seconds: keeps streams alive.
  void Tick() { api_->Tick(); }
  const MergedView& view() const { return *view_; }

 private:
  SupervisorService() = default;
  ServiceOptions options_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<MergedView> view_;
  std::unique_ptr<AdminCalls> admin_;
  std::unique_ptr<SupervisorApi> api_;
  std::unique_ptr<HttpServer> server_;
  std::vector<std::unique_ptr<LiveFeed>> feeds_;
};

}  // namespace gradcap
