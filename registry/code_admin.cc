// Collection-code administration (see registry_import.h): sealing keys and
// imported external codes.
#include "absl/strings/numbers.h"
#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/collection_code.h"
#include "common/csv.h"
#include "common/log_format.h"
#include "common/shard_map.h"
#include "common/signing.h"
#include "common/status_macros.h"
#include "registry/import_util.h"
#include "registry/registry.h"
#include "registry/registry_import.h"

namespace gradcap {
namespace {

using import_internal::DescribeImport;
using import_internal::RowError;

absl::StatusOr<std::vector<v1::CodeKey>> AllKeys(const KvStore& store) {
  std::vector<v1::CodeKey> keys;
  auto cursor = store.NewCursor(kCodeKeysColumn);
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

RegistryChange AddKey(const std::string& key_id, int64_t now_ms, const char* action) {
  RegistryChange change;
  v1::CodeKey key = NewCodeKey(key_id, now_ms);
  change.Put(kCodeKeysColumn, key_id, key.SerializeAsString());
  change.Put(kMetaColumn, kCurrentCodeKey, key_id);
  change.record.set_action(action);
  change.record.set_source(key_id);
  change.record.set_detail(absl::StrCat("current code key is now ", key_id));
  change.summary.detail = key_id;
  return change;
}

// "k<n>", or "s<shard>-k<n>" on a sharded database: codes scanned at another
// shard's booth then name the shard that issued them (common/shard_map.h).
absl::StatusOr<std::string> KeyId(const KvStore& store, int n) {
  GRADCAP_ASSIGN_OR_RETURN(std::optional<v1::ShardAssignment> shard, LoadShardAssignment(store));
  return absl::StrCat(shard.has_value() ? ShardKeyPrefix(static_cast<int>(shard->shard())) : "", "k", n);
}

// Adds the Ed25519 pair that signs checkpoints of the log to `change`.
void AddCheckpointKey(int64_t now_ms, RegistryChange* change) {
  const SigningKeyPair pair = NewSigningKeyPair();
  v1::CheckpointKey key;
  key.set_key_id(SigningKeyId(pair.public_key));
  key.set_public_key(pair.public_key);
  key.set_secret_key(pair.secret_key);
  key.set_created_at_ms(now_ms);
  change->Put(kMetaColumn, kCheckpointKeyKey, key.SerializeAsString());
  change->made_checkpoint_key = key.key_id();
}

}  // namespace

absl::StatusOr<RegistryChange> PlanKeysInit(const KvStore& store, int64_t now_ms) {
  GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::CodeKey> keys, AllKeys(store));
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> checkpoint_key,
                           store.Get(kMetaColumn, kCheckpointKeyKey));
  if (!keys.empty() && checkpoint_key.has_value()) {
    return absl::AlreadyExistsError(
        absl::StrCat("this database already has ", keys.size(),
                     " code key(s) and a checkpoint key; use `gradcap keys rotate` for a "
                     "new code key"));
  }
  RegistryChange change;
  if (keys.empty()) {
    GRADCAP_ASSIGN_OR_RETURN(std::string id, KeyId(store, 1));
    change = AddKey(id, now_ms, "keys_init");
  } else {
    // A database from before checkpoints: only the signing key is new.
    change.record.set_action("checkpoint_key_init");
  }
  if (!checkpoint_key.has_value()) {
    AddCheckpointKey(now_ms, &change);
    change.record.set_detail(absl::StrCat(change.record.detail(), change.record.detail().empty() ? "" : "; ",
                                          "checkpoints are signed with ", change.made_checkpoint_key));
  }
  return change;
}

absl::StatusOr<RegistryChange> PlanKeysRotate(const KvStore& store, int64_t now_ms) {
  GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::CodeKey> keys, AllKeys(store));
  if (keys.empty()) return absl::FailedPreconditionError("no code key yet: run `gradcap keys init` first");
  int highest = 0;
  for (const v1::CodeKey& k : keys) {
    int n = 0;
    const size_t k_at = k.key_id().rfind('k');
    if (k_at != std::string::npos && absl::SimpleAtoi(k.key_id().substr(k_at + 1), &n)) highest = std::max(highest, n);
  }
  GRADCAP_ASSIGN_OR_RETURN(std::string id, KeyId(store, highest + 1));
  return AddKey(id, now_ms, "keys_rotate");
}

