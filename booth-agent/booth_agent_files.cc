// BoothAgent's picture inputs: camera and video frames, scan-folder files and
// hot-folder photos. Folder files go through files_ (file_queue.h), so a
// start-up backlog is replayed in the order it was made, and a photo found at
// start-up is held for the operator's /keep or /drop before it binds to
// anyone: it was taken while the agent was down, and the queue it would bind
// to may no longer be the one it was taken for.
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "booth-agent/booth_agent.h"
#include "common/status_macros.h"

namespace gradcap {
namespace {

constexpr char kNothingHeld[] =
    "没有待确认的照片 / no photo is held (/keep and /drop answer a photo found at start-up)";

std::string LocalTime(int64_t ns) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixNanos(ns), absl::LocalTimeZone());
}

// Stored with the photo's event, so a crash never sends a file twice.
std::string HotMarker(const PickedPhoto& photo) {
  return absl::StrCat("hot/", photo.name, "/", photo.bytes.size());
}

}  // namespace

absl::Status BoothAgent::PollScanner(std::vector<FileInput>* arrived) {
  if (scanner_ == nullptr && config_.camera >= 0 && clock_->MonotonicMs() - camera_tried_ms_ > 5000)
    OpenCamera();
  if (scanner_ == nullptr) return absl::OkStatus();
  absl::StatusOr<std::optional<DecodedFrame>> frame = scanner_->Next();
  if (!frame.ok()) {
    Say(absl::StrCat("code camera: ", frame.status().message()));
    if (config_.camera >= 0 && absl::IsUnavailable(frame.status())) {
      scanner_.reset();  // unplugged: try again later
      camera_reported_ = false;
    }
    return absl::OkStatus();
  }
  if (!frame->has_value()) return absl::OkStatus();
  if (!config_.scan_folder.empty()) {
    arrived->push_back(FileInput::Scan(std::move(**frame)));
    return absl::OkStatus();
  }
  return HandleFrame(**frame);
}

void BoothAgent::PollHotFolder(std::vector<FileInput>* arrived) {
  if (hot_folder_ == nullptr) return;
  HotFolderPoll poll = hot_folder_->Poll(clock_->MonotonicMs());
  for (const RejectedFile& problem : poll.problems) {
    input_ = JournalEntry();
    Say(absl::StrCat("hot folder: ", problem.name, ": ", problem.why));
    JournalEntry entry;
    entry.input = "hot_file";
    entry.name = problem.name;
    entry.note = problem.why;
    FinishInput(std::move(entry));
  }
  for (PickedPhoto& photo : poll.photos) arrived->push_back(FileInput::Photo(std::move(photo)));
}

absl::Status BoothAgent::HandleFiles() {
  if (holding_ && (!config_.stdin_lines || stdin_eof_)) {
    JournalEntry entry;
    entry.input = "hot_file";
    entry.name = SetAsideHeldPhoto("stdin ended before /keep or /drop");
    entry.note = "set aside in held/, not sent: stdin ended before /keep or /drop";
    input_ = JournalEntry();
    FinishInput(std::move(entry));
  }
  // On a full disk a file stays at the front, tried again once a second.
  while (!holding_ && !WaitingForDisk()) {
    FileInput* next = files_.Front();
    if (next == nullptr) break;
    absl::Status handled;
    if (next->kind == FileInput::Kind::kScanFile) {
      handled = HandleScanFile(next->scan);
    } else if (TakenWhileDown(next->photo) && !outbox_->HasMarker(HotMarker(next->photo))) {
      HoldPhoto(next->photo);  // waits for the operator (or is set aside when there is none)
      continue;
    } else {
      handled = HandlePhotoFile(next->photo);
    }
    if (absl::IsResourceExhausted(handled)) break;
    GRADCAP_RETURN_IF_ERROR(handled);
    files_.Pop();
  }
  return absl::OkStatus();
}

bool BoothAgent::TakenWhileDown(const PickedPhoto& photo) const {
  // In the folder when it was opened, and written before this process began.
  // A file written while the agent was still starting up (a drill starts a
  // booth and shoots at once; loading takes a while on a busy machine) is
  // live. File times and the start time are each good to a clock tick.
  constexpr int64_t kClockTicksNs = 25'000'000;
  return photo.found_at_open && photo.modified_ns < config_.began_ns - kClockTicksNs;
}

absl::StatusOr<bool> BoothAgent::SubmitShownCodes(const DecodedFrame& f, const std::string& marker) {
  // A folder file is read once, across restarts too: its marker is stored
  // with the scan it produced (or alone, when it held no code).
  bool marked = false, shown = false;
  for (const std::string& payload : f.payloads) {
    if (debouncer_.Accept(payload, f.time_ms)) {
      shown = true;
      absl::Status stored =
          SubmitScan(payload, config_.camera >= 0 ? "camera" : "folder", marked ? "" : marker);
      if (absl::IsResourceExhausted(stored)) debouncer_.Forget(payload);  // disk full: not seen after all
      GRADCAP_RETURN_IF_ERROR(stored);
      marked = marked || !marker.empty();
    }
  }
  if (!marker.empty() && !marked) {
    std::vector<v1::BoothEvent> none;
    GRADCAP_RETURN_IF_ERROR(outbox_->Append(none, 0, {marker}));
  }
  return shown;
}

