// `gradcap` subcommands for the registrar: imports, collection codes, keys.
// Each returns the process exit status (0 ok, 1 refused/failed, 2 usage) and
// prints what it did or exactly what is wrong.
#pragma once

#include <optional>
#include <string>

namespace google::protobuf {
class Message;
}

namespace gradcap::cli {

// One line of JSON for a report message (field names as in the .proto, every
// field printed).
std::string ToJson(const google::protobuf::Message& message);

int RosterImport(const std::string& db, const std::string& file);
int PaymentsImport(const std::string& db, const std::string& file, std::optional<std::string> amount_due);
int ScheduleImport(const std::string& db, const std::string& file, const std::string& timezone);
int CodesImport(const std::string& db, const std::string& file);
int CodesIssue(const std::string& db, const std::string& out_dir, const std::string& college, int valid_days);
int CodesInspect(const std::string& db, const std::string& payload, bool json);
int KeysInit(const std::string& db);
int KeysRotate(const std::string& db);
int KeysRetire(const std::string& db, const std::string& key_id);
// The head count of a college; with `close`, also closes it (needs
// `override_reason` while students still wait).
int Reconcile(const std::string& db, const std::string& college, bool close, const std::string& override_reason,
              bool json);

}  // namespace gradcap::cli
