#include "coordinator/refusal_recorder.h"

#include "absl/strings/str_cat.h"
#include "common/codes.h"
#include "common/logging.h"
#include "common/sha256.h"

namespace gradcap {
namespace {

constexpr char kComponent[] = "coordinator";
constexpr char kOtherPeers[] = "(other peers)";

}  // namespace

RefusalRecorder::RefusalRecorder(EventLog* log, EventApplier* applier, const Clock* clock,
                                 RefusalPolicy policy)
    : log_(log), applier_(applier), clock_(clock), policy_(policy) {}

uint64_t RefusalRecorder::Refuse(const RefusedPeer& who, const std::string& count_key, v1::ErrorCode code,
                                 const std::function<std::string()>& detail, std::string_view raw,
                                 const v1::EventId* id) {
  Tick();
  if (interval_started_mono_ < 0) {
    interval_started_mono_ = clock_->MonotonicMs();
    interval_started_ms_ = clock_->NowMs();
  }
  auto key = std::make_tuple(count_key, code);
  auto it = tallies_.find(key);
  if (it == tallies_.end()) {
    if (tallies_.size() >= policy_.max_peers) std::get<0>(key) = kOtherPeers;
    it = tallies_.try_emplace(key).first;
    it->second.socket = who.socket;
  }
  Tally& tally = it->second;
  if (tally.logged >= policy_.per_peer_logged || logged_this_interval_ >= policy_.total_logged) {
    ++tally.counted;
    tally.bytes += raw.size();
    ++counted_;
    return 0;
  }
  ++tally.logged;
  ++logged_this_interval_;
  ++logged_;
  v1::Rejection rejection;
  rejection.set_code(code);
  rejection.set_detail(detail());
  rejection.set_peer(who.peer);
  rejection.set_peer_address(who.address);
  rejection.set_socket(who.socket);
  rejection.set_counted_as(std::get<0>(key));
  if (id != nullptr) *rejection.mutable_id() = *id;
  rejection.set_message_sha256(DigestBytes(Sha256(raw)));
  rejection.set_message_size(raw.size());
  v1::LogRecord staged;
  const uint64_t log_seq = log_->StageRejection(rejection, &staged);
  applier_->Apply(staged);
  LogWarning(kComponent, "refused ", who.socket, " message from ", who.peer,
             who.address.empty() ? "" : absl::StrCat(" at ", who.address), " (log record ", log_seq,
             "): ", CodeName(code), ": ", rejection.detail());
  if (tally.logged == policy_.per_peer_logged) {
    LogWarning(kComponent, "more ", CodeName(code), " refusals from ", count_key, " in the next ",
               policy_.interval_ms / 1000, " s are only counted");
  }
  return log_seq;
}

void RefusalRecorder::Tick() {
  if (interval_started_mono_ < 0) return;
  if (clock_->MonotonicMs() - interval_started_mono_ < policy_.interval_ms) return;
  StageCounts();
}

void RefusalRecorder::FlushAll() {
  if (interval_started_mono_ >= 0) StageCounts();
}

void RefusalRecorder::StageCounts() {
  const int64_t now_ms = clock_->NowMs();
  for (const auto& [key, tally] : tallies_) {
    if (tally.counted == 0) continue;
    v1::RefusalCount count;
    count.set_peer(std::get<0>(key));
    count.set_code(std::get<1>(key));
    count.set_count(tally.counted);
    count.set_bytes(tally.bytes);
    count.set_logged(tally.logged);
    count.set_from_ms(interval_started_ms_);
    count.set_to_ms(now_ms);
    count.set_socket(tally.socket);
    v1::LogRecord staged;
    const uint64_t log_seq = log_->StageRefusalCount(count, &staged);
    applier_->Apply(staged);
    LogWarning(kComponent, "refused ", tally.counted, " more ", tally.socket, " messages (", tally.bytes,
               " bytes) from ", count.peer(), ": ", CodeName(count.code()), " (counted in log record ",
               log_seq, ")");
  }
  tallies_.clear();
  logged_this_interval_ = 0;
  interval_started_mono_ = -1;
}

}  // namespace gradcap
