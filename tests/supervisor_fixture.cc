#include "tests/supervisor_fixture.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/collection_code.h"
#include "common/envelope.h"
#include "common/file_util.h"
#include "common/kv_store.h"
#include "common/log_format.h"
#include "registry/registry.h"
#include "tests/process.h"

namespace gradcap::testing {

std::string FilterCsvTo(const std::string& path, size_t column, const std::vector<std::string>& values) {
  const std::set<std::string> wanted(values.begin(), values.end());
  std::vector<std::string> lines = absl::StrSplit(ReadFile(path), '\n', absl::SkipEmpty());
  std::string out = lines[0] + "\n";
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells = absl::StrSplit(lines[i], ',');
    if (cells.size() > column && wanted.count(cells[column])) out += lines[i] + "\n";
  }
  return out;
}

std::string FilterCsv(const std::string& path, size_t column, const std::string& value) {
  return FilterCsvTo(path, column, {value});
}

SupervisorFixture::~SupervisorFixture() {
  StopSupervisor();
  for (auto& shard : shards_) {
    if (shard->process && shard->process->running()) {
      shard->process->Signal(SIGTERM);
      shard->process->Wait(10000);
    }
  }
}

Shard& SupervisorFixture::AddShard(const std::string& college, const std::string& booth) {
  auto shard = std::make_unique<Shard>();
  shard->college = college;
  shard->booth = booth;
  const std::string name = absl::StrFormat("shard%d", shards_.size());
  const std::string folder = dir_ + "/" + name;
  std::filesystem::create_directories(folder);
  shard->db = folder + "/db";
  const std::string sample = SAMPLE_DIR;
  const std::string roster = FilterCsv(sample + "/roster.csv", 3, college);
  std::vector<std::string> students;
  for (absl::string_view line : absl::StrSplit(roster, '\n', absl::SkipEmpty())) {
    students.emplace_back(line.substr(0, line.find(',')));
  }
  std::string schedule;
  for (absl::string_view line : absl::StrSplit(ReadFile(sample + "/schedule.csv"), '\n', absl::SkipEmpty())) {
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (schedule.empty() || (cells.size() > 1 && cells[0] == college && cells[1] == booth)) {
      schedule += std::string(line) + "\n";
    }
  }
  EXPECT_TRUE(WriteFileAtomically(folder + "/roster.csv", roster).ok());
  EXPECT_TRUE(
      WriteFileAtomically(folder + "/payments.csv", FilterCsvTo(sample + "/payments.csv", 0, students)).ok());
  EXPECT_TRUE(WriteFileAtomically(folder + "/schedule.csv", schedule).ok());
  for (auto args : std::vector<std::vector<std::string>>{{"roster", "import", folder + "/roster.csv"},
                                                         {"payments", "import", folder + "/payments.csv"},
                                                         {"schedule", "import", folder + "/schedule.csv"},
                                                         {"keys", "init"}}) {
    args.insert(args.begin(), GRADCAP_BIN);
    args.push_back("--db");
    args.push_back(shard->db);
    std::string out;
    EXPECT_EQ(RunCommand(args, &out), 0) << out;
  }
  {
    auto store = KvStore::Open(shard->db, LogColumns(), OpenMode::kReadOnly);
    EXPECT_TRUE(store.ok());
    Registry registry(store->get());
    EXPECT_TRUE(registry.Load().ok());
    shard->key = registry.CodeKey("k1").value();
  }
  shard->booth_endpoint = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
  shard->admin_endpoint = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
  shard->live_endpoint = absl::StrFormat("tcp://127.0.0.1:%d", FreeLoopbackPort());
  shards_.push_back(std::move(shard));
  return *shards_.back();
}

void SupervisorFixture::StartCoordinator(Shard& shard, const std::string& keys) {
  const std::string ready = shard.db + ".ready";
  std::filesystem::remove(ready);
  std::vector<std::string> args = {COORDINATOR_BIN,
                                   "--db",
                                   shard.db,
                                   "--listen",
                                   shard.booth_endpoint,
                                   "--admin",
                                   shard.admin_endpoint,
                                   "--live",
                                   shard.live_endpoint,
                                   "--ready_file",
                                   ready,
                                   "--clock_start",
                                   "2024-09-21T09:00+08:00",
                                   "--stats_interval_ms",
                                   "0"};
  if (!keys.empty()) {
    args.push_back("--keys");
    args.push_back(keys);
  }
  shard.process = std::make_unique<ChildProcess>();
  ASSERT_TRUE(shard.process->Start(args, shard.db + ".log"));
  ASSERT_FALSE(WaitForFile(ready, 20000).empty()) << ReadFile(shard.db + ".log");
  SocketOptions options;
  options.immediate = false;
  if (!keys.empty()) {
    // The booth's enrolled key, made by the caller with transport-keys enroll.
    const std::string secret = ReadFile(keys + "/booths/" + shard.booth + ".secret");
    options.curve_keys.secret_key = std::string(absl::StripAsciiWhitespace(secret));
    options.curve_keys.public_key = CurvePublicKey(options.curve_keys.secret_key).value();
    options.curve_server_public_key =
        std::string(absl::StripAsciiWhitespace(ReadFile(keys + "/coordinator.public")));
  }
  shard.booth_socket = std::move(MessageSocket::Create(SocketKind::kDealer, options).value());
  ASSERT_TRUE(shard.booth_socket->Connect(shard.booth_endpoint).ok());
}

