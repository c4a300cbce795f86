#include "booth-agent/booth_agent.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "booth-agent/operator_text.h"
#include "common/codes.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/status_macros.h"

namespace gradcap {
namespace {

constexpr char kComponent[] = "booth-agent";
constexpr char kCommandHelp[] =
    "/s sign, /r next photo is a retake, /a REASON absent, /p camera photo, /n N next photo is for number N, "
    "/ok REASON pass the last photo although checks failed (or confirm its warnings), "
    "/keep send the held photo, /drop set the held photo aside, /offline, /online, /help";

v1::BoothEvent SyntheticEvent(const std::string& booth, uint64_t n, uint64_t photo_bytes) {
  v1::BoothEvent event;
  const std::string tag = absl::StrFormat("SYN-%s-%06d", booth, n);
  if (photo_bytes == 0) {
    event.mutable_scan()->set_payload(tag);
    event.mutable_scan()->set_source("synthetic");
    return event;
  }
  std::string bytes(photo_bytes, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131 + n * 7) & 0xff);
  bytes.replace(0, std::min(tag.size(), bytes.size()), tag.substr(0, bytes.size()));
  v1::Photo* photo = event.mutable_photo();
  photo->set_sha256(DigestBytes(Sha256(bytes)));
  photo->set_jpeg(std::move(bytes));
  photo->set_file_name(tag + ".jpg");
  return event;
}

}  // namespace

BoothAgent::BoothAgent(BoothConfig config, const Clock* clock)
    : config_(std::move(config)),
      clock_(clock),
      debouncer_(config_.debounce_ms),
      journal_(config_.journal_fd) {
  if (config_.began_ns == 0) config_.began_ns = clock_->NowMs() * 1'000'000;
  view_.booth = config_.booth;
  view_.colleges = config_.colleges;
}

BoothAgent::~BoothAgent() = default;

absl::Status BoothAgent::Start() {
  GRADCAP_ASSIGN_OR_RETURN(outbox_, Outbox::Open(config_.outbox_dir, config_.booth, clock_));
  LogInfo(kComponent, "booth ", config_.booth, " epoch ", outbox_->epoch(), ": outbox holds ", outbox_->depth(),
          " undelivered events (last seq ", outbox_->last_seq(), ")");
  link_ = std::make_unique<BoothLink>(outbox_.get(), clock_, config_.link);
  link_->on_ack = [this](const v1::Ack& ack) { OnAck(ack); };
  link_->on_heartbeat = [this](const v1::Heartbeat& h) {
    view_.queue.assign(h.state().queue().begin(), h.state().queue().end());
    // A verdict sent while this booth was away arrives with the state.
    if (h.state().has_last_verdict()) OnVerdict(h.state().last_verdict());
  };
  link_->on_verdict = [this](const v1::PhotoVerdict& v) { OnVerdict(v); };
  GRADCAP_RETURN_IF_ERROR(link_->Start());
  if (config_.camera >= 0) {
    // A missing camera must not stop the booth: the scanner and hot folder
    // still work, and the camera is tried again every few seconds.
    OpenCamera();
  } else if (!config_.video.empty()) {
    GRADCAP_ASSIGN_OR_RETURN(scanner_, FrameScanner::OpenVideo(config_.video));
  } else if (!config_.scan_folder.empty()) {
    GRADCAP_ASSIGN_OR_RETURN(scanner_, FrameScanner::OpenFolder(config_.scan_folder, [this](const std::string& name) {
                               return outbox_->HasMarker("scan/" + name);
                             }));
  }
  if (!config_.hot_folder.empty()) {
    GRADCAP_ASSIGN_OR_RETURN(hot_folder_, HotFolder::Open(config_.hot_folder));
  }
  started_ms_ = clock_->MonotonicMs();
  generated_at_start_ = outbox_->generated();
  journal_.Write(StartedJournalJson(config_.booth, outbox_->epoch(), outbox_->last_seq()));
  return absl::OkStatus();
}

void BoothAgent::Say(const std::string& message) {
  LogInfo(kComponent, message);
  view_.messages.push_back(message);
  while (view_.messages.size() > 5) view_.messages.pop_front();
}

