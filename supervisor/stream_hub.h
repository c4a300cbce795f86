// The open event streams (GET /api/stream) and what each has been sent. On
// every change of the merged view, each stream gets the numbered changes
// after its last one that its user's scope sees, as Server-Sent Events
// ("change" events with `id: SEQ`); a stream too far behind for the view's
// memory gets a "snapshot" event instead. Lives on the HTTP server's thread:
// call everything there.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "supervisor/http_server.h"
#include "supervisor/merged_view.h"
#include "supervisor/users.h"

namespace gradcap {

class StreamHub {
 public:
  explicit StreamHub(const MergedView* view) : view_(view) {}

  // A new stream that has seen everything up to `after` of run `run` (a
  // snapshot first when that is not this view's run or no longer held).
  // `alive` says whether its session still holds (checked at each Ping).
  void Add(std::shared_ptr<StreamSink> sink, Scope scope, const std::string& run, uint64_t after,
           std::function<bool()> alive = nullptr);
  // Sends every stream what it has not seen; drops closed streams.
  void Flush();
  // A comment line to each stream, so proxies and dead peers show up; a
  // stream whose session ended is closed.
  void Ping();
  size_t size() const { return streams_.size(); }

 private:
  struct Stream {
    std::shared_ptr<StreamSink> sink;
    Scope scope;
    uint64_t sent = 0;
    bool needs_snapshot = false;
    std::function<bool()> alive;
  };
  std::string SnapshotEvent(const Scope& scope, uint64_t* seq) const;

  const MergedView* view_;
  std::vector<Stream> streams_;
};

// The text of one Server-Sent Event.
std::string SseEvent(const std::string& event, uint64_t id, const std::string& data);

}  // namespace gradcap