void SupervisorFixture::KillCoordinator(Shard& shard) {
  shard.process->Signal(SIGKILL);
  shard.process->Wait(10000);
  shard.booth_socket.reset();
}

void SupervisorFixture::AddUser(const std::string& name, const std::string& role, const std::string& college,
                                bool photos) {
  users_file_ = dir_ + "/users.json";
  std::vector<std::string> args = {GRADCAP_BIN, "users", "add",    "--users", users_file_,
                                   "--name",    name,    "--role", role};
  if (!college.empty()) args.insert(args.end(), {"--college", college});
  if (photos) args.push_back("--photos");
  ChildProcess child;
  ASSERT_TRUE(child.Start(args, dir_ + "/users.log", /*stdin_pipe=*/true));
  child.WriteLine("pw-" + name);
  child.CloseStdin();
  ASSERT_TRUE(child.Wait(30000));
  ASSERT_EQ(child.exit_status(), 0) << ReadFile(dir_ + "/users.log");
}

int SupervisorFixture::StartSupervisor(const std::string& keys, const std::string& as) {
  const std::string ready = dir_ + "/supervisor.ready";
  std::filesystem::remove(ready);
  std::vector<std::string> args = {SUPERVISOR_BIN, "--listen",     "127.0.0.1:0", "--users",
                                   users_file_,    "--ready_file", ready};
  for (const auto& shard : shards_) args.insert(args.end(), {"--coordinator", shard->live_endpoint});
  if (!keys.empty()) args.insert(args.end(), {"--keys", keys, "--as", as});
  supervisor_ = std::make_unique<ChildProcess>();
  EXPECT_TRUE(supervisor_->Start(args, dir_ + "/supervisor.log"));
  const std::string url = WaitForFile(ready, 20000);
  EXPECT_FALSE(url.empty()) << ReadFile(dir_ + "/supervisor.log");
  // http://127.0.0.1:PORT/
  const size_t colon = url.rfind(':');
  return colon == std::string::npos ? 0 : std::stoi(url.substr(colon + 1));
}

void SupervisorFixture::StopSupervisor() {
  if (supervisor_ && supervisor_->running()) {
    supervisor_->Signal(SIGTERM);
    EXPECT_TRUE(supervisor_->Wait(10000));
    EXPECT_EQ(supervisor_->exit_status(), 0);
  }
}

v1::Ack SupervisorFixture::Scan(Shard& shard, const std::string& student) {
  v1::CodeBody body;
  body.set_student_no(student);
  body.set_college(shard.college);
  body.set_expires_at_ms(1900000000000);
  v1::Envelope e;
  v1::BoothEvent* event = e.mutable_event();
  event->mutable_id()->set_booth(shard.booth);
  event->mutable_id()->set_epoch(1);
  event->mutable_id()->set_seq(++shard.seq);
  event->mutable_scan()->set_payload(SealCode(body, shard.key));
  EXPECT_TRUE(shard.booth_socket->Send({SerializeEnvelope(e)}).ok());
  for (int i = 0; i < 200; ++i) {
    auto r = shard.booth_socket->Receive(100);
    if (!r.ok() || !r->has_value()) continue;
    v1::Envelope reply;
    if (reply.ParseFromString((**r).back()) && reply.has_ack() && reply.ack().id().seq() == shard.seq) {
      return reply.ack();
    }
  }
  ADD_FAILURE() << "no ack for the scan of " << student;
  return {};
}

std::string SupervisorFixture::BoothJson(const Shard& shard, const std::string& booth,
                                         const std::string& keys) {
  std::vector<std::string> args = {GRADCAP_BIN,          "booth", booth, "--coordinator",
                                   shard.admin_endpoint, "--json"};
  std::string out;
  EXPECT_EQ(RunCommand(args, &out), 0) << out;
  return out;
}

}  // namespace gradcap::testing
