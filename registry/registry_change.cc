// Planned registry changes and how an offline tool applies them (see
// registry_import.h); the running coordinator applies them in its admin path.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "registry/registry_import.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxImportBytes = 256u << 20;

}  // namespace

void RegistryChange::Put(int column, std::string key, std::string value) {
  writes_.push_back(Write{column, std::move(key), std::move(value)});
}

void RegistryChange::Delete(int column, std::string key) {
  writes_.push_back(Write{column, std::move(key), std::nullopt});
}

void RegistryChange::AddTo(KvBatch& batch) const {
  for (const Write& w : writes_) {
    if (w.value.has_value()) {
      batch.Put(w.column, w.key, *w.value);
    } else {
      batch.Delete(w.column, w.key);
    }
  }
}

absl::StatusOr<ImportSource> ReadImportSource(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("which FILE.csv?");
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return absl::NotFoundError(absl::StrCat("cannot read ", path, ": ", ec.message()));
  if (size > kMaxImportBytes) return absl::InvalidArgumentError(absl::StrCat(path, ": larger than 256 MiB"));
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  ImportSource source;
  source.name = path;
  source.bytes = bytes.str();
  source.base_dir = fs::absolute(fs::path(path)).parent_path().string();
  return source;
}

absl::Status CommitChange(EventLog& log, RegistryChange change, const std::string& actor, v1::LogRecord* staged) {
  change.AddTo(log.staged_batch());
  change.record.set_actor(actor);
  log.StageAdmin(change.record, staged);
  return log.Commit();
}

namespace {

absl::StatusOr<ImportSummary> ReadPlanCommit(
    EventLog& log, const std::string& path,
    const std::function<absl::StatusOr<RegistryChange>(const ImportSource&)>& plan) {
  GRADCAP_ASSIGN_OR_RETURN(ImportSource source, ReadImportSource(path));
  GRADCAP_ASSIGN_OR_RETURN(RegistryChange change, plan(source));
  ImportSummary summary = change.summary;
  GRADCAP_RETURN_IF_ERROR(CommitChange(log, std::move(change), ""));
  return summary;
}

absl::StatusOr<std::string> CommitKeyChange(EventLog& log, absl::StatusOr<RegistryChange> change) {
  if (!change.ok()) return change.status();
  std::string key_id = change->summary.detail;
  GRADCAP_RETURN_IF_ERROR(CommitChange(log, std::move(*change), ""));
  return key_id;
}

}  // namespace

absl::StatusOr<ImportSummary> ImportRoster(EventLog& log, const std::string& path) {
  return ReadPlanCommit(log, path, [&](const ImportSource& s) { return PlanRosterImport(log.store(), s); });
}

absl::StatusOr<ImportSummary> ImportPayments(EventLog& log, const std::string& path,
                                             std::optional<int64_t> amount_due_fen) {
  return ReadPlanCommit(log, path,
                        [&](const ImportSource& s) { return PlanPaymentsImport(log.store(), s, amount_due_fen); });
}

absl::StatusOr<ImportSummary> ImportSchedule(EventLog& log, const std::string& path, const std::string& timezone) {
  return ReadPlanCommit(log, path,
                        [&](const ImportSource& s) { return PlanScheduleImport(log.store(), s, timezone); });
}

absl::StatusOr<ImportSummary> ImportExternalCodes(EventLog& log, const std::string& path) {
  return ReadPlanCommit(log, path, [&](const ImportSource& s) { return PlanExternalCodesImport(log.store(), s); });
}

absl::StatusOr<std::string> InitCodeKeys(EventLog& log, int64_t now_ms) {
  return CommitKeyChange(log, PlanKeysInit(log.store(), now_ms));
}

absl::StatusOr<std::string> RotateCodeKey(EventLog& log, int64_t now_ms) {
  return CommitKeyChange(log, PlanKeysRotate(log.store(), now_ms));
}

absl::Status RetireCodeKey(EventLog& log, const std::string& key_id) {
  return CommitKeyChange(log, PlanKeysRetire(log.store(), key_id)).status();
}

}  // namespace gradcap
