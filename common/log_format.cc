#include "common/log_format.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/big_endian.h"

namespace gradcap {

const std::vector<ColumnSpec>& LogColumns() {
  static const std::vector<ColumnSpec> columns = {
      {"events", false},   {"booths", false},   {"event_index", false},    {"photos", true},
      {"meta", false},     {"students", false}, {"payments", false},       {"paid", false},
      {"schedule", false}, {"external_codes", false}, {"code_keys", false},
  };
  return columns;
}

absl::Status CheckLogColumns(const std::string& dir) {
  absl::StatusOr<std::vector<std::string>> present = KvStore::ListColumns(dir);
  if (!present.ok()) return present.status();
  std::vector<std::string> missing, extra;
  for (const ColumnSpec& spec : LogColumns()) {
    if (std::find(present->begin(), present->end(), spec.name) == present->end())
      missing.push_back(spec.name);
  }
  for (const std::string& name : *present) {
    if (name == "default") continue;
    const auto& ours = LogColumns();
    if (std::none_of(ours.begin(), ours.end(), [&](const ColumnSpec& c) { return c.name == name; })) {
      extra.push_back(name);
    }
  }
  if (!missing.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database ", dir, " lacks the column famil", missing.size() == 1 ? "y " : "ies ",
        absl::StrJoin(missing, ", "),
        ": it is not a gradcap coordinator database, or one of another version, or it was damaged"));
  }
  if (!extra.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database ", dir, " has column famil", extra.size() == 1 ? "y " : "ies ", absl::StrJoin(extra, ", "),
        " this gradcap does not know: it was written by another version of gradcap"));
  }
  return absl::OkStatus();
}

absl::Status CheckLogFormat(const std::string& dir, const std::optional<std::string>& stored) {
  if (!stored.has_value() || *stored == std::to_string(kLogFormatVersion)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "database ", dir, " was written in log format \"", *stored, "\"; this gradcap reads format ",
      kLogFormatVersion, ": use the gradcap version that wrote it"));
}

std::string EventIndexKey(const v1::EventId& id) {
  std::string key = id.booth();
  key.push_back('\0');
  AppendBigEndian64(&key, id.epoch());
  AppendBigEndian64(&key, id.seq());
  return key;
}

SealedRecord SealRecord(const v1::LogRecord& record) {
  std::string body = record.SerializeAsString();
  SealedRecord sealed;
  sealed.hash = Sha256(body);
  sealed.value.reserve(sealed.hash.size() + body.size());
  sealed.value.append(reinterpret_cast<const char*>(sealed.hash.data()), sealed.hash.size());
  sealed.value.append(body);
  return sealed;
}

absl::StatusOr<Digest> OpenRecordInto(uint64_t log_seq, std::string_view value, v1::LogRecord* record) {
  Digest hash;
  if (value.size() < hash.size()) {
    return absl::DataLossError(absl::StrCat("record ", log_seq, ": value of ", value.size(),
                                            " bytes is too short to hold its hash (truncated)"));
  }
  std::string_view body = value.substr(hash.size());
  hash = Sha256(body);
  if (std::memcmp(hash.data(), value.data(), hash.size()) != 0) {
    return absl::DataLossError(absl::StrCat(
        "record ", log_seq, ": content does not match its stored hash (the record was altered)"));
  }
  if (!record->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return absl::DataLossError(absl::StrCat("record ", log_seq, ": body does not parse as a LogRecord"));
  }
  if (record->log_seq() != log_seq) {
    return absl::DataLossError(
        absl::StrCat("record ", log_seq, ": body says it is record ", record->log_seq(), " (moved)"));
  }
  return hash;
}

absl::StatusOr<OpenedRecord> OpenRecord(uint64_t log_seq, std::string_view value) {
  OpenedRecord opened;
  absl::StatusOr<Digest> hash = OpenRecordInto(log_seq, value, &opened.record);
  if (!hash.ok()) return hash.status();
  opened.hash = *hash;
  return opened;
}

}  // namespace gradcap
