// Collection-code administration (see registry_import.h): sealing keys and
// imported external codes.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/collection_code.h"
#include "common/csv.h"
#include "common/status_macros.h"
#include "registry/import_util.h"
#include "common/log_format.h"
#include "registry/registry.h"
#include "registry/registry_import.h"

namespace gradcap {
namespace {

using import_internal::CommitWithRecord;
using import_internal::RowError;

absl::StatusOr<std::vector<v1::CodeKey>> AllKeys(EventLog& log) {
  std::vector<v1::CodeKey> keys;
  auto cursor = log.store().NewCursor(kCodeKeysColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    v1::CodeKey key;
    if (!key.ParseFromArray(cursor->value().data(), static_cast<int>(cursor->value().size()))) {
      return absl::DataLossError("a stored code key does not parse");
    }
    keys.push_back(std::move(key));
  }
  GRADCAP_RETURN_IF_ERROR(cursor->status());
  return keys;
}

absl::StatusOr<std::string> AddKey(EventLog& log, const std::string& key_id, int64_t now_ms, const char* action) {
  v1::CodeKey key = NewCodeKey(key_id, now_ms);
  log.staged_batch().Put(kCodeKeysColumn, key_id, key.SerializeAsString());
  log.staged_batch().Put(kMetaColumn, kCurrentCodeKey, key_id);
  v1::AdminRecord record;
  record.set_action(action);
  record.set_detail(absl::StrCat("current code key is now ", key_id));
  log.StageAdmin(record);
  GRADCAP_RETURN_IF_ERROR(log.Commit());
  return key_id;
}

}  // namespace

absl::StatusOr<std::string> InitCodeKeys(EventLog& log, int64_t now_ms) {
  GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::CodeKey> keys, AllKeys(log));
  if (!keys.empty()) {
    return absl::AlreadyExistsError(
        absl::StrCat("this database already has ", keys.size(), " code key(s); use `gradcap keys rotate` for a new one"));
  }
  return AddKey(log, "k1", now_ms, "keys_init");
}

absl::StatusOr<std::string> RotateCodeKey(EventLog& log, int64_t now_ms) {
  GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::CodeKey> keys, AllKeys(log));
  if (keys.empty()) return absl::FailedPreconditionError("no code key yet: run `gradcap keys init` first");
  int highest = 0;
  for (const v1::CodeKey& k : keys) {
    int n = 0;
    if (k.key_id().size() > 1 && absl::SimpleAtoi(k.key_id().substr(1), &n)) highest = std::max(highest, n);
  }
  return AddKey(log, absl::StrCat("k", highest + 1), now_ms, "keys_rotate");
}

absl::Status RetireCodeKey(EventLog& log, const std::string& key_id) {
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> stored, log.store().Get(kCodeKeysColumn, key_id));
  if (!stored.has_value()) return absl::NotFoundError(absl::StrCat("there is no code key \"", key_id, "\""));
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> current, log.store().Get(kMetaColumn, kCurrentCodeKey));
  if (current == key_id) {
    return absl::FailedPreconditionError(
        absl::StrCat(key_id, " is the current key: rotate to a new one before retiring it"));
  }
  v1::CodeKey key;
  if (!key.ParseFromString(*stored)) return absl::DataLossError("stored code key does not parse");
  key.set_retired(true);
  log.staged_batch().Put(kCodeKeysColumn, key_id, key.SerializeAsString());
  v1::AdminRecord record;
  record.set_action("keys_retire");
  record.set_detail(absl::StrCat("codes sealed with ", key_id, " no longer verify"));
  log.StageAdmin(record);
  return log.Commit();
}

absl::StatusOr<ImportSummary> ImportExternalCodes(EventLog& log, const std::string& path) {
  GRADCAP_ASSIGN_OR_RETURN(CsvTable t, ReadCsvFile(path));
  GRADCAP_ASSIGN_OR_RETURN(
      auto col, MapColumns(t, {{"code", {"code", "采集码", "图像采集码"}}, {"student_no", {"student_no", "学号"}}}));
  if (t.rows.empty()) return absl::InvalidArgumentError(absl::StrCat(t.name, ": no codes below the header"));
  std::map<std::string, int> seen;
  for (const CsvRow& row : t.rows) {
    const std::string& code = row.fields[col["code"]];
    const std::string& student_no = row.fields[col["student_no"]];
    if (code.empty() || code.size() > kMaxCodePayloadBytes) {
      return RowError(t, row, col["code"], "code is empty or longer than 512 bytes");
    }
    if (LooksLikeGradcapCode(code)) {
      return RowError(t, row, col["code"], "this is a gradcap-issued code; it needs no import");
    }
    if (auto [it, fresh] = seen.emplace(code, row.line); !fresh) {
      return RowError(t, row, col["code"], absl::StrCat("the same code is on line ", it->second));
    }
    GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> student, log.store().Get(kStudentsColumn, student_no));
    if (!student.has_value()) {
      return RowError(t, row, col["student_no"], absl::StrCat("student ", student_no, " is not in the roster"));
    }
    GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> owner, log.store().Get(kExternalCodesColumn, code));
    if (owner.has_value() && *owner != student_no) {
      return RowError(t, row, col["code"], absl::StrCat("this code already belongs to student ", *owner));
    }
    log.staged_batch().Put(kExternalCodesColumn, code, student_no);
  }
  ImportSummary summary{t.encoding, t.rows.size(), absl::StrCat(t.rows.size(), " external codes")};
  GRADCAP_RETURN_IF_ERROR(CommitWithRecord(log, "codes_import", path, t.rows.size(), summary.detail));
  return summary;
}

}  // namespace gradcap
