#include "registry/registry.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/big_endian.h"
#include "common/status_macros.h"
#include "common/log_format.h"

namespace gradcap {

absl::StatusOr<std::optional<v1::ShardAssignment>> LoadShardAssignment(const KvStore& store) {
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> stored, store.Get(kMetaColumn, kShardAssignmentKey));
  if (!stored.has_value()) return std::optional<v1::ShardAssignment>();
  v1::ShardAssignment a;
  if (!a.ParseFromString(*stored)) return absl::DataLossError("the shard assignment in column meta does not parse");
  return std::optional<v1::ShardAssignment>(std::move(a));
}

std::optional<int> Registry::OtherShardOf(const std::string& college) const {
  if (!shard_.has_value()) return std::nullopt;
  auto it = shard_->college_shard().find(college);
  if (it == shard_->college_shard().end()) return -1;
  if (it->second == shard_->shard()) return std::nullopt;
  return static_cast<int>(it->second);
}

absl::Status Registry::Load() {
  GRADCAP_ASSIGN_OR_RETURN(shard_, LoadShardAssignment(*store_));
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
  GRADCAP_ASSIGN_OR_RETURN(std::optional<std::string> signing, store_->Get(kMetaColumn, kCheckpointKeyKey));
  checkpoint_key_.reset();
  if (signing.has_value()) {
    v1::CheckpointKey key;
    if (!key.ParseFromString(*signing))
      return absl::DataLossError("the checkpoint key in column meta does not parse");
    checkpoint_key_ = std::move(key);
  }
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
  GRADCAP_RETURN_IF_ERROR(ForEachStudentOf(college, [&out](const v1::Student& s) { out.push_back(s); }));
  return out;
}

absl::Status Registry::ForEachStudentOf(const std::string& college,
                                        const std::function<void(const v1::Student&)>& visit) const {
  auto it = by_college_.find(college);
  if (it == by_college_.end()) return absl::OkStatus();
  for (const std::string& no : it->second) visit(students_.at(no));
  return absl::OkStatus();
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
