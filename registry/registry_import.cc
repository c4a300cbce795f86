#include "registry/registry_import.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "common/big_endian.h"
#include "common/csv.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "registry/import_util.h"
#include "common/log_format.h"
#include "registry/registry.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;
using import_internal::DescribeImport;
using import_internal::RowError;
using import_internal::ShardRows;
using Columns = std::vector<std::pair<std::string, std::vector<std::string>>>;

bool ValidStudentNo(const std::string& s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

// 年级 may be written "2021" or "2021级".
std::optional<std::string> ParseCohort(std::string s) {
  s = absl::StrReplaceAll(s, {{"级", ""}});
  if (s.size() != 4) return std::nullopt;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return s;
}

}  // namespace

std::optional<bool> ResidentIdCheckDigitOk(const std::string& id) {
  if (id.size() != 18) return std::nullopt;
  for (size_t i = 0; i < 17; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(id[i]))) return std::nullopt;
  }
  const char last = static_cast<char>(absl::ascii_toupper(static_cast<unsigned char>(id[17])));
  if (!absl::ascii_isdigit(static_cast<unsigned char>(last)) && last != 'X') return std::nullopt;
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (id[i] - '0') * kWeights[i];
  return kCheck[sum % 11] == last;
}

std::optional<int64_t> ParseFen(const std::string& raw) {
  std::string text = absl::StrReplaceAll(raw, {{"元", ""}, {"¥", ""}, {"￥", ""}, {",", ""}});
  text = std::string(absl::StripAsciiWhitespace(text));
  if (text.empty()) return std::nullopt;
  const size_t dot = text.find('.');
  std::string whole = text.substr(0, dot), frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || frac.size() > 2) return std::nullopt;
  for (char c : whole + frac) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  int64_t yuan = 0;
  if (!absl::SimpleAtoi(whole, &yuan) || yuan > 1'000'000) return std::nullopt;
  while (frac.size() < 2) frac.push_back('0');
  return yuan * 100 + (frac[0] - '0') * 10 + (frac[1] - '0');
}

absl::StatusOr<RegistryChange> PlanRosterImport(const KvStore& store, const ImportSource& source) {
  GRADCAP_ASSIGN_OR_RETURN(CsvTable t, ParseCsv(source.bytes, source.name));
  GRADCAP_ASSIGN_OR_RETURN(
      auto col, MapColumns(t,
                           Columns{{"student_no", {"student_no", "学号"}},
                                   {"name", {"name", "姓名"}},
                                   {"id_no", {"id_no", "身份证号", "证件号码", "身份证号码"}},
                                   {"college", {"college", "学院"}},
                                   {"class", {"class", "班级"}},
                                   {"level", {"level", "层次"}},
                                   {"cohort", {"cohort", "年级"}},
                                   {"enrolment_photo", {"enrolment_photo", "enrollment_photo", "学籍照片"}}},
                           {"enrolment_photo"}));
  if (t.rows.empty()) return absl::InvalidArgumentError(absl::StrCat(t.name, ": no students below the header"));
  std::map<std::string, int> seen_no, seen_id;
  std::vector<v1::Student> students;
  GRADCAP_ASSIGN_OR_RETURN(ShardRows shard_rows, ShardRows::Of(store));
  for (const CsvRow& row : t.rows) {
    auto field = [&](const char* c) -> const std::string& { return row.fields[col.at(c)]; };
    v1::Student s;
    s.set_student_no(field("student_no"));
    if (!ValidStudentNo(s.student_no())) {
      return RowError(t, row, col["student_no"],
                      absl::StrCat("\"", s.student_no(), "\" is not a student number (1-32 letters, digits, - or _)"));
    }
    if (auto [it, fresh] = seen_no.emplace(s.student_no(), row.line); !fresh) {
      return RowError(t, row, col["student_no"],
                      absl::StrCat("student number ", s.student_no(), " appears twice (first on line ", it->second, ")"));
    }
    s.set_name(field("name"));
    if (s.name().empty()) return RowError(t, row, col["name"], "name is empty");
    s.set_id_no(absl::AsciiStrToUpper(field("id_no")));
    if (s.id_no().empty() || s.id_no().size() > 32 || s.id_no().find(' ') != std::string::npos) {
      return RowError(t, row, col["id_no"], "ID number is empty, too long or has spaces");
    }
    if (ResidentIdCheckDigitOk(s.id_no()) == false) {
      return RowError(t, row, col["id_no"],
                      absl::StrCat("resident ID ", s.id_no(), " has a wrong check character (mistyped?)"));
    }
    if (auto [it, fresh] = seen_id.emplace(s.id_no(), row.line); !fresh) {
      return RowError(t, row, col["id_no"],
                      absl::StrCat("ID number also given on line ", it->second, " for another student"));
    }
    s.set_college(field("college"));
    if (s.college().empty()) return RowError(t, row, col["college"], "college is empty");
    GRADCAP_ASSIGN_OR_RETURN(bool other_shard, shard_rows.Skip(t, row, col["college"], s.college()));
    if (other_shard) continue;
    s.set_class_name(field("class"));
    if (s.class_name().empty()) return RowError(t, row, col["class"], "class is empty");
    s.set_level(field("level"));
    if (s.level() != "本科" && s.level() != "专科" && s.level() != "专升本") {
      return RowError(t, row, col["level"],
                      absl::StrCat("level \"", s.level(), "\" is not one of 本科, 专科, 专升本"));
    }
    std::optional<std::string> cohort = ParseCohort(field("cohort"));
    if (!cohort.has_value()) {
      return RowError(t, row, col["cohort"],
                      absl::StrCat("cohort \"", field("cohort"), "\" is not a year such as 2021"));
    }
    s.set_cohort(*cohort);
    if (col.count("enrolment_photo") && !field("enrolment_photo").empty()) {
      fs::path photo = fs::path(source.base_dir) / field("enrolment_photo");
      if (!fs::is_regular_file(photo)) {
        return RowError(t, row, col["enrolment_photo"],
                        absl::StrCat("enrolment photo ", photo.string(), " does not exist"));
      }
      s.set_enrolment_photo(fs::absolute(photo).lexically_normal().string());
    }
    students.push_back(std::move(s));
  }
  RegistryChange change;
  size_t updated = 0;
  for (const v1::Student& s : students) {
    GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> existing, store.Get(kStudentsColumn, s.student_no()));
    updated += existing.has_value() ? 1 : 0;
    change.Put(kStudentsColumn, s.student_no(), s.SerializeAsString());
  }
  change.summary = ImportSummary{t.encoding, students.size(),
                                 absl::StrCat(students.size(), " students (", students.size() - updated, " new, ",
                                              updated, " updated)", shard_rows.Summary())};
  DescribeImport(&change, "roster_import", source);
  return change;
}

