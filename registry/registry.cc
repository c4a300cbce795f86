#include "registry/registry.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/big_endian.h"
#include "common/status_macros.h"
#include "common/log_format.h"

namespace gradcap {

absl::Status Registry::Load() {
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> due, store_->Get(kMetaColumn, kAmountDueKey));
  amount_due_fen_ = due.has_value() ? static_cast<int64_t>(ReadBigEndian64(*due).value_or(kDefaultAmountDueFen))
                                    : kDefaultAmountDueFen;
  slots_.clear();
  auto cursor = store_->NewCursor(kScheduleColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    v1::ScheduleSlot slot;
    if (!slot.ParseFromArray(cursor->value().data(), static_cast<int>(cursor->value().size()))) {
      return absl::DataLossError("a schedule entry does not parse");
    }
    slots_[slot.booth()].push_back(std::move(slot));
  }
  GRADCAP_RETURN_IF_ERROR(cursor->status());
  keys_.clear();
  auto keys = store_->NewCursor(kCodeKeysColumn);
  for (keys->SeekToFirst(); keys->Valid(); keys->Next()) {
    v1::CodeKey key;
    if (!key.ParseFromArray(keys->value().data(), static_cast<int>(keys->value().size()))) {
      return absl::DataLossError("a code key does not parse");
    }
    keys_[key.key_id()] = std::move(key);
  }
  GRADCAP_RETURN_IF_ERROR(keys->status());
  students_.clear();
  by_college_.clear();
  auto students = store_->NewCursor(kStudentsColumn);
  for (students->SeekToFirst(); students->Valid(); students->Next()) {
    v1::Student s;
    if (!s.ParseFromArray(students->value().data(), static_cast<int>(students->value().size()))) {
      return absl::DataLossError(absl::StrCat("roster entry ", std::string(students->key()), " does not parse"));
    }
    by_college_[s.college()].push_back(s.student_no());
    students_[s.student_no()] = std::move(s);
  }
  GRADCAP_RETURN_IF_ERROR(students->status());
  paid_fen_.clear();
  auto paid = store_->NewCursor(kPaidColumn);
  for (paid->SeekToFirst(); paid->Valid(); paid->Next()) {
    paid_fen_[std::string(paid->key())] = static_cast<int64_t>(ReadBigEndian64(paid->value()).value_or(0));
  }
  return paid->status();
}

std::optional<v1::Student> Registry::FindStudent(const std::string& student_no) const {
  auto it = students_.find(student_no);
  if (it == students_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<std::vector<v1::Student>> Registry::StudentsOf(const std::string& college) const {
  std::vector<v1::Student> out;
  auto it = by_college_.find(college);
  if (it == by_college_.end()) return out;
  for (const std::string& no : it->second) out.push_back(students_.at(no));
  return out;
}

absl::StatusOr<std::vector<std::string>> Registry::Colleges() const {
  std::vector<std::string> out;
  for (const auto& [college, unused] : by_college_) out.push_back(college);
  return out;
}

int64_t Registry::PaidFen(const std::string& student_no) const {
  auto it = paid_fen_.find(student_no);
  return it == paid_fen_.end() ? 0 : it->second;
}

std::optional<std::string> Registry::ExternalCode(const std::string& code) const {
  auto value = store_->Get(kExternalCodesColumn, code);
  if (!value.ok() || !value->has_value()) return std::nullopt;
  return **value;
}

std::optional<v1::CodeKey> Registry::CodeKey(const std::string& key_id) const {
  auto it = keys_.find(key_id);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Registry::Booths() const {
  std::set<std::string> booths;
  for (const auto& [booth, slots] : slots_) booths.insert(booth);
  return std::vector<std::string>(booths.begin(), booths.end());
}

const std::vector<v1::ScheduleSlot>& Registry::SlotsAt(const std::string& booth) const {
  static const std::vector<v1::ScheduleSlot> kNone;
  auto it = slots_.find(booth);
  return it == slots_.end() ? kNone : it->second;
}

}  // namespace gradcap
