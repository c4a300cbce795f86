// The merged live state as JSON for one user's scope (supervisor/users.h):
// what the page and the API answer. A college lead gets only booths serving
// their colleges, and of those only their own students' queue entries and
// photos; only alerts and head counts of their colleges. Unmasked names and
// photo links only with the photos right. Items are keyed: booths
// "<shard>/<booth>", alerts "<shard>~<alert id>", colleges by name.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/merged_view.h"
#include "supervisor/users.h"

namespace gradcap {

using Json = nlohmann::json;

// The colleges a booth serves (for alerts that name a booth, not a college).
using BoothColleges = std::function<std::vector<std::string>(int shard, const std::string& booth)>;

bool BoothVisible(const Scope& scope, const v1::BoothState& booth);
bool AlertVisible(const Scope& scope, int shard, const v1::LiveAlert& alert,
                  const BoothColleges& booth_colleges);

std::string BoothKey(int shard, const std::string& booth);
std::string AlertKey(int shard, const std::string& alert_id);
// Splits an alert key; nullopt when it is not one.
std::optional<std::pair<int, std::string>> ParseAlertKey(const std::string& key);

// Photos per hour over the last hour and when the queue empties at that pace.
struct Pace {
  double photos_per_hour = 0;
  std::optional<double> empty_in_min;  // unknown without a pace
};
Pace PaceOf(const v1::BoothState& booth, int waiting, int64_t now_ms);

Json BoothJson(const Scope& scope, int shard, const v1::BoothState& booth, int64_t now_ms);
Json AlertJson(int shard, const v1::LiveAlert& alert);
Json CollegeJson(int shard, const v1::Reconciliation& college);
Json ShardJson(const ShardInfo& shard);
Json UserJson(const User& user);

Json SnapshotJson(const Scope& scope, const MergedView::Snapshot& snapshot);
// One numbered change for the page; nullopt when the scope does not see it.
std::optional<Json> ChangeJson(const Scope& scope, const MergedChange& change,
                               const BoothColleges& booth_colleges);

}  // namespace gradcap
