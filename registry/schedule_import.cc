// The schedule import (see registry_import.h): which college shoots at which
// booth, when, and whether students sign first.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "common/big_endian.h"
#include "common/booth_id.h"
#include "common/csv.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "registry/import_util.h"
#include "common/log_format.h"
#include "registry/registry_import.h"

namespace gradcap {
namespace {

using Columns = std::vector<std::pair<std::string, std::vector<std::string>>>;
using import_internal::DescribeImport;
using import_internal::RowError;
using import_internal::ShardRows;

// ISO 8601 local time ("2024-09-21T08:00", seconds and an offset optional;
// a space or "/" as Excel writes them are accepted too).
std::optional<int64_t> ParseLocalTime(std::string text, const absl::TimeZone& zone) {
  text = absl::StrReplaceAll(text, {{"/", "-"}});
  if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
  absl::Time t;
  std::string err;
  for (const char* fmt : {"%Y-%m-%dT%H:%M:%E*S%Ez", "%Y-%m-%dT%H:%M%Ez", "%Y-%m-%dT%H:%M:%E*SZ", "%Y-%m-%dT%H:%MZ"}) {
    if (absl::ParseTime(fmt, text, &t, &err)) return absl::ToUnixMillis(t);
  }
  for (const char* fmt : {"%Y-%m-%dT%H:%M:%E*S", "%Y-%m-%dT%H:%M"}) {
    if (absl::ParseTime(fmt, text, zone, &t, &err)) return absl::ToUnixMillis(t);
  }
  return std::nullopt;
}

std::optional<bool> ParseYesNo(const std::string& raw) {
  const std::string s = absl::AsciiStrToLower(raw);
  if (s == "yes" || s == "y" || s == "true" || s == "1" || s == "是" || s == "需要") return true;
  if (s == "no" || s == "n" || s == "false" || s == "0" || s == "否" || s == "不需要" || s.empty()) return false;
  return std::nullopt;
}

}  // namespace

absl::StatusOr<RegistryChange> PlanScheduleImport(const KvStore& store, const ImportSource& source,
                                                  const std::string& timezone) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(timezone, &zone)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown time zone \"", timezone, "\" (e.g. Asia/Shanghai)"));
  }
  GRADCAP_ASSIGN_OR_RETURN(CsvTable t, ParseCsv(source.bytes, source.name));
  GRADCAP_ASSIGN_OR_RETURN(auto col, MapColumns(t, Columns{{"college", {"college", "学院"}},
                                                           {"booth", {"booth", "机位"}},
                                                           {"start", {"start", "开始"}},
                                                           {"end", {"end", "结束"}},
                                                           {"sign", {"sign", "签名"}}}));
  if (t.rows.empty()) return absl::InvalidArgumentError(absl::StrCat(t.name, ": no windows below the header"));
  // Colleges the roster knows.
  std::set<std::string> colleges;
  auto students = store.NewCursor(kStudentsColumn);
  for (students->SeekToFirst(); students->Valid(); students->Next()) {
    v1::Student s;
    if (s.ParseFromArray(students->value().data(), static_cast<int>(students->value().size()))) {
      colleges.insert(s.college());
    }
  }
  GRADCAP_RETURN_IF_ERROR(students->status());

  struct Placed {
    v1::ScheduleSlot slot;
    int line;
  };
  std::vector<Placed> placed;
  GRADCAP_ASSIGN_OR_RETURN(ShardRows shard_rows, ShardRows::Of(store));
  for (const CsvRow& row : t.rows) {
    v1::ScheduleSlot slot;
    slot.set_college(row.fields[col["college"]]);
    GRADCAP_ASSIGN_OR_RETURN(bool other_shard, shard_rows.Skip(t, row, col["college"], slot.college()));
    if (other_shard) continue;
    if (!colleges.count(slot.college())) {
      return RowError(t, row, col["college"],
                      absl::StrCat("college \"", slot.college(), "\" has no students in the roster"));
    }
    slot.set_booth(row.fields[col["booth"]]);
    if (absl::Status booth = CheckBoothId(slot.booth()); !booth.ok()) {
      return RowError(t, row, col["booth"], std::string(booth.message()));
    }
    slot.set_start_text(row.fields[col["start"]]);
    slot.set_end_text(row.fields[col["end"]]);
    std::optional<int64_t> start = ParseLocalTime(slot.start_text(), zone);
    if (!start.has_value()) {
      return RowError(t, row, col["start"],
                      absl::StrCat("\"", slot.start_text(), "\" is not a time such as 2024-09-21T08:00"));
    }
    std::optional<int64_t> end = ParseLocalTime(slot.end_text(), zone);
    if (!end.has_value()) {
      return RowError(t, row, col["end"], absl::StrCat("\"", slot.end_text(), "\" is not a time such as 2024-09-21T11:30"));
    }
    if (*end <= *start) return RowError(t, row, col["end"], "the window ends before it starts");
    slot.set_start_ms(*start);
    slot.set_end_ms(*end);
    std::optional<bool> sign = ParseYesNo(row.fields[col["sign"]]);
    if (!sign.has_value()) {
      return RowError(t, row, col["sign"], absl::StrCat("\"", row.fields[col["sign"]], "\" is not yes/no (是/否)"));
    }
    slot.set_sign(*sign);
    for (const Placed& other : placed) {
      if (other.slot.booth() == slot.booth() && other.slot.start_ms() < slot.end_ms() &&
          slot.start_ms() < other.slot.end_ms()) {
        return RowError(t, row, col["start"],
                        absl::StrCat("booth ", slot.booth(), " is already booked ", other.slot.start_text(), " – ",
                                     other.slot.end_text(), " (line ", other.line, ", ", other.slot.college(), ")"));
      }
    }
    placed.push_back({slot, row.line});
  }
  // The new schedule replaces the old one whole.
  RegistryChange change;
  auto old = store.NewCursor(kScheduleColumn);
  for (old->SeekToFirst(); old->Valid(); old->Next()) change.Delete(kScheduleColumn, std::string(old->key()));
  GRADCAP_RETURN_IF_ERROR(old->status());
  std::set<std::string> booths;
  for (const Placed& p : placed) {
    std::string key = p.slot.booth();
    key.push_back('\0');
    AppendBigEndian64(&key, static_cast<uint64_t>(p.slot.start_ms()));
    change.Put(kScheduleColumn, key, p.slot.SerializeAsString());
    booths.insert(p.slot.booth());
  }
  change.summary = ImportSummary{t.encoding, placed.size(),
                                 absl::StrCat(placed.size(), " windows at ", booths.size(), " booths (times in ",
                                              timezone, ")", shard_rows.Summary())};
  DescribeImport(&change, "schedule_import", source);
  return change;
}

}  // namespace gradcap
