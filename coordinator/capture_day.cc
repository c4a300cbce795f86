// The capture-day state: how each committed record changes it (see
// capture_day.h). Nothing here decides; it follows what the log recorded.
#include "coordinator/capture_day.h"

#include "common/codes.h"
#include "absl/strings/str_cat.h"
#include "common/masking.h"
#include "common/status_macros.h"

namespace gradcap {

std::optional<PendingPhoto> PendingPhotoOf(const v1::AppliedEvent& applied, uint64_t log_seq) {
  const v1::BoothEvent& e = applied.event();
  if (!applied.outcome().accepted() || applied.binding().student_no().empty()) return std::nullopt;
  if (!e.has_photo() && !e.has_retake()) return std::nullopt;
  return PendingPhoto{e.has_photo() ? e.photo().sha256() : e.retake().sha256(), log_seq, e.id().booth(),
                      applied.binding().shooting_no(), applied.binding().student_no(), ""};
}

absl::Status ReplayLog(const EventLog& log, EventApplier* applier,
                       const std::function<void(const v1::LogRecord&)>& observe) {
  return log.ForEachRecord([&](const v1::LogRecord& record) {
    applier->Apply(record);
    if (observe) observe(record);
  });
}

absl::Status ReplayLog(const EventLog& log, EventApplier* applier, const ReplayHooks& hooks) {
  return log.ForEachSealedRecord([&](const v1::LogRecord& record, const Digest& hash) -> absl::Status {
    if (hooks.before) GRADCAP_RETURN_IF_ERROR(hooks.before(record, hash));
    applier->Apply(record);
    if (hooks.after) hooks.after(record);
    return absl::OkStatus();
  });
}

uint32_t CaptureDay::NextShootingNo(const std::string& booth) const {
  auto it = queues_.find(booth);
  return it == queues_.end() ? 1 : it->second.next_shooting_no;
}

const PendingPhoto* CaptureDay::AwaitingVerdict(uint64_t photo_log_seq) const {
  auto it = awaiting_verdict_.find(photo_log_seq);
  return it == awaiting_verdict_.end() ? nullptr : &it->second;
}

CaptureDay::StudentState CaptureDay::StateOf(const std::string& student_no) const {
  auto it = students_.find(student_no);
  return it == students_.end() ? StudentState{} : it->second;
}

size_t CaptureDay::waiting_at(const std::string& booth) const {
  auto it = queues_.find(booth);
  return it == queues_.end() ? 0 : it->second.waiting.size();
}

const CaptureDay::CollegeScans& CaptureDay::ScansOf(const std::string& college) const {
  static const CollegeScans kNone;
  auto it = scans_.find(college);
  return it == scans_.end() ? kNone : it->second;
}

std::optional<CaptureDay::Close> CaptureDay::ClosedAt(const std::string& college) const {
  auto it = closed_.find(college);
  if (it == closed_.end()) return std::nullopt;
  return it->second;
}

std::optional<v1::PhotoVerdict> CaptureDay::LastVerdict(const std::string& booth) const {
  auto it = last_verdict_.find(booth);
  if (it == last_verdict_.end()) return std::nullopt;
  return it->second;
}

std::vector<PendingPhoto> CaptureDay::PhotosAwaitingVerdict() const {
  std::vector<PendingPhoto> out;
  out.reserve(awaiting_verdict_.size());
  for (const auto& [seq, photo] : awaiting_verdict_) out.push_back(photo);
  return out;
}

const v1::ValidationResult* CaptureDay::KnownResult(const std::string& photo_sha256) const {
  auto it = results_.find(photo_sha256);
  return it == results_.end() ? nullptr : &it->second;
}

void CaptureDay::DescribeBooth(const std::string& booth, v1::BoothState* state) const {
  state->set_booth(booth);
  if (auto v = last_verdict_.find(booth); v != last_verdict_.end()) *state->mutable_last_verdict() = v->second;
  auto q = queues_.find(booth);
  if (q == queues_.end()) return;
  for (const Waiting& w : q->second.waiting) {
    v1::QueueEntry* entry = state->add_queue();
    entry->set_shooting_no(w.shooting_no);
    entry->set_masked_name(MaskedName(w.student_no));
    entry->set_state(w.needs_sign && !w.signed_in ? v1::QUEUE_TO_SIGN : v1::QUEUE_WAITING);
  }
}

void CaptureDay::Apply(const v1::LogRecord& record) {
  last_log_seq_ = record.log_seq();
  if (record.has_applied()) {
    const int64_t decided = record.applied().decided_at_ms() != 0 ? record.applied().decided_at_ms()
                                                                   : record.recorded_at_ms();
    ApplyEvent(record.applied(), record.log_seq(), decided);
  } else if (record.has_validation()) {
    ApplyVerdict(record.validation(), record.log_seq(), record.recorded_at_ms());
  } else if (record.has_admin()) {
    ApplyAdmin(record.admin(), record.log_seq(), record.recorded_at_ms());
  } else if (record.has_rejected() || record.has_refusals()) {
    ApplyRefusal(record);
  }
}

void CaptureDay::ApplyRefusal(const v1::LogRecord& record) {
  if (record.has_rejected()) {
    const v1::Rejection& r = record.rejected();
    // Under the name its peer's counts have, so that one peer is one line.
    ++refusals_[{r.socket().empty() ? "booth" : r.socket(), r.counted_as().empty() ? r.peer() : r.counted_as(),
                 r.code()}]
          .logged;
  } else {
    const v1::RefusalCount& c = record.refusals();
    refusals_[{c.socket().empty() ? "booth" : c.socket(), c.peer(), c.code()}].counted += c.count();
  }
}

void CaptureDay::ApplyEvent(const v1::AppliedEvent& applied, uint64_t log_seq, int64_t decided_at_ms) {
  const v1::BoothEvent& event = applied.event();
  const v1::Outcome& outcome = applied.outcome();
  const v1::Binding& binding = applied.binding();
  const std::string& booth = event.id().booth();
  Changed(booth, binding.college());
  int n = 0;
  for (const v1::Alert& a : binding.alerts()) {
    AlertEntry entry;
    entry.id = absl::StrCat("L", log_seq, ".", n++);
    entry.log_seq = log_seq;
    entry.at_ms = decided_at_ms;
    entry.college = binding.college();
    entry.alert = a;
    AddAlert(std::move(entry));
  }
  if (event.has_scan() && !outcome.accepted()) {
    ++activity_[booth].refused_scans;
    if (binding.alerts_size() == 0) {
      // Every refused scan is shown to supervisors until acknowledged.
      AlertEntry entry;
      entry.id = absl::StrCat("L", log_seq, ".", n++);
      entry.log_seq = log_seq;
      entry.at_ms = decided_at_ms;
      entry.college = binding.college();
      entry.alert.set_kind(v1::ALERT_SCAN_REFUSED);
      entry.alert.set_booth(booth);
      entry.alert.set_detail(absl::StrCat(CodeName(outcome.reason()), ": ", outcome.detail(),
                                          outcome.masked_name().empty() ? "" : " (", outcome.masked_name(),
                                          outcome.masked_name().empty() ? "" : ")"));
      AddAlert(std::move(entry));
    }
  }
  if (event.has_scan() && !binding.college().empty()) {
    CollegeScans& scans = scans_[binding.college()];
    if (outcome.accepted()) {
      scans.scanned.insert(binding.student_no());
    } else {
      scans.refused[CodeName(outcome.reason())]++;
    }
  }
  if (!outcome.accepted() || binding.student_no().empty()) return;
  if (event.has_override_verdict()) {
    StudentState& st = students_[binding.student_no()];
    st.overridden = true;
    st.override_reason = event.override_verdict().reason();
    st.overridden_checks.assign(event.override_verdict().check_ids().begin(), event.override_verdict().check_ids().end());
    st.last_log_seq = log_seq;
    return;
  }
  Queue& queue = queues_[booth];
  if (event.has_scan()) {
    bool burst = false;
    BurstWindow window = WindowAfterScan(booth, decided_at_ms, &burst);
    window.alerted = burst;
    bursts_[booth] = std::move(window);
    Waiting w;
    w.shooting_no = binding.shooting_no();
    w.student_no = binding.student_no();
    w.college = binding.college();
    w.needs_sign = binding.needs_sign();
    w.scanned_at_ms = decided_at_ms;
    queue.waiting.push_back(w);
    queue.next_shooting_no = std::max(queue.next_shooting_no, binding.shooting_no() + 1);
    StudentState& st = students_[w.student_no];
    const uint32_t versions = st.photo_versions;
    st = StudentState{};
    st.status = Status::kWaiting;
    st.booth = booth;
    st.college = w.college;
    st.shooting_no = w.shooting_no;
    st.photo_versions = versions;
    st.last_log_seq = log_seq;
    return;
  }
  if (event.has_retake()) {
    StudentState& st = students_[binding.student_no()];
    st.photo_sha256 = event.retake().sha256();
    st.verdict = v1::VERDICT_PENDING;
    st.overridden = false;
    st.overridden_checks.clear();
    st.override_reason.clear();
    st.failed_checks.clear();
    faces_.Remove(binding.student_no());
    ++st.photo_versions;
    st.photo_log_seq = log_seq;
    photo_owners_[log_seq] = binding.student_no();
    st.last_log_seq = log_seq;
    if (std::optional<PendingPhoto> p = PendingPhotoOf(applied, log_seq)) awaiting_verdict_[log_seq] = *p;
    ++activity_[booth].photos_by_hour[decided_at_ms - decided_at_ms % 3'600'000];
    return;
  }
  if (queue.waiting.empty()) return;
  Waiting& head = queue.waiting.front();
  if (head.student_no != binding.student_no()) return;  // the log says otherwise: trust the head rule
  StudentState& st = students_[head.student_no];
  st.last_log_seq = log_seq;
  if (event.has_sign()) {
    head.signed_in = true;
  } else if (event.has_photo()) {
    st.status = Status::kPhotographed;
    st.booth = booth;
    st.shooting_no = head.shooting_no;
    st.photo_sha256 = event.photo().sha256();
    st.verdict = v1::VERDICT_PENDING;
    st.overridden = false;
    st.overridden_checks.clear();
    st.override_reason.clear();
    st.failed_checks.clear();
    faces_.Remove(head.student_no);
    ++st.photo_versions;
    st.photo_log_seq = log_seq;
    photo_owners_[log_seq] = head.student_no;
    if (std::optional<PendingPhoto> p = PendingPhotoOf(applied, log_seq)) awaiting_verdict_[log_seq] = *p;
    ++activity_[booth].photos_by_hour[decided_at_ms - decided_at_ms % 3'600'000];
    queue.last_bound = head;
    queue.waiting.pop_front();
  } else if (event.has_absent()) {
    st.status = Status::kAbsent;
    st.booth = booth;
    st.shooting_no = head.shooting_no;
    queue.waiting.pop_front();
  }
}

void CaptureDay::ApplyVerdict(const v1::ValidationRecord& record, uint64_t log_seq, int64_t at_ms) {
  const v1::ValidationResult& result = record.result();
  awaiting_verdict_.erase(record.photo_log_seq());
  if (keep_results_) results_[result.photo_sha256()] = result;
  auto it = students_.find(record.student_no());
  const std::string college = it == students_.end() ? std::string() : it->second.college;
  Changed(record.booth(), college);
  int n = 0;
  for (const v1::Alert& a : record.alerts()) {
    AlertEntry entry;
    entry.id = absl::StrCat("L", log_seq, ".", n++);
    entry.log_seq = log_seq;
    entry.at_ms = at_ms;
    entry.photo_log_seq = record.photo_log_seq();
    entry.college = college;
    if (a.photo_log_seq() != 0 && a.photo_log_seq() != record.photo_log_seq()) {
      // About another student's photo (the later-captured of a duplicate pair).
      entry.photo_log_seq = a.photo_log_seq();
      auto owner = photo_owners_.find(a.photo_log_seq());
      auto other = owner == photo_owners_.end() ? students_.end() : students_.find(owner->second);
      if (other != students_.end()) entry.college = other->second.college;
    }
    entry.alert = a;
    AddAlert(std::move(entry));
  }
  // A late verdict for a photo a retake has replaced is recorded but changes
  // nothing: not the student's state, not what the booth shows.
  if (it == students_.end() || it->second.photo_sha256 != result.photo_sha256()) return;
  StudentState& st = it->second;
  st.verdict = result.verdict();
  st.failed_checks.clear();
  faces_.Put(record.student_no(), result.face_model(), result.face_descriptor());
  st.last_log_seq = log_seq;
  v1::PhotoVerdict v;
  v.set_booth(record.booth());
  v.set_shooting_no(record.shooting_no());
  v.set_photo_sha256(result.photo_sha256());
  v.set_verdict(result.verdict());
  v.set_photo_log_seq(record.photo_log_seq());
  v.set_log_seq(log_seq);
  v.set_masked_name(MaskedName(record.student_no()));
  // Failed checks, retakes first, then warnings.
  for (const v1::Severity severity : {v1::SEVERITY_REJECT, v1::SEVERITY_WARN}) {
    for (const v1::CheckResult& c : result.checks()) {
      if (c.status() != v1::CHECK_FAIL || c.severity() != severity) continue;
      *v.add_problems() = c;
      if (severity == v1::SEVERITY_REJECT) st.failed_checks.push_back(c.id());
    }
  }
  std::deque<std::pair<v1::PhotoVerdict, std::string>>& recent = activity_[record.booth()].recent;
  recent.emplace_front(v, college);
  if (recent.size() > 5) recent.pop_back();
  last_verdict_[record.booth()] = std::move(v);
  last_verdict_student_[record.booth()] = record.student_no();
}

void CaptureDay::ApplyAdmin(const v1::AdminRecord& record, uint64_t log_seq, int64_t at_ms) {
  if (record.action() == kCloseAction || record.action() == kCloseOverrideAction) {
    const std::string& college = record.college().empty() ? record.source() : record.college();
    closed_[college] = Close{log_seq, record.override_reason()};
    Changed("", college);
  } else if (record.action() == kAlertAckAction) {
    auto it = alert_index_.find(record.source());
    if (it == alert_index_.end()) return;  // a live alert of an earlier run
    AlertEntry& a = alerts_[it->second];
    a.acknowledged = true;
    a.acknowledged_by = record.actor();
    a.acknowledged_at_ms = at_ms;
    a.note = record.detail();
    if (tracking_) changes_.alerts.insert(a.id);
  } else if (record.action() == kKeyRevokedAction) {
    revoked_keys_[record.detail()] = record.source();
  }
}

void CaptureDay::AddAlert(AlertEntry entry) {
  if (alert_index_.contains(entry.id)) return;
  alert_index_[entry.id] = alerts_.size();
  if (tracking_) changes_.alerts.insert(entry.id);
  alerts_.push_back(std::move(entry));
}

void CaptureDay::Changed(const std::string& booth, const std::string& college) {
  if (!tracking_) return;
  if (!booth.empty()) changes_.booths.insert(booth);
  if (!college.empty()) changes_.colleges.insert(college);
}

}  // namespace gradcap
