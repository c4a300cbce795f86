#include "common/log_format.h"

#include <cstring>

#include "absl/strings/str_cat.h"
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

absl::StatusOr<OpenedRecord> OpenRecord(uint64_t log_seq, std::string_view value) {
  OpenedRecord opened;
  if (value.size() < opened.hash.size()) {
    return absl::DataLossError(absl::StrCat("record ", log_seq, ": value of ", value.size(),
                                            " bytes is too short to hold its hash (truncated)"));
  }
  std::string_view body = value.substr(opened.hash.size());
  opened.hash = Sha256(body);
  if (std::memcmp(opened.hash.data(), value.data(), opened.hash.size()) != 0) {
    return absl::DataLossError(absl::StrCat(
        "record ", log_seq, ": content does not match its stored hash (the record was altered)"));
  }
  if (!opened.record.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return absl::DataLossError(absl::StrCat("record ", log_seq, ": body does not parse as a LogRecord"));
  }
  if (opened.record.log_seq() != log_seq) {
    return absl::DataLossError(absl::StrCat("record ", log_seq, ": body says it is record ",
                                            opened.record.log_seq(), " (moved)"));
  }
  return opened;
}

}  // namespace gradcap