absl::StatusOr<RegistryChange> PlanKeysRetire(const KvStore& store, const std::string& key_id) {
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> stored, store.Get(kCodeKeysColumn, key_id));
  if (!stored.has_value()) return absl::NotFoundError(absl::StrCat("there is no code key \"", key_id, "\""));
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> current, store.Get(kMetaColumn, kCurrentCodeKey));
  if (current == key_id) {
    return absl::FailedPreconditionError(
        absl::StrCat(key_id, " is the current key: rotate to a new one before retiring it"));
  }
  v1::CodeKey key;
  if (!key.ParseFromString(*stored)) return absl::DataLossError("stored code key does not parse");
  key.set_retired(true);
  RegistryChange change;
  change.Put(kCodeKeysColumn, key_id, key.SerializeAsString());
  change.record.set_action("keys_retire");
  change.record.set_source(key_id);
  change.record.set_detail(absl::StrCat("codes sealed with ", key_id, " no longer verify"));
  change.summary.detail = key_id;
  return change;
}

absl::StatusOr<RegistryChange> PlanExternalCodesImport(const KvStore& store, const ImportSource& source) {
  GRADCAP_ASSIGN_OR_RETURN(CsvTable t, ParseCsv(source.bytes, source.name));
  GRADCAP_ASSIGN_OR_RETURN(
      auto col, MapColumns(t, {{"code", {"code", "采集码", "图像采集码"}}, {"student_no", {"student_no", "学号"}}}));
  if (t.rows.empty()) return absl::InvalidArgumentError(absl::StrCat(t.name, ": no codes below the header"));
  RegistryChange change;
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
    GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> student, store.Get(kStudentsColumn, student_no));
    if (!student.has_value()) {
      return RowError(t, row, col["student_no"], absl::StrCat("student ", student_no, " is not in the roster"));
    }
    GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> owner, store.Get(kExternalCodesColumn, code));
    if (owner.has_value() && *owner != student_no) {
      return RowError(t, row, col["code"], absl::StrCat("this code already belongs to student ", *owner));
    }
    change.Put(kExternalCodesColumn, code, student_no);
  }
  change.summary = ImportSummary{t.encoding, t.rows.size(), absl::StrCat(t.rows.size(), " external codes")};
  DescribeImport(&change, "codes_import", source);
  return change;
}

absl::StatusOr<std::optional<RegistryChange>> PlanShardAssignment(const KvStore& store,
                                                                  const v1::ShardAssignment& assignment,
                                                                  const std::string& map_source, size_t booths_heard) {
  GRADCAP_ASSIGN_OR_RETURN(std::optional<v1::ShardAssignment> stored, LoadShardAssignment(store));
  std::vector<std::string> differences;
  if (stored.has_value()) {
    differences = AssignmentDifferences(*stored, assignment);
    if (differences.empty() && stored->map() == assignment.map() && stored->shard_count() == assignment.shard_count()) {
      return std::optional<RegistryChange>();
    }
    if (stored->shard() != assignment.shard()) {
      return absl::FailedPreconditionError(
          absl::StrCat(map_source, ": this database is shard ", stored->shard(), "'s (map ", stored->map(),
                       "), not shard ", assignment.shard(), "'s: wrong --shard, or another shard's volume?"));
    }
    if (!differences.empty() && booths_heard > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          map_source, " moves colleges after this shard's log heard ", booths_heard,
          " booths (a college's day stays in one log; restore the map or start a new day): ",
          absl::StrJoin(differences, "; ")));
    }
  } else {
    GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::CodeKey> keys, AllKeys(store));
    for (const v1::CodeKey& k : keys) {
      if (ShardOfKeyId(k.key_id()) != static_cast<int>(assignment.shard())) {
        return absl::FailedPreconditionError(absl::StrCat(
            map_source, ": this database already has code key ", k.key_id(), ", made before it was shard ",
            assignment.shard(), ": its codes would not name their shard. Start the shard on a new database."));
      }
    }
  }
  RegistryChange change;
  change.Put(kMetaColumn, kShardAssignmentKey, assignment.SerializeAsString());
  std::vector<std::string> own;
  for (const auto& [college, shard] : assignment.college_shard()) {
    if (shard == assignment.shard()) own.push_back(college);
  }
  std::sort(own.begin(), own.end());
  change.record.set_action("shard_assignment");
  change.record.set_source(std::filesystem::path(map_source).filename().string());
  change.record.set_rows(own.size());
  change.record.set_detail(absl::StrCat("shard ", assignment.shard(), " of ", assignment.shard_count(), " (map ",
                                        assignment.map(), "): ", absl::StrJoin(own, ", "),
                                        differences.empty() ? "" : absl::StrCat("; changed: ", absl::StrJoin(differences, "; "))));
  change.summary.detail = change.record.detail();
  return std::optional<RegistryChange>(std::move(change));
}

}  // namespace gradcap
