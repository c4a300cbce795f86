#include "supervisor/view_json.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/codes.h"

namespace gradcap {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;

Json CheckJson(const v1::CheckResult& check) {
  return {{"id", check.id()},
          {"status", CodeName(check.status())},
          {"severity", CodeName(check.severity())},
          {"value", check.value()},
          {"limit", check.limit()},
          {"reason_zh", check.reason_zh()},
          {"reason_en", check.reason_en()}};
}

Json VerdictJson(const Scope& scope, const v1::PhotoVerdict& verdict, const std::string& college) {
  Json problems = Json::array();
  for (const v1::CheckResult& check : verdict.problems()) problems.push_back(CheckJson(check));
  Json out = {{"shooting_no", verdict.shooting_no()},
              {"masked_name", verdict.masked_name()},
              {"college", college},
              {"verdict", CodeName(verdict.verdict())},
              {"problems", problems}};
  if (scope.photos && !verdict.photo_sha256().empty()) {
    out["photo"] = absl::BytesToHexString(verdict.photo_sha256());
  }
  return out;
}

}  // namespace

bool BoothVisible(const Scope& scope, const v1::BoothState& booth) {
  if (scope.all_colleges) return true;
  return std::any_of(booth.colleges().begin(), booth.colleges().end(),
                     [&](const std::string& c) { return scope.Sees(c); });
}

bool AlertVisible(const Scope& scope, int shard, const v1::LiveAlert& alert,
                  const BoothColleges& booth_colleges) {
  if (scope.all_colleges) return true;
  if (!alert.college().empty()) return scope.Sees(alert.college());
  if (alert.alert().booth().empty() || !booth_colleges) return false;
  for (const std::string& c : booth_colleges(shard, alert.alert().booth())) {
    if (scope.Sees(c)) return true;
  }
  return false;
}

std::string BoothKey(int shard, const std::string& booth) { return absl::StrCat(shard, "/", booth); }
std::string AlertKey(int shard, const std::string& alert_id) { return absl::StrCat(shard, "~", alert_id); }

std::optional<std::pair<int, std::string>> ParseAlertKey(const std::string& key) {
  const size_t tilde = key.find('~');
  int shard = 0;
  if (tilde == std::string::npos || !absl::SimpleAtoi(key.substr(0, tilde), &shard) || shard < 0)
    return std::nullopt;
  return std::make_pair(shard, key.substr(tilde + 1));
}

Pace PaceOf(const v1::BoothState& booth, int waiting, int64_t now_ms) {
  // Photos within the hour before now: the current hour's, plus the part of
  // the previous hour's that falls in the window (spread evenly). Early in
  // the day the window is as long as the booth has had photos, at least 10
  // minutes.
  Pace pace;
  if (now_ms <= 0) return pace;
  double photos = 0;
  int64_t earliest = now_ms;
  for (const v1::HourCount& hour : booth.photos_by_hour()) {
    const int64_t start = hour.hour_start_ms(), end = start + kHourMs;
    if (end <= now_ms - kHourMs || start > now_ms || hour.photos() == 0) continue;
    const int64_t from = std::max(start, now_ms - kHourMs), to = std::min(end, now_ms);
    const double share = start >= now_ms - kHourMs ? 1.0 : static_cast<double>(to - from) / kHourMs;
    photos += hour.photos() * share;
    earliest = std::min(earliest, from);
  }
  if (photos <= 0) return pace;
  const double window_ms = std::max<double>(now_ms - earliest, 10 * 60 * 1000);
  pace.photos_per_hour = photos * kHourMs / std::min<double>(window_ms, kHourMs);
  pace.empty_in_min = waiting * 60.0 / pace.photos_per_hour;
  return pace;
}

Json BoothJson(const Scope& scope, int shard, const v1::BoothState& booth, int64_t now_ms) {
  Json queue = Json::array();
  for (const v1::QueueEntry& entry : booth.queue()) {
    if (!scope.Sees(entry.college())) continue;
    Json item = {{"shooting_no", entry.shooting_no()},     {"masked_name", entry.masked_name()},
                 {"state", CodeName(entry.state())},       {"college", entry.college()},
                 {"scanned_at_ms", entry.scanned_at_ms()}, {"student_no", entry.student_no()}};
    if (scope.photos) item["name"] = entry.name();
    queue.push_back(std::move(item));
  }
  Json recent = Json::array();
  for (int i = 0; i < booth.recent_size(); ++i) {
    const std::string college = i < booth.recent_colleges_size() ? booth.recent_colleges(i) : std::string();
    if (!scope.Sees(college)) continue;
    recent.push_back(VerdictJson(scope, booth.recent(i), college));
  }
  Json hours = Json::array();
  for (const v1::HourCount& hour : booth.photos_by_hour()) {
    hours.push_back({{"hour_start_ms", hour.hour_start_ms()}, {"photos", hour.photos()}});
  }
  Json colleges = Json::array();
  for (const std::string& college : booth.colleges()) {
    if (scope.Sees(college)) colleges.push_back(college);
  }
  const int waiting = static_cast<int>(queue.size());
  const Pace pace = PaceOf(booth, waiting, now_ms);
  Json out = {{"key", BoothKey(shard, booth.booth())},
              {"id", booth.booth()},
              {"shard", shard},
              {"online", booth.online()},
              {"last_heard_ms", booth.last_heard_ms()},
              {"colleges", colleges},
              {"outbox_depth", booth.outbox_depth()},
              {"current_shooting_no", booth.current_shooting_no()},
              {"waiting", waiting},
              {"waiting_all", booth.queue_size()},
              {"queue", queue},
              {"recent", recent},
              {"photos_by_hour", hours},
              {"refused_scans", booth.refused_scans()},
              {"head_waiting_since_ms", booth.head_waiting_since_ms()},
              {"photos_per_hour", pace.photos_per_hour},
              {"empty_in_min", pace.empty_in_min ? Json(*pace.empty_in_min) : Json(nullptr)},
              {"now_ms", now_ms}};
  return out;
}

