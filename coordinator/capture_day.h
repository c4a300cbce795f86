// The capture-day rules and the state they keep (DESIGN.md, "Queues and
// anti-substitution").
//
// Rules (Decide, capture_day_rules.cc): a scan is accepted only for a sealed,
// unexpired code of a paid student in the roster, whose college is scheduled
// at this booth now, who is not already waiting or photographed; it then gets
// the next shooting number in the booth's queue. A photo binds to the oldest
// scan still waiting at that booth; a retake replaces the booth's last bound
// photo. Every refusal has its reason code (v1::Reason in the proto).
// Substitution signals become alerts (v1::AlertKind) in the binding.
//
// State (Apply, capture_day.cc) changes only through Apply(LogRecord): the
// live path applies each record right after deciding it, start-up and the
// offline tools replay the log through the same call (ReplayLog, below), so
// the state after a restart equals the state without one — queues, bindings,
// verdicts, alerts, the scan-burst window and the photos awaiting a verdict.
// Owned by one thread.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "common/collection_code.h"
#include "common/event_log.h"
#include "coordinator/event_applier.h"
#include "coordinator/face_index.h"
#include "registry/registry.h"

namespace gradcap {

// AdminRecord actions the day's state follows (imports name theirs in
// registry/).
inline constexpr char kCloseAction[] = "college_close";
inline constexpr char kCloseOverrideAction[] = "college_close_override";
inline constexpr char kAlertAckAction[] = "alert_ack";  // source: the alert id; detail: the note
// A CURVE key taken out: source "booth:B1" (or validator:, admin:), detail
// the key (Z85). The coordinator refuses it from then on, restarts included.
inline constexpr char kKeyRevokedAction[] = "transport_key_revoked";

// Accepted scans at one booth faster than any queue is served: one person
// scanning several phones. kBurstScans within kBurstWindowMs, with at least
// as many waiting, raise an alert.
inline constexpr int kBurstScans = 4;
inline constexpr int64_t kBurstWindowMs = 10'000;

class CaptureDay final : public EventApplier {
 public:
  explicit CaptureDay(const Registry* registry) : registry_(registry) {}

  // Whether Apply keeps each recorded verdict's full result for KnownResult
  // (the live verdict path answers the same photo bytes from it). The audit
  // tools never ask and turn it off: it is the largest part of the state
  // (every check of every photo). Call before the first Apply.
  void set_keep_results(bool keep) { keep_results_ = keep; }

  // EventApplier.
  void Decide(const v1::BoothEvent& event, int64_t now_ms, v1::Outcome* outcome,
              v1::Binding* binding) const override;
  void Apply(const v1::LogRecord& record) override;
  void DecideVerdictAlerts(v1::ValidationRecord* record) const override;
  std::string EnrolmentPhoto(const std::string& student_no) const override;
  void DescribeBooth(const std::string& booth, v1::BoothState* state) const override;
  std::optional<v1::PhotoVerdict> LastVerdict(const std::string& booth) const override;
  std::vector<PendingPhoto> PhotosAwaitingVerdict() const override;
  const v1::ValidationResult* KnownResult(const std::string& photo_sha256) const override;
  size_t photos_awaiting_verdict() const { return awaiting_verdict_.size(); }

  enum class Status { kNotSeen, kWaiting, kPhotographed, kAbsent };
  struct StudentState {
    Status status = Status::kNotSeen;
    std::string booth;
    std::string college;
    uint32_t shooting_no = 0;
    std::string photo_sha256;                // raw digest of the current photo
    v1::Verdict verdict = v1::VERDICT_PENDING;  // of the current photo
    std::vector<std::string> failed_checks;  // reject-severity failures of the current photo
    uint32_t photo_versions = 0;             // photos and retakes bound to the student
    uint64_t photo_log_seq = 0;              // the record that bound the current photo
    bool overridden = false;                 // the operator overruled the current photo's verdict
    std::vector<std::string> overridden_checks;
    std::string override_reason;
    uint64_t last_log_seq = 0;               // the last record that changed the student
  };
  StudentState StateOf(const std::string& student_no) const;
  size_t waiting_at(const std::string& booth) const;
  // The shooting number the booth's next accepted scan gets.
  uint32_t NextShootingNo(const std::string& booth) const;
  // The accepted photo carried by record `photo_log_seq`, while it waits for its verdict.
  const PendingPhoto* AwaitingVerdict(uint64_t photo_log_seq) const;
  // The substitution alerts the rules raise for `event` decided as `outcome`
  // at `now_ms` (part of Decide; the audit re-decides recorded outcomes' alerts
  // with it). Adds them to `binding`, whose student_no names who the event
  // concerns.
  void DecideAlerts(const v1::BoothEvent& event, int64_t now_ms, const v1::Outcome& outcome,
                    v1::Binding* binding) const;

