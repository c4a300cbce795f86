// Drill internals shared by the runner and the report (see drill.h).
#pragma once

#include <map>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

// The report from the log at `db` (read-only: the coordinator may still
// run). `step_of` maps (booth, seq) to the step that produced that event.
absl::StatusOr<v1::DrillReport> BuildDrillReport(const std::string& db, const v1::DrillFile& file,
                                                 const std::map<std::pair<std::string, uint64_t>, int>& step_of);

}  // namespace gradcap
