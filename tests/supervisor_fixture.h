// Real coordinator shards and a real supervisor process for the supervisor's
// cross-process tests: each shard gets its own database holding one college
// of the sample roster (its payments and its booth's schedule), a booth
// socket, an admin socket and a live feed; booth events are sent as a booth
// would (sealed codes on a DEALER).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/subprocess.h"
#include "common/temp_dir.h"
#include "common/transport.h"
#include "proto/gradcap.pb.h"

namespace gradcap::testing {

struct Shard {
  std::string college, booth, db;
  std::string booth_endpoint, admin_endpoint, live_endpoint;
  std::unique_ptr<ChildProcess> process;
  std::unique_ptr<MessageSocket> booth_socket;
  v1::CodeKey key;
  uint64_t seq = 0;
};

class SupervisorFixture {
 public:
  explicit SupervisorFixture(std::string dir) : dir_(std::move(dir)) {}
  ~SupervisorFixture();

  // A database with `college` alone, scheduled at `booth`; not started.
  Shard& AddShard(const std::string& college, const std::string& booth);
  // `keys`: a transport-keys folder (CURVE) or "".
  void StartCoordinator(Shard& shard, const std::string& keys = "");
  void KillCoordinator(Shard& shard);
  // Adds a user through `gradcap users add` (password "pw-" + name).
  void AddUser(const std::string& name, const std::string& role, const std::string& college = "",
               bool photos = false);
  // Starts the supervisor over every shard; its HTTP port.
  int StartSupervisor(const std::string& keys = "", const std::string& as = "");
  void StopSupervisor();

  // A scan of `student` at the shard's booth; the ack.
  v1::Ack Scan(Shard& shard, const std::string& student);
  // The coordinator's own view of a booth (gradcap booth --json).
  std::string BoothJson(const Shard& shard, const std::string& booth, const std::string& keys = "");

  const std::string& users_file() const { return users_file_; }
  const std::string& dir() const { return dir_; }
  std::vector<std::unique_ptr<Shard>>& shards() { return shards_; }

 private:
  std::string dir_;
  std::string users_file_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::unique_ptr<ChildProcess> supervisor_;
};

// The sample CSV's header and the lines whose column `column` is `value`.
std::string FilterCsv(const std::string& path, size_t column, const std::string& value);
std::string FilterCsvTo(const std::string& path, size_t column, const std::vector<std::string>& values);

}  // namespace gradcap::testing