  // An alert as the log holds it (or, for the live view's own alerts —
  // booth offline, queue stuck — as it was raised), and its acknowledgement.
  struct AlertEntry {
    std::string id;              // "L<log_seq>.<n>" (logged), "B<booth>.<kind>.<n>" (live)
    uint64_t log_seq = 0;        // the record that raised it; 0 for live ones
    int64_t at_ms = 0;           // when it was decided
    uint64_t photo_log_seq = 0;  // verdict alerts: the photo they are about
    std::string college;         // of the student it concerns, when known
    v1::Alert alert;
    bool acknowledged = false;
    std::string acknowledged_by, note;
    int64_t acknowledged_at_ms = 0;
  };
  const std::vector<AlertEntry>& alerts() const { return alerts_; }
  const AlertEntry* FindAlert(const std::string& id) const;
  static v1::LiveAlert ToLiveAlert(const AlertEntry& entry);
  // Raises an alert the log does not hold (the live view's own), unless one
  // with this id exists. Returns whether it was new.
  bool RaiseLiveAlert(const std::string& id, v1::Alert alert, const std::string& college, int64_t now_ms);

  // For the live view (capture_day_live.cc): the booth with its colleges,
  // queue (unmasked names, colleges, scan times), recent verdicts and
  // throughput; every booth the day knows; and what changed since the last
  // TakeChanges (tracked only after TrackChanges()).
  void DescribeBoothLive(const std::string& booth, v1::BoothState* state) const;
  std::vector<std::string> Booths() const;
  struct QueueHead {
    uint32_t shooting_no = 0;
    std::string student_no, college;
    int64_t scanned_at_ms = 0;
  };
  std::optional<QueueHead> HeadOf(const std::string& booth) const;
  struct Changes {
    std::set<std::string> booths, colleges, alerts;
    bool empty() const { return booths.empty() && colleges.empty() && alerts.empty(); }
  };
  void TrackChanges() { tracking_ = true; }
  Changes TakeChanges();

  // Scans of a college's students: who got a number, and refusals by reason
  // (its code name, as the head count prints it).
  struct CollegeScans {
    std::set<std::string> scanned;
    std::map<std::string, uint32_t> refused;
  };
  const CollegeScans& ScansOf(const std::string& college) const;
  // The close of a college, once logged.
  struct Close {
    uint64_t log_seq = 0;
    std::string override_reason;
  };
  std::optional<Close> ClosedAt(const std::string& college) const;
  uint64_t last_log_seq() const { return last_log_seq_; }

  // Refused messages (Rejection and RefusalCount records) by socket, peer
  // (as counted: the enrolled name, or the address) and code: logged one by
  // one, and only counted.
  struct Refused {
    uint64_t logged = 0;
    uint64_t counted = 0;
    bool operator==(const Refused&) const = default;
  };
  using RefusalKey = std::tuple<std::string, std::string, v1::ErrorCode>;  // socket, peer, code
  const std::map<RefusalKey, Refused>& refusals() const { return refusals_; }
  // Transport keys revoked (Z85 public key → "booth:B1"), so that a restart
  // does not let them back in.
  const std::map<std::string, std::string>& revoked_keys() const { return revoked_keys_; }

 private:
  struct Waiting {
    uint32_t shooting_no = 0;
    std::string student_no;
    std::string college;
    bool needs_sign = false;
    bool signed_in = false;
    int64_t scanned_at_ms = 0;
  };
  // What a booth has done, for the live view.
  struct BoothActivity {
    std::deque<std::pair<v1::PhotoVerdict, std::string>> recent;  // verdict, college; newest first
    std::map<int64_t, uint32_t> photos_by_hour;                   // hour start (ms) → accepted photos
    uint32_t refused_scans = 0;
  };
  struct Queue {
    uint32_t next_shooting_no = 1;
    std::deque<Waiting> waiting;
    std::optional<Waiting> last_bound;  // the photo a retake replaces
  };
  struct BurstWindow {
    std::deque<int64_t> scans_ms;  // accepted scans within kBurstWindowMs
    bool alerted = false;          // the current burst has its alert
  };

