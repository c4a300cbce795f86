// Helpers of bench/load_bench: the day's registry files, the processes of a
// day (coordinator, validators, supervisor) on loopback, open supervisor
// pages, and what /proc and the file system say about them. Bench only.
#ifndef GRADCAP_BENCH_LOAD_DAY_H_
#define GRADCAP_BENCH_LOAD_DAY_H_

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "common/subprocess.h"
#include "common/temp_dir.h"
#include "proto/gradcap.pb.h"

#include "bench/bench_util.h"

namespace gradcap::bench {

using SteadyClock = std::chrono::steady_clock;

double Ms(SteadyClock::duration d);

std::string College(int c);
std::string BoothName(int b);  // B001, B002, ...
std::string Student(int s);    // S000001, ...

struct DayShape {
  int students = 0;
  int booths = 0;
  int colleges = 0;
};
// Booth b serves college b % colleges; every student signs before the photo.
int CollegeOfBooth(const DayShape& day, int b);

// Where the programs are.
struct Binaries {
  std::string coordinator, validator, supervisor, gradcap;
};

// A coordinator (--live, --validators), `validators` worker processes and a
// supervisor with one office user, all on loopback under `dir`. Stops them
// (SIGTERM) when destroyed.
class Day {
 public:
  Day(const TempDir& dir, Binaries bin) : dir_(dir), bin_(std::move(bin)) {}
  ~Day();
  Day(const Day&) = delete;
  Day& operator=(const Day&) = delete;

  // Imports roster, payments and schedule, starts everything and waits until
  // the workers are connected and the supervisor listens. False, with the
  // reason on stderr, when a step fails.
  // `identity`: validators load the face network (face_match, face_duplicate).
  bool Start(const DayShape& shape, int validators, bool identity);

  const std::string& booth_endpoint() const { return booth_endpoint_; }
  const std::string& db() const { return db_; }
  const v1::CodeKey& code_key() const { return key_; }
  int http_port() const { return http_port_; }
  const std::string& cookie() const { return cookie_; }
  pid_t coordinator_pid() const { return coordinator_.pid(); }
  pid_t supervisor_pid() const { return supervisor_.pid(); }
  std::vector<pid_t> validator_pids() const;

 private:
  bool Import(const DayShape& shape);
  const TempDir& dir_;
  Binaries bin_;
  std::string db_, booth_endpoint_, cookie_;
  v1::CodeKey key_;
  int http_port_ = 0;
  ChildProcess coordinator_, supervisor_;
  std::vector<std::unique_ptr<ChildProcess>> validators_;
};

// Logged-in SSE streams of the supervisor, each read on its own thread as a
// browser would; counts the change events they got.
class Pages {
 public:
  ~Pages() { Close(); }
  // Returns how many opened (status 200).
  int Open(int count, int port, const std::string& cookie);
  void Close();
  int64_t events() const { return events_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> events_{0};
  std::vector<std::thread> threads_;
};

// Bytes of all files under `dir`.
uint64_t DirBytes(const std::string& dir);

}  // namespace gradcap::bench

#endif  // GRADCAP_BENCH_LOAD_DAY_H_