Json AlertJson(int shard, const v1::LiveAlert& alert) {
  Json shooting_nos = Json::array();
  for (uint32_t no : alert.alert().shooting_nos()) shooting_nos.push_back(no);
  return {{"key", AlertKey(shard, alert.id())},
          {"id", alert.id()},
          {"shard", shard},
          {"kind", CodeName(alert.alert().kind())},
          {"booth", alert.alert().booth()},
          {"detail", alert.alert().detail()},
          {"shooting_nos", shooting_nos},
          {"college", alert.college()},
          {"raised_at_ms", alert.raised_at_ms()},
          {"log_seq", alert.log_seq()},
          {"acknowledged", alert.acknowledged()},
          {"acknowledged_by", alert.acknowledged_by()},
          {"acknowledged_at_ms", alert.acknowledged_at_ms()},
          {"note", alert.note()}};
}

Json CollegeJson(int shard, const v1::Reconciliation& c) {
  Json refused = Json::object();
  for (const auto& [reason, count] : c.refused_scans()) refused[reason] = count;
  std::vector<std::string> retakes(c.absent_students().begin(), c.absent_students().end());
  retakes.insert(retakes.end(), c.retake_students().begin(), c.retake_students().end());
  return {{"key", c.college()},
          {"college", c.college()},
          {"shard", shard},
          {"roster", c.roster()},
          {"paid", c.paid()},
          {"scanned", c.scanned()},
          {"photographed", c.photographed()},
          {"passed", c.passed()},
          {"failed_pending_retake", c.failed_pending_retake()},
          {"verdict_pending", c.verdict_pending()},
          {"absent", c.absent()},
          {"waiting", c.waiting()},
          {"not_scanned", c.not_scanned()},
          {"refused_scans", refused},
          {"absent_students", c.absent_students()},
          {"retake_students", c.retake_students()},
          {"waiting_students", c.waiting_students()},
          {"retake_list", retakes},
          {"closed", c.closed()},
          {"override_used", c.override_used()}};
}

Json ShardJson(const ShardInfo& shard) {
  return {{"key", shard.index},         {"index", shard.index},
          {"endpoint", shard.endpoint}, {"link", LinkStateName(shard.link)},
          {"run", shard.run},           {"now_ms", shard.now_ms}};
}

Json UserJson(const User& user) {
  return {{"name", user.name},
          {"role", RoleName(user.role)},
          {"colleges", user.colleges},
          {"photos", user.photos}};
}

Json SnapshotJson(const Scope& scope, const MergedView::Snapshot& snapshot) {
  auto booth_colleges = [&snapshot](int shard, const std::string& booth) {
    auto it = snapshot.booths.find({shard, booth});
    return it == snapshot.booths.end()
               ? std::vector<std::string>{}
               : std::vector<std::string>(it->second.colleges().begin(), it->second.colleges().end());
  };
  Json shards = Json::array(), booths = Json::array(), alerts = Json::array(), colleges = Json::array();
  for (const ShardInfo& shard : snapshot.shards) shards.push_back(ShardJson(shard));
  for (const auto& [key, booth] : snapshot.booths) {
    if (BoothVisible(scope, booth))
      booths.push_back(BoothJson(scope, key.first, booth, snapshot.shards[key.first].now_ms));
  }
  for (const auto& [key, alert] : snapshot.alerts) {
    if (AlertVisible(scope, key.first, alert, booth_colleges)) alerts.push_back(AlertJson(key.first, alert));
  }
  for (const auto& [name, college] : snapshot.colleges) {
    if (scope.Sees(name)) colleges.push_back(CollegeJson(college.first, college.second));
  }
  return {{"run", snapshot.run}, {"seq", snapshot.seq}, {"shards", shards},
          {"booths", booths},    {"alerts", alerts},    {"colleges", colleges}};
}

std::optional<Json> ChangeJson(const Scope& scope, const MergedChange& change,
                               const BoothColleges& booth_colleges) {
  Json out = {{"seq", change.seq}};
  if (change.kind == MergedChange::Kind::kShard) {
    out["kind"] = "shard";
    out["value"] = ShardJson(change.info);
    return out;
  }
  const LiveChange& item = change.item;
  out["removed"] = item.removed;
  switch (item.kind) {
    case LiveChange::Kind::kBooth:
      if (!BoothVisible(scope, item.booth)) return std::nullopt;
      out["kind"] = "booth";
      out["value"] = BoothJson(scope, change.shard, item.booth, change.now_ms);
      break;
    case LiveChange::Kind::kAlert:
      if (!AlertVisible(scope, change.shard, item.alert, booth_colleges)) return std::nullopt;
      out["kind"] = "alert";
      out["value"] = AlertJson(change.shard, item.alert);
      break;
    case LiveChange::Kind::kCollege:
      if (!scope.Sees(item.key)) return std::nullopt;
      out["kind"] = "college";
      out["value"] = CollegeJson(change.shard, item.college);
      break;
  }
  return out;
}

}  // namespace gradcap