absl::Status BoothAgent::HandleFrame(const DecodedFrame& f) {
  input_ = JournalEntry();
  if (!f.error.empty()) {
    Say(absl::StrCat("code camera, ", f.name, ": ", f.error));
    return absl::OkStatus();
  }
  if (WaitingForDisk()) return absl::OkStatus();  // a later frame shows the code again
  absl::StatusOr<bool> submitted = SubmitShownCodes(f, "");
  if (absl::IsResourceExhausted(submitted.status())) return absl::OkStatus();  // refused: disk full
  GRADCAP_ASSIGN_OR_RETURN(const bool shown, std::move(submitted));
  if (shown) {  // most camera frames show nothing: only showings are inputs
    JournalEntry entry;
    entry.input = "frame";
    entry.name = f.name;
    FinishInput(std::move(entry));
  }
  return absl::OkStatus();
}

absl::Status BoothAgent::HandleScanFile(const DecodedFrame& f) {
  input_ = JournalEntry();
  if (!f.error.empty()) Refuse(f.error, absl::StrCat("code picture ", f.name, ": ", f.error));
  GRADCAP_ASSIGN_OR_RETURN(const bool shown, SubmitShownCodes(f, "scan/" + f.name));
  JournalEntry entry;
  entry.input = "scan_file";
  entry.name = f.name;
  if (!shown && f.error.empty()) entry.note = "no code in the picture";
  FinishInput(std::move(entry));
  return absl::OkStatus();
}

absl::Status BoothAgent::HandlePhotoFile(PickedPhoto& photo) {
  input_ = JournalEntry();
  const std::string marker = HotMarker(photo);
  if (!outbox_->HasMarker(marker)) {
    GRADCAP_RETURN_IF_ERROR(SubmitPhoto(photo.bytes, photo.name, marker));  // a copy: kept for a retry
  } else {
    input_.note = "stored before a restart; now moved to sent/";
  }
  hot_folder_->MarkSent(photo.name);
  JournalEntry entry;
  entry.input = "hot_file";
  entry.name = photo.name;
  FinishInput(std::move(entry));
  return absl::OkStatus();
}

void BoothAgent::HoldPhoto(const PickedPhoto& photo) {
  const std::string taken = LocalTime(photo.modified_ns);
  if (!config_.stdin_lines || stdin_eof_) {
    // Nobody can answer /keep: never bind it on a guess.
    hot_folder_->SetAside(photo.name);
    Say(absl::StrCat("照片 ", photo.name, "（", taken, " 拍摄，本机未运行时）已搁置到 held/，未发送 / photo ",
                     photo.name, " was taken at ", taken,
                     " while the agent was not running: set aside in held/, not sent (no operator input to "
                     "/keep it; move it back into the hot folder to send it)"));
    JournalEntry entry;
    entry.input = "hot_file";
    entry.name = photo.name;
    entry.note = "taken while the agent was not running; set aside in held/ (no operator input to /keep it)";
    FinishInput(std::move(entry));
    files_.Pop();
    return;
  }
  holding_ = true;
  view_.held_photo = photo.name;
  view_.held_photo_taken = taken;
  const uint32_t number = next_photo_number_.value_or(view_.retake_next ? 0 : HeadShootingNo());
  Say(absl::StrCat("照片 ", photo.name, "（", taken,
                   " 拍摄，本机未运行时）待确认：/keep 发送，/drop 搁置 / photo ", photo.name,
                   " was taken at ", taken, " while the agent was not running: HELD — /keep sends it",
                   number ? absl::StrCat(" (now for number ", number, ")") : "", ", /drop sets it aside"));
  journal_.Write(HeldJournalJson(photo.name));
}

absl::Status BoothAgent::KeepHeldPhoto() {
  if (!holding_) {
    Refuse("no photo is held", kNothingHeld);
    return absl::OkStatus();
  }
  PickedPhoto& photo = files_.Front()->photo;
  const std::string marker = HotMarker(photo);
  input_.name = photo.name;
  GRADCAP_RETURN_IF_ERROR(SubmitPhoto(photo.bytes, photo.name, marker));  // a copy: kept for a retry
  hot_folder_->MarkSent(photo.name);
  files_.Pop();
  holding_ = false;
  view_.held_photo.clear();
  view_.held_photo_taken.clear();
  return absl::OkStatus();
}

absl::Status BoothAgent::DropHeldPhoto() {
  if (!holding_) {
    Refuse("no photo is held", kNothingHeld);
    return absl::OkStatus();
  }
  input_.name = SetAsideHeldPhoto("by the operator");
  input_.note = "set aside in held/, not sent";
  return absl::OkStatus();
}

std::string BoothAgent::SetAsideHeldPhoto(const std::string& why) {
  const std::string name = files_.Front()->photo.name;
  hot_folder_->SetAside(name);
  files_.Pop();
  holding_ = false;
  view_.held_photo.clear();
  view_.held_photo_taken.clear();
  Say(absl::StrCat("照片 ", name, " 已搁置到 held/，未发送 / photo ", name, " set aside in held/, not sent (",
                   why, ")"));
  return name;
}

}  // namespace gradcap
