#include "supervisor/service.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "supervisor/secrets.h"

namespace gradcap {

absl::StatusOr<std::unique_ptr<SupervisorService>> SupervisorService::Start(ServiceOptions options) {
  if (options.coordinators.empty()) {
    return absl::InvalidArgumentError("give at least one --coordinator ENDPOINT (a coordinator's --live)");
  }
  std::unique_ptr<SupervisorService> service(new SupervisorService());
  service->options_ = options;
  GRADCAP_ASSIGN_OR_RETURN(service->auth_, Auth::Create(options.auth, SystemClock::Get()));
  service->view_ = std::make_unique<MergedView>(options.coordinators, RandomToken(6));
  AdminCallOptions admin_options;
  admin_options.keys = options.keys;
  admin_options.server_public_key = options.server_public_key;
  service->admin_ = std::make_unique<AdminCalls>(service->view_.get(), admin_options);
  service->api_ = std::make_unique<SupervisorApi>(service->auth_.get(), service->view_.get(),
                                                  service->admin_.get(), options.web_dir);
  HttpServerOptions http = options.http;
  http.address = options.address;
  http.port = options.port;
  SupervisorApi* api = service->api_.get();
  GRADCAP_ASSIGN_OR_RETURN(
      service->server_,
      HttpServer::Start(http, [api](const HttpRequest& request, std::shared_ptr<HttpExchange> exchange) {
        api->Handle(request, std::move(exchange));
      }));
  api->Attach(service->server_.get());
  service->view_->SetNotifier([api] { api->OnViewChanged(); });
  for (size_t i = 0; i < options.coordinators.size(); ++i) {
    LiveFeedOptions feed = options.feed;
    feed.endpoint = options.coordinators[i];
    feed.keys = options.keys;
    feed.server_public_key = options.server_public_key;
    MergedView* view = service->view_.get();
    const int shard = static_cast<int>(i);
    GRADCAP_ASSIGN_OR_RETURN(
        std::unique_ptr<LiveFeed> started,
        LiveFeed::Start(feed, [view, shard](const LiveState& state, const std::vector<LiveChange>& changes,
                                            LinkState link) { view->OnFeed(shard, state, changes, link); }));
    service->feeds_.push_back(std::move(started));
  }
  return service;
}

SupervisorService::~SupervisorService() {
  // Feeds first (they notify the API), then the server (its thread runs the API).
  feeds_.clear();
  server_.reset();
}

std::string SupervisorService::url() const {
  return absl::StrCat("http://", options_.address, ":", port(), "/");
}

}  // namespace gradcap
