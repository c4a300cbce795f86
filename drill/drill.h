// `gradcap drill FILE.json`: a scripted capture day with real processes on
// loopback — a coordinator and one booth-agent per booth, fed through their
// image-folder and hot-folder sources and their operator command line — and a
// report of every student's outcome, every refusal (with the step that caused
// it), every alert, the head count per college and the audit (format: README).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

struct DrillOptions {
  std::string file;
  std::string db_dir;          // keep the coordinator's database here; empty: a temp folder
  std::string coordinator_bin; // empty: next to this program
  std::string booth_agent_bin;
  std::string validator_bin;   // empty: ../validator/validator or next to this program
  int verdict_timeout_ms = 60000;  // how long to wait at the end for photos' verdicts
  int step_timeout_ms = 30000; // how long one step may take to be delivered
  // The supervisor view of the rehearsal: `live_listen` (HOST:PORT) starts a
  // supervisor serving there for the users in `users_file`; `live_feed`
  // binds the coordinator's live feed at that endpoint (for a supervisor
  // started elsewhere, e.g. over several drills as shards). Either logs each
  // step as it is played.
  std::string live_listen;
  std::string users_file;
  std::string live_feed;
  std::string supervisor_bin;  // empty: ../supervisor/supervisor or next to this program
};

// Reads and checks a drill file; errors name the step (counting from 0).
// Starts nothing.
absl::StatusOr<v1::DrillFile> LoadDrill(const std::string& path);

// Runs the drill. An error means it could not run (bad file, a process that
// would not start); whatever it found otherwise is in the report.
absl::StatusOr<v1::DrillReport> RunDrill(const DrillOptions& options);

std::string FormatDrillReport(const v1::DrillReport& report);

}  // namespace gradcap
