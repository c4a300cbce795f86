// The registrar's reference data in the coordinator's database: roster,
// payments, schedule, external (学信网) codes and code-sealing keys. Load()
// reads the roster, each student's total paid, the schedule, the keys and the
// amount due into memory (a day's roster is a few MB); external codes are
// read from RocksDB when asked. Call Load() again after any import. Not
// thread-safe; owned by the ingest thread.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/kv_store.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

inline constexpr int64_t kDefaultAmountDueFen = 1500;  // 15 元 (the notice)
inline constexpr char kAmountDueKey[] = "amount_due_fen";
inline constexpr char kCurrentCodeKey[] = "current_code_key";
inline constexpr char kShardAssignmentKey[] = "shard_assignment";

// The colleges a sharded coordinator's database owns (nullopt: not sharded).
absl::StatusOr<std::optional<v1::ShardAssignment>> LoadShardAssignment(const KvStore& store);

class Registry {
 public:
  explicit Registry(const KvStore* store) : store_(store) {}

  // (Re)loads everything but the external codes.
  absl::Status Load();

  std::optional<v1::Student> FindStudent(const std::string& student_no) const;
  // Every student of `college`, in student-number order (a scan of the roster).
  absl::StatusOr<std::vector<v1::Student>> StudentsOf(const std::string& college) const;
  // The same without copies: `visit` sees each student in turn.
  absl::Status ForEachStudentOf(const std::string& college,
                                const std::function<void(const v1::Student&)>& visit) const;
  // Every college in the roster, in order.
  absl::StatusOr<std::vector<std::string>> Colleges() const;
  int64_t PaidFen(const std::string& student_no) const;
  int64_t amount_due_fen() const { return amount_due_fen_; }
  // The student an imported external code belongs to.
  std::optional<std::string> ExternalCode(const std::string& code) const;
  std::optional<v1::CodeKey> CodeKey(const std::string& key_id) const;
  // Windows at `booth`, in start order.
  const std::vector<v1::ScheduleSlot>& SlotsAt(const std::string& booth) const;
  bool HasSchedule() const { return !slots_.empty(); }
  // Every booth the schedule names, in order.
  std::vector<std::string> Booths() const;
  // The key that signs checkpoints of the log, once `keys init` made one.
  const std::optional<v1::CheckpointKey>& checkpoint_key() const { return checkpoint_key_; }
  // Set when the coordinator runs as a shard (common/shard_map.h).
  const std::optional<v1::ShardAssignment>& shard_assignment() const { return shard_; }
  // The shard owning `college` when this database is a shard and another
  // shard owns it (or no shard: -1); nullopt when it is this one's or the
  // database is not sharded.
  std::optional<int> OtherShardOf(const std::string& college) const;

 private:
  const KvStore* store_;
  std::optional<v1::CheckpointKey> checkpoint_key_;
  std::optional<v1::ShardAssignment> shard_;
  int64_t amount_due_fen_ = kDefaultAmountDueFen;
  absl::flat_hash_map<std::string, std::vector<v1::ScheduleSlot>> slots_;
  absl::flat_hash_map<std::string, v1::CodeKey> keys_;
  absl::flat_hash_map<std::string, v1::Student> students_;
  std::map<std::string, std::vector<std::string>> by_college_;  // college → student numbers, in order
  absl::flat_hash_map<std::string, int64_t> paid_fen_;
};

}  // namespace gradcap