void BoothAgent::Refuse(const std::string& note, const std::string& message) {
  Say(message);
  input_.note = note;
}

void BoothAgent::FinishInput(JournalEntry entry) {
  entry.seqs = std::move(input_.seqs);
  if (entry.name.empty()) entry.name = std::move(input_.name);
  if (entry.note.empty()) entry.note = std::move(input_.note);
  input_ = JournalEntry();
  journal_.Write(JournalJson(entry));
}

void BoothAgent::OnVerdict(const v1::PhotoVerdict& v) {
  if (v.log_seq() <= view_.photo_verdict.log_seq()) return;  // seen already
  view_.photo_verdict = v;
  journal_.Write(VerdictJournalJson(v.log_seq(), v.shooting_no()));
  std::string problems;
  for (const v1::CheckResult& c : v.problems()) absl::StrAppend(&problems, problems.empty() ? "" : "; ", c.id(), ": ", c.reason_en());
  Say(absl::StrCat("photo #", v.shooting_no(), " ", v.masked_name(), ": ", v.verdict() == v1::VERDICT_PASS ? "PASS" : "FAIL — retake",
                   problems.empty() ? "" : " — ", problems));
}

void BoothAgent::OnAck(const v1::Ack& ack) {
  const v1::Outcome& o = ack.outcome();
  // Keep the queue view current between heartbeats, so the number sent
  // with the next photo is the head the coordinator has now.
  auto kind = kinds_.find(ack.id().seq());
  if (kind != kinds_.end()) {
    if (o.accepted() && o.shooting_no() != 0) {
      auto& q = view_.queue;
      if (kind->second == v1::BoothEvent::kScan) {
        v1::QueueEntry entry;
        entry.set_shooting_no(o.shooting_no());
        entry.set_masked_name(o.masked_name());
        entry.set_state(o.needs_sign() ? v1::QUEUE_TO_SIGN : v1::QUEUE_WAITING);
        q.push_back(entry);
      } else if (kind->second == v1::BoothEvent::kPhoto || kind->second == v1::BoothEvent::kAbsent) {
        q.erase(std::remove_if(q.begin(), q.end(),
                               [&](const v1::QueueEntry& e) { return e.shooting_no() == o.shooting_no(); }),
                q.end());
      } else if (kind->second == v1::BoothEvent::kSign) {
        for (auto& e : q) {
          if (e.shooting_no() == o.shooting_no()) e.set_state(v1::QUEUE_WAITING);
        }
      }
    }
    kinds_.erase(kind);
  }
  if (o.accepted()) {
    std::string what = o.shooting_no() ? absl::StrCat("number ", o.shooting_no()) : "ok";
    if (!o.masked_name().empty()) absl::StrAppend(&what, " ", o.masked_name(), " (", o.masked_id(), ")");
    view_.last_verdict_ok = true;
    view_.last_verdict_zh = what;
    view_.last_verdict_en = o.detail().empty() ? "accepted" : o.detail();
    LogInfo(kComponent, "event ", ack.id().seq(), " accepted: ", what, o.detail().empty() ? "" : " — ", o.detail());
  } else {
    const OperatorText text = ReasonText(o.reason());
    view_.last_verdict_ok = false;
    view_.last_verdict_zh = text.zh;
    view_.last_verdict_en = absl::StrCat(text.en, o.detail().empty() ? "" : " — ", o.detail());
    LogInfo(kComponent, "event ", ack.id().seq(), " refused: ", CodeName(o.reason()), ": ", o.detail());
  }
}

bool BoothAgent::DiskFull(const absl::Status& stored) {
  if (!absl::IsResourceExhausted(stored)) return false;
  const int64_t now = clock_->MonotonicMs();
  disk_retry_ms_ = now + 1000;
  if (disk_full_since_ms_ < 0) {
    disk_full_since_ms_ = now;
    LogError(kComponent, "disk full: the outbox ", config_.outbox_dir, " cannot store new events (",
             stored.message(), "); new input is refused until space returns; the ", outbox_->depth(),
             " events already stored are still delivered");
    Say("磁盘已满 / disk full: new input is not stored — free space on the booth's disk");
  }
  return true;
}