  // capture_day_rules.cc
  void DecideScan(const v1::BoothEvent& event, int64_t now_ms, v1::Outcome* outcome, v1::Binding* binding) const;
  void DecideAtHead(const v1::BoothEvent& event, v1::Outcome* outcome, v1::Binding* binding) const;
  void DecideOverride(const v1::BoothEvent& event, v1::Outcome* outcome, v1::Binding* binding) const;
  std::optional<std::string> Resolve(const std::string& payload, int64_t now_ms, v1::Outcome* outcome) const;
  // Why a student of `college` is not this shard's (empty when they are, or
  // the database is not sharded).
  std::string WrongShardDetail(const std::string& college) const;
  // The same for a checked code: its college, or the shard its key names.
  std::string OtherShardDetail(const CodeCheck& check) const;
  void Describe(const std::string& student_no, v1::Outcome* outcome) const;
  // The booth's scan-burst window once an accepted scan at `now_ms` is in it,
  // and whether that makes a burst. Shared by the alert decision and Apply.
  BurstWindow WindowAfterScan(const std::string& booth, int64_t now_ms, bool* burst) const;
  std::string MaskedName(const std::string& student_no) const;

  // capture_day.cc
  void ApplyEvent(const v1::AppliedEvent& applied, uint64_t log_seq, int64_t decided_at_ms);
  void ApplyVerdict(const v1::ValidationRecord& record, uint64_t log_seq, int64_t at_ms);
  void ApplyAdmin(const v1::AdminRecord& record, uint64_t log_seq, int64_t at_ms);
  void ApplyRefusal(const v1::LogRecord& record);
  void AddAlert(AlertEntry entry);
  void Changed(const std::string& booth, const std::string& college);

  const Registry* registry_;
  bool keep_results_ = true;
  uint64_t last_log_seq_ = 0;
  absl::flat_hash_map<std::string, Queue> queues_;
  absl::flat_hash_map<std::string, StudentState> students_;
  absl::flat_hash_map<uint64_t, std::string> photo_owners_;  // photo or retake record → its student
  FaceIndex faces_;  // each student's current photo's face, once checked (face_duplicate)
  absl::flat_hash_map<std::string, BurstWindow> bursts_;              // per booth
  absl::flat_hash_map<std::string, v1::PhotoVerdict> last_verdict_;  // per booth
  absl::flat_hash_map<std::string, std::string> last_verdict_student_;  // per booth: whose it is
  std::map<uint64_t, PendingPhoto> awaiting_verdict_;                 // by photo log_seq
  absl::flat_hash_map<std::string, v1::ValidationResult> results_;   // by photo digest
  absl::flat_hash_map<std::string, CollegeScans> scans_;             // by college
  absl::flat_hash_map<std::string, Close> closed_;                   // by college
  std::vector<AlertEntry> alerts_;
  absl::flat_hash_map<std::string, size_t> alert_index_;  // id → position in alerts_
  absl::flat_hash_map<std::string, BoothActivity> activity_;  // per booth
  std::map<RefusalKey, Refused> refusals_;
  std::map<std::string, std::string> revoked_keys_;
  bool tracking_ = false;
  Changes changes_;
};

// THE replay: feeds every committed record of `log`, in order, to
// `applier`; `observe` (optional) sees each record right after it is applied
// (reports use it to name the records they list). The coordinator's start-up,
// head counts, drill reports and audit all rebuild state through it.
absl::Status ReplayLog(const EventLog& log, EventApplier* applier,
                       const std::function<void(const v1::LogRecord&)>& observe = nullptr);

// What the audit watches during the replay: `before` sees each record with
// its stored body hash before it is applied (the state is the one it was
// decided on) — a non-OK status stops the replay and is returned; `after`
// sees it once applied.
struct ReplayHooks {
  std::function<absl::Status(const v1::LogRecord&, const Digest& hash)> before;
  std::function<void(const v1::LogRecord&)> after;
};
absl::Status ReplayLog(const EventLog& log, EventApplier* applier, const ReplayHooks& hooks);

}  // namespace gradcap
