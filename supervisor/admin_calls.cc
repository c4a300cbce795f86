#include "supervisor/admin_calls.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gradcap {
namespace {

// "tcp://HOST:PORT" → HOST ("" when it is not of that form).
std::string HostOf(const std::string& endpoint) {
  const size_t scheme = endpoint.find("://");
  const size_t colon = endpoint.rfind(':');
  if (scheme == std::string::npos || colon == std::string::npos || colon <= scheme + 3) return "";
  return endpoint.substr(scheme + 3, colon - scheme - 3);
}

}  // namespace

std::string DialableAdminEndpoint(const std::string& advertised, const std::string& live_endpoint) {
  const std::string host = HostOf(advertised);
  if (host != "*" && host != "0.0.0.0") return advertised;
  const std::string live_host = HostOf(live_endpoint);
  if (live_host.empty() || live_host == "*" || live_host == "0.0.0.0") return advertised;
  const size_t colon = advertised.rfind(':');
  return absl::StrCat(advertised.substr(0, advertised.find("://") + 3), live_host, advertised.substr(colon));
}

AdminCalls::AdminCalls(const MergedView* view, AdminCallOptions options)
    : view_(view), options_(std::move(options)), shards_(view->shard_count()) {
  for (Shard& shard : shards_) shard.queue = std::make_unique<WorkQueue>(200);
}

absl::StatusOr<v1::AdminReply> AdminCalls::Exchange(int index, const v1::AdminRequest& request) {
  Shard& shard = shards_[index];
  const ShardInfo info = view_->shard(index);
  if (info.admin_endpoint.empty()) {
    return absl::UnavailableError(absl::StrCat("the coordinator at ", info.endpoint,
                                               " has not said where its admin socket is (is it running?)"));
  }
  const std::string endpoint = DialableAdminEndpoint(info.admin_endpoint, info.endpoint);
  if (shard.target == nullptr || shard.endpoint != endpoint) {
    RemoteOptions remote;
    remote.endpoint = endpoint;
    remote.keys = options_.keys;
    remote.server_public_key = options_.server_public_key;
    remote.timeout_ms = options_.timeout_ms;
    absl::StatusOr<std::unique_ptr<AdminTarget>> target = ConnectAdmin(remote);
    if (!target.ok()) return target.status();
    shard.target = std::move(*target);
    shard.endpoint = endpoint;
  }
  absl::StatusOr<v1::AdminReply> reply = shard.target->Call(request);
  // No answer: a fresh connection next time (the coordinator may have restarted).
  if (!reply.ok() && absl::IsUnavailable(reply.status())) shard.target.reset();
  return reply;
}

void AdminCalls::Call(int shard, v1::AdminRequest request, Done done) {
  if (shard < 0 || shard >= static_cast<int>(shards_.size())) {
    done(absl::NotFoundError(absl::StrCat("there is no coordinator shard ", shard)));
    return;
  }
  auto task = [this, shard, request = std::move(request), done]() { done(Exchange(shard, request)); };
  if (!shards_[shard].queue->Add(std::move(task))) {
    done(absl::UnavailableError("too many requests wait for this coordinator: try again shortly"));
  }
}

}  // namespace gradcap