void BoothAgent::DiskSpaceBack() {
  if (disk_full_since_ms_ < 0) return;
  LogInfo(kComponent, "disk space back: the outbox ", config_.outbox_dir, " stores events again after ",
          (clock_->MonotonicMs() - disk_full_since_ms_) / 1000.0, " s");
  Say("磁盘空间已恢复 / disk space back: input is stored again");
  disk_full_since_ms_ = -1;
}

absl::Status BoothAgent::Store(v1::BoothEvent event, const std::vector<std::string>& markers) {
  std::vector<v1::BoothEvent> events;
  events.push_back(std::move(event));
  absl::Status stored = outbox_->Append(events, 0, markers);
  if (DiskFull(stored)) {
    Refuse("disk full: not stored", "磁盘已满 / disk full: not stored — show it again once space is freed");
    return stored;
  }
  GRADCAP_RETURN_IF_ERROR(stored);
  DiskSpaceBack();
  kinds_[events[0].id().seq()] = events[0].body_case();
  input_.seqs.push_back(events[0].id().seq());
  return absl::OkStatus();
}

uint32_t BoothAgent::HeadShootingNo() const {
  return view_.queue.empty() ? 0 : view_.queue.front().shooting_no();
}

absl::Status BoothAgent::SubmitScan(const std::string& payload, const std::string& source, const std::string& marker) {
  std::vector<std::string> markers;
  if (!marker.empty()) markers.push_back(marker);
  if (payload.empty() || !NotACodeReason(payload).empty()) {
    if (!payload.empty()) {
      Refuse(NotACodeReason(payload), absl::StrCat("这不是采集码 / ", NotACodeReason(payload), ": not sent"));
    }
    if (markers.empty()) return absl::OkStatus();
    std::vector<v1::BoothEvent> none;
    return outbox_->Append(none, 0, markers);
  }
  v1::BoothEvent event;
  event.mutable_scan()->set_payload(payload);
  event.mutable_scan()->set_source(source);
  return Store(std::move(event), markers);
}

absl::Status BoothAgent::SubmitPhoto(std::string bytes, const std::string& name, const std::string& marker) {
  v1::BoothEvent event;
  v1::Photo* photo = view_.retake_next ? event.mutable_retake() : event.mutable_photo();
  photo->set_sha256(DigestBytes(Sha256(bytes)));
  photo->set_jpeg(std::move(bytes));
  photo->set_file_name(name);
  photo->set_shooting_no(next_photo_number_.value_or(view_.retake_next ? 0 : HeadShootingNo()));
  const std::string said =
      absl::StrCat(view_.retake_next ? "retake " : "photo ", name,
                   photo->shooting_no() ? absl::StrCat(" for number ", photo->shooting_no()) : std::string());
  GRADCAP_RETURN_IF_ERROR(Store(
      std::move(event), marker.empty() ? std::vector<std::string>{} : std::vector<std::string>{marker}));
  Say(said);
  next_photo_number_.reset();
  view_.retake_next = false;
  return absl::OkStatus();
}

absl::Status BoothAgent::Sign() {
  v1::BoothEvent event;
  event.mutable_sign()->set_shooting_no(HeadShootingNo());
  return Store(std::move(event));
}

absl::Status BoothAgent::Overrule(const std::string& reason) {
  const v1::PhotoVerdict& shown = view_.photo_verdict;
  if (shown.verdict() == v1::VERDICT_PENDING) {
    Refuse("no verdict to overrule", "还没有审核结果 / no verdict to overrule yet");
    return absl::OkStatus();
  }
  if (shown.problems_size() == 0) {
    Refuse("the photo passed", absl::StrCat("照片 #", shown.shooting_no(), " 已合格 / photo #", shown.shooting_no(),
                                            " passed: nothing to overrule"));
    return absl::OkStatus();
  }
  if (reason.empty()) {
    Refuse("overruling needs a reason", "放行需要原因 / overruling a verdict needs a reason: /ok REASON");
    return absl::OkStatus();
  }
  v1::BoothEvent event;
  v1::Override* o = event.mutable_override_verdict();
  o->set_shooting_no(shown.shooting_no());
  o->set_photo_sha256(shown.photo_sha256());
  for (const v1::CheckResult& c : shown.problems()) o->add_check_ids(c.id());
  o->set_reason(reason);
  o->set_operator_(config_.operator_name.empty() ? absl::StrCat("booth ", config_.booth) : config_.operator_name);
  Say(absl::StrCat("photo #", shown.shooting_no(), ": passed by the operator — ", reason));
  return Store(std::move(event));
}

