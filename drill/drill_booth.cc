#include "drill/drill_booth.h"

#include <google/protobuf/util/json_util.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "common/status_macros.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;

}  // namespace

DrillBooth::DrillBooth(DrillBoothOptions options) : options_(std::move(options)) {}

DrillBooth::~DrillBooth() = default;

bool DrillBooth::running() { return process_.running(); }

void DrillBooth::Kill() {
  process_.Signal(SIGKILL);
  process_.Wait(5000);
}

void DrillBooth::Stop() {
  process_.Signal(SIGTERM);
  process_.Wait(5000);
}

absl::Status DrillBooth::Start() {
  const std::string& b = options_.booth;
  const std::string& w = options_.work_dir;
  for (const char* sub : {"/scan-", "/hot-"}) fs::create_directories(w + sub + b);
  std::vector<std::string> argv = options_.exec_prefix;
  for (const std::string& arg :
       {options_.booth_bin, std::string("--booth"), b, std::string("--outbox"), w + "/outbox-" + b,
        std::string("--coordinator"), options_.endpoint, std::string("--scan_folder"), w + "/scan-" + b,
        std::string("--hot_folder"), w + "/hot-" + b, std::string("--stdin_scans"),
        std::string("--status_interval_ms"), std::string("0"), std::string("--journal_fd"),
        absl::StrCat(ChildProcess::kJournalFd)}) {
    argv.push_back(arg);
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  if (!process_.Start(argv, w + "/booth-" + b + ".log", /*stdin_pipe=*/true, /*journal_pipe=*/true)) {
    return absl::UnavailableError(absl::StrCat("cannot start booth ", b));
  }
  if (offline_) {
    GRADCAP_ASSIGN_OR_RETURN(DrillInput unused, Type("/offline", -1));
    (void)unused;
  }
  // The backlog, in the order the agent takes it; a photo taken while it was
  // down is held until the operator keeps it.
  std::vector<Pending> backlog = std::move(pending_);
  pending_.clear();
  for (const Pending& p : backlog) {
    GRADCAP_ASSIGN_OR_RETURN(v1::BoothJournalLine line, AwaitLine(p.kind, p.name));
    if (!line.held().empty()) {
      if (!process_.WriteLine("/keep")) return absl::UnavailableError(absl::StrCat("booth ", b, " took no /keep"));
      GRADCAP_ASSIGN_OR_RETURN(line, AwaitLine("line", "/keep"));
    }
    Taken(line, p.step);
  }
  return absl::OkStatus();
}

std::string DrillBooth::WriteFile(const char* folder, const std::string& extension, const std::string& bytes) {
  const std::string name = absl::StrFormat("%06d.%s", ++files_, extension);
  // Whole or not at all: the agent must never see half a file.
  (void)WriteFileAtomically(absl::StrCat(options_.work_dir, "/", folder, "-", options_.booth, "/", name), bytes);
  return name;
}

DrillInput DrillBooth::Taken(const v1::BoothJournalLine& line, int step) {
  DrillInput in;
  in.note = line.note();
  for (uint64_t seq : line.seqs()) {
    in.seqs.push_back(seq);
    step_of_[seq] = step;
    last_seq_ = std::max(last_seq_, seq);
  }
  return in;
}

absl::StatusOr<DrillInput> DrillBooth::ShowCode(const std::string& png, const std::string& typed, int step) {
  if (png.empty()) return Type(typed, step);
  const std::string name = WriteFile("scan", "png", png);
  if (!process_.running()) {
    pending_.push_back(Pending{"scan_file", name, step});
    return DrillInput{{}, "", true};
  }
  GRADCAP_ASSIGN_OR_RETURN(v1::BoothJournalLine line, AwaitLine("scan_file", name));
  return Taken(line, step);
}

absl::StatusOr<DrillInput> DrillBooth::Shoot(const std::string& jpeg, uint32_t shooting_no, bool retake, int step) {
  if (process_.running()) {
    // Said before the shot, and taken before the file is there.
    if (retake) GRADCAP_RETURN_IF_ERROR(Type("/r", step).status());
    if (shooting_no != 0) GRADCAP_RETURN_IF_ERROR(Type(absl::StrCat("/n ", shooting_no), step).status());
  }
  const std::string name = WriteFile("hot", "jpg", jpeg);
  if (!process_.running()) {
    pending_.push_back(Pending{"hot_file", name, step});
    return DrillInput{{}, "", true};
  }
  GRADCAP_ASSIGN_OR_RETURN(v1::BoothJournalLine line, AwaitLine("hot_file", name));
  return Taken(line, step);
}

absl::StatusOr<DrillInput> DrillBooth::Type(const std::string& line, int step) {
  if (line == "/offline") offline_ = true;
  if (line == "/online") offline_ = false;
  if (!process_.running() || !process_.WriteLine(line)) {
    return absl::FailedPreconditionError(
        absl::StrCat("booth ", options_.booth, "'s agent is not running: nobody can type \"", line, "\" into it"));
  }
  GRADCAP_ASSIGN_OR_RETURN(v1::BoothJournalLine taken, AwaitLine("line", line));
  return Taken(taken, step);
}

absl::StatusOr<v1::BoothJournalLine> DrillBooth::NextLine() {
  const int64_t deadline = SystemClock::Get()->MonotonicMs() + options_.timeout_ms;
  while (true) {
    const int64_t left = deadline - SystemClock::Get()->MonotonicMs();
    std::optional<std::string> text = process_.ReadJournalLine(static_cast<int>(std::max<int64_t>(left, 0)));
    if (!text.has_value()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "booth ", options_.booth, process_.running() ? " said nothing in its journal within " : " stopped within ",
          options_.timeout_ms, " ms; see ", options_.work_dir, "/booth-", options_.booth, ".log"));
    }
    v1::BoothJournalLine line;
    if (google::protobuf::util::JsonStringToMessage(*text, &line).ok()) {
      verdict_seen_ = std::max(verdict_seen_, line.verdict_log_seq());
      return line;
    }
    // Not ours to read (a future kind of line): skip it.
  }
}

absl::Status DrillBooth::AwaitVerdict(uint64_t verdict_log_seq) {
  while (verdict_seen_ < verdict_log_seq) GRADCAP_RETURN_IF_ERROR(NextLine().status());
  return absl::OkStatus();
}

absl::StatusOr<v1::BoothJournalLine> DrillBooth::AwaitLine(const std::string& input, const std::string& key) {
  while (true) {
    GRADCAP_ASSIGN_OR_RETURN(v1::BoothJournalLine line, NextLine());
    if (!line.held().empty()) {
      if (line.held() == key) return line;
      held_.push_back(line.held());
      continue;
    }
    const std::string& got = line.input() == "line" ? line.text() : line.name();
    if (line.input() == input && got == key) return line;
    // A line about another input (a frame, a file from before): not this step's.
  }
}

}  // namespace gradcap
