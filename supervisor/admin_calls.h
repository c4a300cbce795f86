// The supervisor's requests to each coordinator's admin socket (alert
// acknowledgements, closes, photos), one worker thread and one connection per
// shard, at the endpoint the shard's live snapshot advertises. With keys, the
// supervisor signs in with its enrolled admin key. `done` runs on the worker
// thread. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "admin/admin_client.h"
#include "supervisor/merged_view.h"
#include "supervisor/work_queue.h"

namespace gradcap {

struct AdminCallOptions {
  std::optional<CurveKeyPair> keys;  // the supervisor's enrolled admin pair
  std::string server_public_key;
  int timeout_ms = 8000;
};

class AdminCalls {
 public:
  using Done = std::function<void(absl::StatusOr<v1::AdminReply>)>;
  AdminCalls(const MergedView* view, AdminCallOptions options);

  // Sends `request` (its actor set by the caller) to shard `shard`.
  void Call(int shard, v1::AdminRequest request, Done done);

 private:
  struct Shard {
    std::unique_ptr<WorkQueue> queue;
    std::unique_ptr<AdminTarget> target;  // used on the queue's thread only
    std::string endpoint;
  };
  absl::StatusOr<v1::AdminReply> Exchange(int shard, const v1::AdminRequest& request);

  const MergedView* view_;
  AdminCallOptions options_;
  std::vector<Shard> shards_;
};

// The admin endpoint to dial: the advertised one, with a wildcard host
// ("tcp://*:5558", "tcp://0.0.0.0:5558") replaced by the live endpoint's host.
std::string DialableAdminEndpoint(const std::string& advertised, const std::string& live_endpoint);

}  // namespace gradcap
