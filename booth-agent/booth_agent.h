// One booth's agent: turns what happens at the booth into events in the
// durable outbox — codes from a camera, video, folder or keyboard-wedge
// scanner (debounced), photos from the tethered camera's hot folder or the
// live camera, and the operator's sign / retake / absent commands — and keeps
// what the operator needs to see. Delivery is BoothLink's job.
// Single-threaded: drive it with Turn().
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "booth-agent/booth_link.h"
#include "booth-agent/debouncer.h"
#include "booth-agent/file_queue.h"
#include "booth-agent/frame_scanner.h"
#include "booth-agent/hot_folder.h"
#include "booth-agent/journal.h"
#include "booth-agent/outbox.h"
#include "common/clock.h"

namespace gradcap {

struct BoothConfig {
  std::string booth;
  std::string colleges;  // shown to the operator
  std::string operator_name;  // who operates the booth (logged with overrides)
  std::string outbox_dir;
  LinkOptions link;
  int camera = -1;           // /dev/video<N>; -1: none
  std::string video;         // a video file as the code camera
  std::string scan_folder;   // a folder of images as the code camera
  std::string hot_folder;    // the tethered camera's folder
  bool stdin_lines = false;  // scanner lines and /commands on stdin
  int64_t debounce_ms = 2000;
  uint64_t synthetic_scans = 0;
  uint64_t synthetic_photo_bytes = 0;
  uint64_t synthetic_chunk = 50;
  double synthetic_rate = 0;
  int journal_fd = -1;  // one JSON line per handled input (journal.h); -1: none
  // Wall clock (ns) when the process started: a start-up photo written before
  // it was taken while the agent was down. 0: when the agent is made.
  int64_t began_ns = 0;
};

// What the operator display shows.
struct BoothView {
  std::string booth, colleges;
  bool online = false;
  uint64_t waiting_in_outbox = 0;
  std::vector<v1::QueueEntry> queue;  // as the coordinator last described it
  bool retake_next = false;
  std::string held_photo;        // a start-up photo waiting for /keep or /drop
  std::string held_photo_taken;  // when the camera wrote it (local time)
  std::string last_verdict_zh, last_verdict_en;
  bool last_verdict_ok = true;
  v1::PhotoVerdict photo_verdict;    // the latest photo check from the validators
  std::deque<std::string> messages;  // recent operator messages, newest last
};

class BoothAgent {
 public:
  BoothAgent(BoothConfig config, const Clock* clock);
  ~BoothAgent();

  absl::Status Start();
  // One turn of every source and the link; waits up to `wait_ms` for replies.
  // FailedPrecondition when the coordinator refuses this booth for good.
  absl::Status Turn(int wait_ms);
  // Every input has ended — stdin at end of file (with --stdin_scans), the
  // video over, every folder caught up, the synthetic events all made — and
  // every event is acked. --exit_when_delivered exits then, not before.
  bool Drained() const;

  // Operator commands (also typed on stdin as /s, /r, /a REASON, /p, /n N,
  // /keep, /drop, /offline, /online).
  absl::Status Sign();
  absl::Status MarkAbsent(const std::string& reason);
  // Passes the last photo whose checks failed (or whose warnings stand), with
  // the operator's reason: /ok REASON.
  absl::Status Overrule(const std::string& reason);
  void RetakeNext();
  absl::Status TakeCameraPhoto();
  // `marker` (optional) is stored with it: the scan-folder file it came from.
  absl::Status SubmitScan(const std::string& payload, const std::string& source, const std::string& marker = "");

  const BoothView& view() const { return view_; }
  const Outbox& outbox() const { return *outbox_; }

 private:
  absl::Status PollStdin();
  absl::Status HandleLine(const std::string& line);
  void OpenCamera();
  // The file side (booth_agent_files.cc). Folder files join files_; camera
  // and video frames are handled at once.
  absl::Status PollScanner(std::vector<FileInput>* arrived);
  void PollHotFolder(std::vector<FileInput>* arrived);
  absl::Status HandleFiles();
  absl::Status HandleFrame(const DecodedFrame& frame);
  absl::Status HandleScanFile(const DecodedFrame& frame);
  absl::StatusOr<bool> SubmitShownCodes(const DecodedFrame& frame, const std::string& marker);
  absl::Status HandlePhotoFile(PickedPhoto& photo);
  bool TakenWhileDown(const PickedPhoto& photo) const;
  void HoldPhoto(const PickedPhoto& photo);
  absl::Status KeepHeldPhoto();
  absl::Status DropHeldPhoto();
  // Moves the held photo to held/ and lets the files behind it go; its name.
  std::string SetAsideHeldPhoto(const std::string& why);
  absl::Status GenerateSynthetic();
  absl::Status SubmitPhoto(std::string bytes, const std::string& name, const std::string& marker);
  absl::Status Store(v1::BoothEvent event, const std::vector<std::string>& markers = {});
  uint32_t HeadShootingNo() const;
  void Say(const std::string& message);
  // Says `message` and notes it as why the current input sent nothing.
  void Refuse(const std::string& note, const std::string& message);
  // Writes the current input's journal line (with the seqs Store collected).
  void FinishInput(JournalEntry entry);
  void OnAck(const v1::Ack& ack);
  void OnVerdict(const v1::PhotoVerdict& verdict);
  // True when `stored` says the outbox's disk is full: tells the operator
  // (once per episode), and holds back folder files and synthetic load for a
  // second. Nothing was stored; the same input may be tried again.
  bool DiskFull(const absl::Status& stored);
  // A store succeeded: ends a disk-full episode (says so).
  void DiskSpaceBack();
  bool WaitingForDisk() const { return disk_full_since_ms_ >= 0 && clock_->MonotonicMs() < disk_retry_ms_; }

  BoothConfig config_;
  const Clock* clock_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<BoothLink> link_;
  std::unique_ptr<FrameScanner> scanner_;
  std::unique_ptr<HotFolder> hot_folder_;
  Debouncer debouncer_;
  BoothView view_;
  std::string stdin_partial_;
  bool stdin_eof_ = false;
  int64_t started_ms_ = 0;
  uint64_t generated_at_start_ = 0;
  int64_t camera_tried_ms_ = 0;
  std::optional<uint32_t> next_photo_number_;  // the operator's /n N
  std::map<uint64_t, v1::BoothEvent::BodyCase> kinds_;  // seq → kind, until acked
  bool camera_reported_ = false;
  Journal journal_;
  JournalEntry input_;  // what the input being handled has made so far
  FileQueue files_;     // folder files waiting their turn
  bool holding_ = false;  // files_'s front is a start-up photo waiting for /keep or /drop
  int64_t disk_full_since_ms_ = -1;  // monotonic; -1: the outbox takes writes
  int64_t disk_retry_ms_ = 0;
};

}  // namespace gradcap
