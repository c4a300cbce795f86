// `gradcap` subcommands. Each returns the process exit status (0 ok, 1
// refused/failed, 2 usage) and prints what it did or exactly what is wrong.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "admin/admin_client.h"
#include "audit/audit.h"
#include "audit/replay.h"

namespace google::protobuf {
class Message;
}

namespace gradcap::cli {

// One line of JSON for a report message (field names as in the .proto, every
// field printed).
std::string ToJson(const google::protobuf::Message& message);

// cli_codes.cc — read the database only (safe beside a running coordinator).
int CodesIssue(const std::string& db, const std::string& out_dir, const std::string& college, int valid_days);
int CodesInspect(const std::string& db, const std::string& payload, bool json);

// cli_day.cc — carried out by `target`: a running coordinator's admin socket,
// or the database itself when no coordinator holds it.
enum class ImportKind { kRoster, kPayments, kSchedule, kExternalCodes };
struct ImportOptions {
  std::optional<std::string> amount_due;  // payments: in 元
  std::string timezone = "Asia/Shanghai";  // schedule
};
int Import(AdminTarget& target, ImportKind kind, const std::string& file, const ImportOptions& options);
enum class KeysOp { kInit, kRotate, kRetire };
int Keys(AdminTarget& target, KeysOp op, const std::string& key_id);
// The head count of a college; with `close`, also closes it (needs
// `override_reason` while students still wait).
int Reconcile(AdminTarget& target, const std::string& college, bool close, const std::string& override_reason,
              bool json);
int Student(AdminTarget& target, const std::string& student_no, bool json);
int Booth(AdminTarget& target, const std::string& booth, bool json);
int Status(AdminTarget& target, bool json);

// cli_audit.cc — the auditor's commands (read-only, but for the day-end
// checkpoint and logging an unmasked look).
using TargetOpener = std::function<absl::StatusOr<std::unique_ptr<AdminTarget>>()>;
int AuditVerify(const std::string& db, const VerifyOptions& options, bool json);
int AuditReplay(const std::string& db, const ReplayOptions& options, bool json);
// Records a signed day-end checkpoint; with `out_file`, also writes its file.
int AuditCheckpoint(AdminTarget& target, const std::string& out_file, bool json);
// Writes the checkpoint at or of record `log_seq`, else the latest close of
// `college`, else the latest one, as a file for the college.
int AuditCheckpointExport(const std::string& db, const std::string& college, uint64_t log_seq,
                          const std::string& out_file);
int KeysPublic(const std::string& db, const std::string& out_file);
struct StudentOptions {
  bool json = false;
  bool unmasked = false;  // plain name and ID number; the look is logged first (through `open_target`)
  std::string purpose;
};
int AuditStudent(const std::string& db, const std::string& student_no, const StudentOptions& options,
                 const TargetOpener& open_target);

// cli_timelapse.cc — the day played again on a live feed (read-only).
struct TimelapseArgs {
  std::string endpoint;    // where the supervisor subscribes
  std::string keys;        // CURVE: the coordinator's keys directory (enrolled admins may watch)
  double speed = 10;
  int64_t max_gap_s = 60;  // quiet stretches of the day cut to this
  uint64_t until = 0;
  int64_t linger_s = -1;   // after the end: serve this long; < 0 until Ctrl-C
  bool wait_viewer = false;  // play once the first viewer subscribed
};
int AuditTimelapse(const std::string& db, const TimelapseArgs& args);

// cli_export.cc — read-only.
struct ExportFlags {
  std::string out_dir, college;
  std::string name_by = "student_no";  // or "id_no"
  bool force = false;
  std::string model;  // the landmark model, for captures that need framing
};
int Export(const std::string& db, const ExportFlags& flags);
int Report(const std::string& db, const std::string& out_dir, bool thumbnails);

// cli_users.cc — the supervisor view's users file.
struct UsersArgs {
  std::string file, name, role, college;  // college: NAME[,NAME]
  bool photos = false;                    // a college lead may see photos and unmasked names
};
int Users(const std::string& verb, const UsersArgs& args);

// cli_watch.cc — the live view in a terminal.
struct WatchArgs {
  std::string endpoint;  // the coordinator's --live
  std::string keys, as;  // CURVE: an enrolled admin
  bool once = false;     // print the first full state and exit
  int timeout_ms = 15000;  // --once: give up without a snapshot by then
};
int Watch(const WatchArgs& args);

}  // namespace gradcap::cli