absl::StatusOr<RegistryChange> PlanPaymentsImport(const KvStore& store, const ImportSource& source,
                                                  std::optional<int64_t> amount_due_fen) {
  GRADCAP_ASSIGN_OR_RETURN(CsvTable t, ParseCsv(source.bytes, source.name));
  GRADCAP_ASSIGN_OR_RETURN(auto col, MapColumns(t, Columns{{"student_no", {"student_no", "学号"}},
                                                           {"amount", {"amount", "金额"}},
                                                           {"paid_at", {"paid_at", "缴费时间"}},
                                                           {"txn_id", {"txn_id", "交易号"}}}));
  GRADCAP_ASSIGN_OR_RETURN(ShardRows shard_rows, ShardRows::Of(store));
  // Everything already recorded, so totals are recomputed from all of it.
  RegistryChange change;
  std::map<std::string, v1::Payment> payments;
  auto cursor = store.NewCursor(kPaymentsColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    v1::Payment p;
    if (!p.ParseFromArray(cursor->value().data(), static_cast<int>(cursor->value().size()))) {
      return absl::DataLossError("a stored payment does not parse");
    }
    payments[p.txn_id()] = p;
  }
  GRADCAP_RETURN_IF_ERROR(cursor->status());
  std::map<std::string, int> line_of;
  uint64_t fresh_rows = 0, repeats = 0;
  for (const CsvRow& row : t.rows) {
    auto field = [&](const char* c) -> const std::string& { return row.fields[col.at(c)]; };
    v1::Payment p;
    p.set_txn_id(field("txn_id"));
    if (p.txn_id().empty()) return RowError(t, row, col["txn_id"], "transaction id is empty");
    p.set_student_no(field("student_no"));
    GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> student, store.Get(kStudentsColumn, p.student_no()));
    if (!student.has_value() && shard_rows.SkipUnknownStudent(p.student_no())) continue;
    if (!student.has_value()) {
      return RowError(t, row, col["student_no"],
                      absl::StrCat("student ", p.student_no(), " is not in the roster (import the roster first)"));
    }
    std::optional<int64_t> fen = ParseFen(field("amount"));
    if (!fen.has_value() || *fen <= 0) {
      return RowError(t, row, col["amount"],
                      absl::StrCat("amount \"", field("amount"), "\" is not a positive amount of money such as 15.00"));
    }
    p.set_amount_fen(*fen);
    p.set_paid_at(field("paid_at"));
    auto it = payments.find(p.txn_id());
    if (it != payments.end()) {
      if (it->second.student_no() != p.student_no() || it->second.amount_fen() != p.amount_fen()) {
        const auto where = line_of.find(p.txn_id());
        return RowError(t, row, col["txn_id"],
                        absl::StrCat("transaction ", p.txn_id(), " is already recorded ",
                                     where != line_of.end() ? absl::StrCat("on line ", where->second)
                                                            : std::string("from an earlier import"),
                                     " for another student or amount"));
      }
      ++repeats;  // the same transaction again counts once
      continue;
    }
    line_of[p.txn_id()] = row.line;
    payments[p.txn_id()] = p;
    change.Put(kPaymentsColumn, p.txn_id(), p.SerializeAsString());
    ++fresh_rows;
  }
  std::map<std::string, int64_t> totals;
  for (const auto& [txn, p] : payments) totals[p.student_no()] += p.amount_fen();
  for (const auto& [student, fen] : totals) {
    change.Put(kPaidColumn, student, BigEndian64(static_cast<uint64_t>(fen)));
  }
  int64_t due = kDefaultAmountDueFen;
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> stored_due, store.Get(kMetaColumn, kAmountDueKey));
  if (stored_due.has_value()) due = static_cast<int64_t>(ReadBigEndian64(*stored_due).value_or(due));
  if (amount_due_fen.has_value()) {
    due = *amount_due_fen;
    change.Put(kMetaColumn, kAmountDueKey, BigEndian64(static_cast<uint64_t>(due)));
  }
  size_t paid = 0;
  for (const auto& [student, fen] : totals) paid += fen >= due ? 1 : 0;
  change.summary = ImportSummary{t.encoding, fresh_rows,
                                 absl::StrCat(fresh_rows, " new payments, ", repeats, " already recorded; ", paid,
                                              " students have paid the ", due / 100, ".",
                                              absl::StrFormat("%02d", due % 100), " 元 due", shard_rows.Summary())};
  DescribeImport(&change, "payments_import", source);
  return change;
}

}  // namespace gradcap
