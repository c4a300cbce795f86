// `gradcap` subcommands. Each returns the process exit status (0 ok, 1
// refused/failed, 2 usage) and prints what it did or exactly what is wrong.
#pragma once

#include <optional>
#include <string>

#include "admin/admin_client.h"

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
