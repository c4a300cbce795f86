// The shard map: which coordinator owns which colleges, in one text file that
// coordinators, booth agents, validators, the supervisor and `gradcap` read.
//
//   # comments run from '#' to the end of the line
//   map = spring-2027              # a name for this map (logged by every process)
//   shard = 0                      # starts shard 0's block; shards are 0, 1, 2, ... in order
//   booth = tcp://10.0.1.10:5555   # where booths connect (coordinator --listen)
//   validators = tcp://10.0.1.10:5556
//   live = tcp://10.0.1.10:5557
//   admin = tcp://10.0.1.10:5558
//   colleges = 信息工程学院, 机械工程学院
//   shard = 1
//   ...
//
// Every shard names all four endpoints (the addresses others connect to) and
// at least one college; a college belongs to exactly one shard; no endpoint
// is shared. A bad file is an InvalidArgument naming the file, line and key.
//
// Code keys made on a sharded coordinator are named "s<N>-k<M>", so a code
// scanned at another shard's booth names the shard that issued it even
// though that coordinator cannot open it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/gradcap.pb.h"

namespace gradcap {

struct ShardEntry {
  int index = 0;
  std::string booth;       // endpoint booths connect to
  std::string validators;  // endpoint validator workers connect to
  std::string live;        // live feed (supervisor, gradcap watch)
  std::string admin;       // admin socket (gradcap --coordinator, the supervisor's actions)
  std::vector<std::string> colleges;
  int line = 0;  // where its block starts, for messages
};

class ShardMap {
 public:
  // `source` names the text in error messages (a path).
  static absl::StatusOr<ShardMap> Parse(std::string_view text, std::string_view source);
  static absl::StatusOr<ShardMap> Load(const std::string& path);

  const std::string& name() const { return name_; }
  const std::string& source() const { return source_; }
  const std::vector<ShardEntry>& shards() const { return shards_; }
  // The shard that owns `college`; nullopt when no shard does.
  std::optional<int> ShardOf(std::string_view college) const;
  // The one shard owning every college of `colleges` (a booth's); an error
  // naming the college when one is in no shard or they span two shards.
  absl::StatusOr<int> ShardOfAll(const std::vector<std::string>& colleges) const;
  // `shard` as a coordinator's assignment: its index and every college's shard.
  v1::ShardAssignment Assignment(int shard) const;

 private:
  std::string name_;
  std::string source_;
  std::vector<ShardEntry> shards_;
};

// Colleges separated by ',', '，' or '、' (a map's or a booth's --colleges), trimmed.
std::vector<std::string> SplitColleges(std::string_view list);

// "s<N>-": the prefix of code key ids made on shard N.
std::string ShardKeyPrefix(int shard);
// The shard a code key id was made on ("s1-k2" → 1); nullopt for ids made
// on an unsharded coordinator ("k1").
std::optional<int> ShardOfKeyId(std::string_view key_id);

// Differences between two assignments, for a coordinator whose map changed:
// empty when they agree. Each line names a college and both shards.
std::vector<std::string> AssignmentDifferences(const v1::ShardAssignment& was, const v1::ShardAssignment& now);

}  // namespace gradcap
