#include "supervisor/stream_hub.h"

#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "supervisor/view_json.h"

namespace gradcap {
namespace {

constexpr size_t kMaxChangesPerFlush = 2000;

// What a change is about: (change kind, item kind, shard, key).
std::tuple<int, int, int, std::string> ItemOf(const MergedChange& change) {
  if (change.kind == MergedChange::Kind::kShard) return {1, 0, change.shard, ""};
  return {0, static_cast<int>(change.item.kind), change.shard, change.item.key};
}

}  // namespace

std::string SseEvent(const std::string& event, uint64_t id, const std::string& data) {
  return absl::StrCat("id: ", id, "\nevent: ", event, "\ndata: ", data, "\n\n");
}

std::string StreamHub::SnapshotEvent(const Scope& scope, uint64_t* seq) const {
  MergedView::Snapshot snapshot = view_->TakeSnapshot();
  *seq = snapshot.seq;
  return SseEvent("snapshot", snapshot.seq, SnapshotJson(scope, snapshot).dump());
}

void StreamHub::Add(std::shared_ptr<StreamSink> sink, Scope scope, const std::string& run, uint64_t after,
                    std::function<bool()> alive) {
  Stream stream;
  stream.alive = std::move(alive);
  stream.sink = std::move(sink);
  stream.scope = std::move(scope);
  stream.sent = after;
  stream.needs_snapshot = run != view_->run() || !view_->ChangesAfter(after, 0).has_value();
  // Reconnect quickly; the page also resumes by itself.
  stream.sink->Write("retry: 1000\n\n");
  streams_.push_back(std::move(stream));
  Flush();
}

void StreamHub::Flush() {
  BoothColleges booth_colleges = [this](int shard, const std::string& booth) {
    for (const auto& [s, state] : view_->FindBooth(booth)) {
      if (s == shard) return std::vector<std::string>(state.colleges().begin(), state.colleges().end());
    }
    return std::vector<std::string>{};
  };
  // The same change renders the same for every stream of one scope.
  std::map<std::pair<uint64_t, std::string>, std::optional<std::string>> rendered;
  for (Stream& stream : streams_) {
    if (!stream.sink->open()) continue;
    std::string out;
    while (true) {
      std::optional<std::vector<MergedChange>> changes;
      if (!stream.needs_snapshot) changes = view_->ChangesAfter(stream.sent, kMaxChangesPerFlush);
      if (!changes.has_value()) {
        out += SnapshotEvent(stream.scope, &stream.sent);
        stream.needs_snapshot = false;
        continue;
      }
      if (changes->empty()) break;
      const std::string scope_key = stream.scope.key();
      // A change superseded later in the same batch (the same booth, alert,
      // college or shard) is skipped: the page ends in the same state with
      // less to render and send when a burst comes.
      std::map<std::tuple<int, int, int, std::string>, uint64_t> last;
      for (const MergedChange& change : *changes) last[ItemOf(change)] = change.seq;
      for (const MergedChange& change : *changes) {
        if (last[ItemOf(change)] != change.seq) {
          stream.sent = change.seq;
          continue;
        }
        auto [it, fresh] = rendered.try_emplace({change.seq, scope_key});
        if (fresh) {
          std::optional<Json> json = ChangeJson(stream.scope, change, booth_colleges);
          if (json) it->second = SseEvent("change", change.seq, json->dump());
        }
        if (it->second) out += *it->second;
        stream.sent = change.seq;
      }
      if (changes->size() < kMaxChangesPerFlush) break;
    }
    if (!out.empty()) stream.sink->Write(std::move(out));
  }
  std::erase_if(streams_, [](const Stream& s) { return !s.sink->open(); });
}

void StreamHub::Ping() {
  for (Stream& stream : streams_) {
    if (stream.alive && !stream.alive()) {
      stream.sink->Close();  // the page hears the stream end, asks /api/me and shows the login
    } else if (stream.sink->open()) {
      stream.sink->Write(": ping\n\n");
    }
  }
  std::erase_if(streams_, [](const Stream& s) { return !s.sink->open(); });
}

}  // namespace gradcap