absl::Status BoothAgent::MarkAbsent(const std::string& reason) {
  if (reason.empty()) {
    Refuse("absent needs a reason", "缺席需要原因 / absent needs a reason: /a REASON");
    return absl::OkStatus();
  }
  v1::BoothEvent event;
  event.mutable_absent()->set_shooting_no(HeadShootingNo());
  event.mutable_absent()->set_reason(reason);
  return Store(std::move(event));
}

void BoothAgent::RetakeNext() {
  view_.retake_next = true;
  Say("the next photo is a retake of the last one");
}

absl::Status BoothAgent::TakeCameraPhoto() {
  if (scanner_ == nullptr) {
    Refuse("no live camera", "no live camera: photos come from the hot folder");
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> jpeg = scanner_->LatestFrameJpeg();
  if (!jpeg.ok()) {
    Refuse(absl::StrCat("camera photo failed: ", jpeg.status().message()),
           absl::StrCat("camera photo failed: ", jpeg.status().message()));
    return absl::OkStatus();
  }
  return SubmitPhoto(std::move(*jpeg), absl::StrCat("camera-", clock_->NowMs(), ".jpg"), "");
}

absl::Status BoothAgent::PollStdin() {
  if (!config_.stdin_lines || stdin_eof_) return absl::OkStatus();
  pollfd pfd{STDIN_FILENO, POLLIN, 0};
  while (::poll(&pfd, 1, 0) > 0) {
    if ((pfd.revents & (POLLIN | POLLHUP)) == 0) {  // POLLERR, POLLNVAL: there is no stdin to read
      Say("stdin cannot be read: no more scanner input");
      stdin_eof_ = true;
      break;
    }
    char buf[4096];
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;  // a non-blocking stdin with nothing after all: next turn
    if (n <= 0) {
      // Only end of file (or a broken stdin) ends the scanner input: until
      // then --exit_when_delivered waits, however long the scanner pauses.
      if (n < 0)
        Say(absl::StrCat("stdin cannot be read (", std::strerror(errno), "): no more scanner input"));
      stdin_eof_ = true;
      break;
    }
    stdin_partial_.append(buf, static_cast<size_t>(n));
    if (stdin_partial_.size() > 1 << 20) stdin_partial_.clear();  // no newline in 1 MiB: garbage
  }
  if (stdin_eof_ && !stdin_partial_.empty()) stdin_partial_.push_back('\n');
  size_t nl;
  while ((nl = stdin_partial_.find('\n')) != std::string::npos) {
    std::string line = stdin_partial_.substr(0, nl);
    stdin_partial_.erase(0, nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    input_ = JournalEntry();
    absl::Status handled = HandleLine(line);
    if (!absl::IsResourceExhausted(handled)) GRADCAP_RETURN_IF_ERROR(handled);  // disk full: refused, go on
    JournalEntry entry;
    entry.input = "line";
    entry.text = line;
    FinishInput(std::move(entry));
  }
  return absl::OkStatus();
}

absl::Status BoothAgent::HandleLine(const std::string& line) {
  if (line == "/s") return Sign();
  if (line == "/r") {
    RetakeNext();
  } else if (line == "/p") {
    return TakeCameraPhoto();
  } else if (line.rfind("/n ", 0) == 0) {
    uint32_t n = 0;
    if (absl::SimpleAtoi(line.substr(3), &n)) {
      next_photo_number_ = n;
    } else {
      Refuse("/n takes a shooting number", "/n takes the shooting number the next photo is for, e.g. /n 3");
    }
  } else if (line == "/offline") {
    link_->Disconnect();
    Say("link dropped on request: events wait in the outbox");
  } else if (line == "/online") {
    GRADCAP_RETURN_IF_ERROR(link_->Reconnect());
    Say("link restored");
  } else if (line == "/a" || line.rfind("/a ", 0) == 0) {
    return MarkAbsent(line.size() > 3 ? line.substr(3) : "");
  } else if (line == "/ok" || line.rfind("/ok ", 0) == 0) {
    return Overrule(line.size() > 4 ? line.substr(4) : "");
  } else if (line == "/keep") {
    return KeepHeldPhoto();
  } else if (line == "/drop") {
    return DropHeldPhoto();
  } else if (line == "/help" || line == "/?") {
    Say(std::string("commands: ") + kCommandHelp);
  } else if (line[0] == '/') {
    Refuse("unknown command", std::string("commands: ") + kCommandHelp);
  } else {
    return SubmitScan(line, "scanner");
  }
  return absl::OkStatus();
}

void BoothAgent::OpenCamera() {
  camera_tried_ms_ = clock_->MonotonicMs();
  absl::StatusOr<std::unique_ptr<FrameScanner>> camera = FrameScanner::OpenCamera(config_.camera);
  if (camera.ok()) {
    scanner_ = std::move(*camera);
    Say(absl::StrCat("camera ", config_.camera, " ready"));
  } else if (!camera_reported_) {
    Say(absl::StrCat("摄像头不可用 / ", camera.status().message(), " — scan with the USB scanner; retrying"));
    camera_reported_ = true;
  }
}

absl::Status BoothAgent::GenerateSynthetic() {
  uint64_t allowed = config_.synthetic_scans;
  if (config_.synthetic_rate > 0) {
    const double elapsed_s = static_cast<double>(clock_->MonotonicMs() - started_ms_) / 1000.0;
    allowed = std::min(allowed, generated_at_start_ + static_cast<uint64_t>(elapsed_s * config_.synthetic_rate));
  }
  std::vector<v1::BoothEvent> events;
  for (uint64_t n = outbox_->generated(); n < allowed && events.size() < config_.synthetic_chunk; ++n) {
    events.push_back(SyntheticEvent(config_.booth, n + 1, config_.synthetic_photo_bytes));
  }
  if (events.empty() || WaitingForDisk()) return absl::OkStatus();
  absl::Status stored = outbox_->Append(events, events.size());
  if (DiskFull(stored)) return absl::OkStatus();  // generated again next time
  if (stored.ok()) DiskSpaceBack();
  return stored;
}

absl::Status BoothAgent::Turn(int wait_ms) {
  GRADCAP_RETURN_IF_ERROR(GenerateSynthetic());
  GRADCAP_RETURN_IF_ERROR(PollStdin());
  std::vector<FileInput> arrived;
  GRADCAP_RETURN_IF_ERROR(PollScanner(&arrived));
  PollHotFolder(&arrived);
  files_.Add(std::move(arrived));
  if (!files_.backlog_ended() && (scanner_ == nullptr || scanner_->backlog_done()) &&
      (hot_folder_ == nullptr || hot_folder_->backlog_done())) {
    files_.EndBacklog();
  }
  GRADCAP_RETURN_IF_ERROR(HandleFiles());
  GRADCAP_RETURN_IF_ERROR(link_->Poll(scanner_ != nullptr && !scanner_->ended() ? 0 : wait_ms));
  view_.online = link_->online();
  view_.waiting_in_outbox = outbox_->depth();
  return absl::OkStatus();
}

bool BoothAgent::Drained() const {
  const bool sources_done =
      outbox_->generated() >= config_.synthetic_scans && (!config_.stdin_lines || stdin_eof_) &&
      (scanner_ == nullptr || scanner_->ended()) && (hot_folder_ == nullptr || hot_folder_->idle()) &&
      files_.backlog_ended() && files_.empty();
  return sources_done && outbox_->depth() == 0;
}

}  // namespace gradcap
