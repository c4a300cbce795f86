#include "coordinator/capture_day.h"

#include "absl/strings/str_format.h"
#include "common/face_distance.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/collection_code.h"
#include "common/masking.h"

namespace gradcap {
namespace {

void Refuse(v1::Outcome* outcome, const char* reason, std::string detail) {
  outcome->set_accepted(false);
  outcome->set_reason(reason);
  outcome->set_detail(std::move(detail));
}

std::string LocalTime(int64_t ms) {
  static const absl::TimeZone zone = [] {
    absl::TimeZone z;
    return absl::LoadTimeZone("Asia/Shanghai", &z) ? z : absl::FixedTimeZone(8 * 3600);
  }();
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixMillis(ms), zone);
}

const v1::Photo* PhotoOf(const v1::BoothEvent& e) {
  return e.has_photo() ? &e.photo() : e.has_retake() ? &e.retake() : nullptr;
}

uint32_t NamedShootingNo(const v1::BoothEvent& e) {
  if (const v1::Photo* p = PhotoOf(e)) return p->shooting_no();
  if (e.has_sign()) return e.sign().shooting_no();
  if (e.has_absent()) return e.absent().shooting_no();
  return 0;
}

}  // namespace

CaptureDay::StudentState CaptureDay::StateOf(const std::string& student_no) const {
  auto it = students_.find(student_no);
  return it == students_.end() ? StudentState{} : it->second;
}

size_t CaptureDay::waiting_at(const std::string& booth) const {
  auto it = queues_.find(booth);
  return it == queues_.end() ? 0 : it->second.waiting.size();
}

void CaptureDay::Apply(const v1::BoothEvent& event, uint64_t log_seq, int64_t now_ms, v1::Outcome* outcome,
                       v1::Binding* binding) {
  if (event.has_scan()) {
    DecideScan(event, now_ms, outcome, binding);
  } else {
    DecideAtHead(event, outcome, binding);
  }
  RaiseAlerts(event, now_ms, *outcome, binding);
  Transition(event, *outcome, *binding);
}

void CaptureDay::RaiseAlerts(const v1::BoothEvent& event, int64_t now_ms, const v1::Outcome& outcome,
                             v1::Binding* binding) {
  const std::string& booth = event.id().booth();
  auto alert = [&](const char* kind, std::string detail, std::vector<uint32_t> numbers) {
    v1::Alert* a = binding->add_alerts();
    a->set_kind(kind);
    a->set_booth(booth);
    a->set_detail(std::move(detail));
    for (uint32_t n : numbers) a->add_shooting_nos(n);
  };
  const std::string who = outcome.masked_name().empty() ? std::string("?") : outcome.masked_name();
  if (outcome.reason() == scan_reason::kDuplicateScan || outcome.reason() == scan_reason::kAlreadyPhotographed) {
    const StudentState s = StateOf(binding->student_no());
    alert(outcome.reason() == scan_reason::kDuplicateScan ? "duplicate_scan" : "already_photographed",
          absl::StrCat("the code of ", who, " (", outcome.masked_id(), ") was scanned again at ", booth,
                       "; already number ", s.shooting_no, " at ", s.booth, " — someone else's code?"),
          {s.shooting_no});
  } else if (outcome.reason() == queue_reason::kShootingNoMismatch) {
    alert("shooting_no_mismatch",
          absl::StrCat("the operator named number ", NamedShootingNo(event), " but ", who, " (number ",
                       binding->shooting_no(), ") is next — out of order or queue jumping"),
          {NamedShootingNo(event), binding->shooting_no()});
  } else if (event.has_scan() && outcome.accepted()) {
    std::deque<int64_t>& recent = recent_scans_ms_[booth];
    recent.push_back(now_ms);
    while (!recent.empty() && now_ms - recent.front() > kBurstWindowMs) recent.pop_front();
    // Many codes in a short time while nobody is being photographed: the
    // queue grows faster than any booth serves it. Once per burst.
    const bool burst = static_cast<int>(recent.size()) >= kBurstScans &&
                       static_cast<int>(waiting_at(booth)) + 1 >= kBurstScans;
    if (burst && !burst_alerted_[booth]) {
      alert("scan_burst",
            absl::StrCat(recent.size(), " codes accepted at ", booth, " within ", kBurstWindowMs / 1000, " s and ",
                         waiting_at(booth) + 1, " waiting (latest: number ", outcome.shooting_no(), ", ", who,
                         ") — one person scanning several phones?"),
            {outcome.shooting_no()});
    }
    burst_alerted_[booth] = burst;
  }
}

void CaptureDay::Replay(const v1::AppliedEvent& applied, uint64_t log_seq) {
  Transition(applied.event(), applied.outcome(), applied.binding());
}

void CaptureDay::DescribeBooth(const std::string& booth, v1::BoothState* state) const {
  state->set_booth(booth);
  if (auto v = last_verdict_.find(booth); v != last_verdict_.end()) *state->mutable_last_verdict() = v->second;
  auto q = queues_.find(booth);
  if (q == queues_.end()) return;
  for (const Waiting& w : q->second.waiting) {
    v1::QueueEntry* entry = state->add_queue();
    entry->set_shooting_no(w.shooting_no);
    std::optional<v1::Student> s = registry_->FindStudent(w.student_no);
    entry->set_masked_name(s ? MaskName(s->name()) : "?");
    entry->set_state(w.needs_sign && !w.signed_in ? "to_sign" : "waiting");
  }
}

void CaptureDay::ApplyVerdict(const v1::ValidationRecord& record, uint64_t log_seq, v1::PhotoVerdict* verdict) {
  const v1::ValidationResult& result = record.result();
  v1::PhotoVerdict v;
  v.set_booth(record.booth());
  v.set_shooting_no(record.shooting_no());
  v.set_photo_sha256(result.photo_sha256());
  v.set_verdict(result.verdict());
  v.set_photo_log_seq(record.photo_log_seq());
  v.set_log_seq(log_seq);
  if (std::optional<v1::Student> s = registry_->FindStudent(record.student_no())) v.set_masked_name(MaskName(s->name()));
  std::vector<std::string> failed;
  for (const char* severity : {"reject", "warn"}) {
    for (const v1::CheckResult& c : result.checks()) {
      if (c.status() != "fail" || c.severity() != severity) continue;
      *v.add_problems() = c;
      if (c.severity() == std::string("reject")) failed.push_back(c.id());
    }
  }
  auto it = students_.find(record.student_no());
  // A late verdict for a photo a retake has replaced is recorded but changes
  // nothing: not the student's state, not what the booth shows.
  if (it == students_.end() || it->second.photo_sha256 != result.photo_sha256()) return;
  it->second.verdict = result.verdict();
  it->second.failed_checks = failed;
  it->second.face_descriptor = result.face_descriptor();
  last_verdict_[record.booth()] = v;
  if (verdict != nullptr) *verdict = std::move(v);
}

void CaptureDay::RaiseVerdictAlerts(v1::ValidationRecord* record) const {
  const v1::ValidationResult& result = record->result();
  auto masked = [this](const std::string& no) {
    std::optional<v1::Student> s = registry_->FindStudent(no);
    return s ? MaskName(s->name()) : std::string("?");
  };
  // The same face already bound to another student today.
  if (!result.face_descriptor().empty()) {
    for (const auto& [other, st] : students_) {
      if (other == record->student_no() || st.face_descriptor.empty()) continue;
      const double d = FaceDistance(result.face_descriptor(), st.face_descriptor);
      if (d >= kSameFaceDistance) continue;
      v1::Alert* a = record->add_alerts();
      a->set_kind("face_duplicate");
      a->set_booth(record->booth());
      a->add_shooting_nos(record->shooting_no());
      a->add_shooting_nos(st.shooting_no);
      a->set_detail(absl::StrCat("photo of #", record->shooting_no(), " ", masked(record->student_no()), " at ",
                                 record->booth(), " shows the same face as #", st.shooting_no, " ", masked(other),
                                 " at ", st.booth, " (distance ", absl::StrFormat("%.2f", d), ")"));
    }
  }
  for (const v1::CheckResult& c : result.checks()) {
    if (c.id() != "face_match" || c.status() != "fail") continue;
    v1::Alert* a = record->add_alerts();
    a->set_kind("face_match");
    a->set_booth(record->booth());
    a->add_shooting_nos(record->shooting_no());
    a->set_detail(absl::StrCat("photo of #", record->shooting_no(), " ", masked(record->student_no()),
                               " does not look like the enrolment photo (distance ",
                               absl::StrFormat("%.2f", c.value()), ")"));
  }
}

std::string CaptureDay::EnrolmentPhoto(const std::string& student_no) const {
  std::optional<v1::Student> s = registry_->FindStudent(student_no);
  return s ? s->enrolment_photo() : "";
}

void CaptureDay::Describe(const std::string& student_no, v1::Outcome* outcome) const {
  if (std::optional<v1::Student> s = registry_->FindStudent(student_no)) {
    outcome->set_masked_name(MaskName(s->name()));
    outcome->set_masked_id(MaskIdNo(s->id_no()));
  }
}

std::optional<std::string> CaptureDay::Resolve(const std::string& payload, int64_t now_ms,
                                               v1::Outcome* outcome) const {
  if (LooksLikeGradcapCode(payload)) {
    CodeCheck check = CheckCode(payload, [this](const std::string& id) { return registry_->CodeKey(id); }, now_ms);
    if (!check.reason.empty()) {
      Refuse(outcome, check.reason == code_reason::kUnknownCode   ? code_reason::kUnknownCode
                      : check.reason == code_reason::kForgedCode ? code_reason::kForgedCode
                                                                 : code_reason::kExpiredCode,
             check.detail);
      return std::nullopt;
    }
    return check.body->student_no();
  }
  if (std::optional<std::string> student = registry_->ExternalCode(payload)) return student;
  Refuse(outcome, code_reason::kUnknownCode,
         payload.rfind("http", 0) == 0 ? "a web link, not a collection code (a payment or app QR?)"
                                       : "not a collection code this coordinator knows");
  return std::nullopt;
}

void CaptureDay::DecideScan(const v1::BoothEvent& event, int64_t now_ms, v1::Outcome* outcome,
                            v1::Binding* binding) const {
  const std::string& booth = event.id().booth();
  std::optional<std::string> student_no = Resolve(event.scan().payload(), now_ms, outcome);
  if (!student_no.has_value()) return;
  std::optional<v1::Student> student = registry_->FindStudent(*student_no);
  if (!student.has_value()) {
    Refuse(outcome, scan_reason::kNotInRoster, "the code is genuine but its student is not in the roster");
    return;
  }
  binding->set_student_no(student->student_no());
  binding->set_college(student->college());
  Describe(student->student_no(), outcome);
  const StudentState state = StateOf(student->student_no());
  if (state.status == Status::kPhotographed) {
    Refuse(outcome, scan_reason::kAlreadyPhotographed,
           absl::StrCat("already photographed at booth ", state.booth, " as number ", state.shooting_no));
    return;
  }
  if (state.status == Status::kWaiting) {
    Refuse(outcome, scan_reason::kDuplicateScan,
           absl::StrCat("already waiting at booth ", state.booth, " as number ", state.shooting_no));
    return;
  }
  const int64_t paid = registry_->PaidFen(student->student_no());
  if (paid < registry_->amount_due_fen()) {
    Refuse(outcome, scan_reason::kUnpaid,
           absl::StrCat("paid ", paid / 100.0, " of ", registry_->amount_due_fen() / 100.0, " 元"));
    return;
  }
  const v1::ScheduleSlot* now_slot = nullptr;
  std::vector<std::string> windows;
  for (const v1::ScheduleSlot& slot : registry_->SlotsAt(booth)) {
    if (slot.college() != student->college()) continue;
    windows.push_back(absl::StrCat(LocalTime(slot.start_ms()), "–", LocalTime(slot.end_ms()).substr(11)));
    if (slot.start_ms() <= now_ms && now_ms < slot.end_ms()) now_slot = &slot;
  }
  if (windows.empty()) {
    Refuse(outcome, scan_reason::kWrongBooth,
           absl::StrCat(student->college(), " is not scheduled at booth ", booth,
                        registry_->HasSchedule() ? "" : " (no schedule imported)"));
    return;
  }
  if (now_slot == nullptr) {
    Refuse(outcome, scan_reason::kOutsideSchedule,
           absl::StrCat(student->college(), " shoots at booth ", booth, " ", absl::StrJoin(windows, ", "),
                        "; now is ", LocalTime(now_ms)));
    return;
  }
  auto q = queues_.find(booth);
  const uint32_t number = q == queues_.end() ? 1 : q->second.next_shooting_no;
  outcome->set_accepted(true);
  outcome->set_shooting_no(number);
  binding->set_shooting_no(number);
  binding->set_needs_sign(now_slot->sign());
  outcome->set_detail(now_slot->sign() ? "sign, then photograph" : "photograph");
}

void CaptureDay::DecideAtHead(const v1::BoothEvent& event, v1::Outcome* outcome, v1::Binding* binding) const {
  const std::string& booth = event.id().booth();
  auto q = queues_.find(booth);
  const Queue* queue = q == queues_.end() ? nullptr : &q->second;
  const uint32_t named = NamedShootingNo(event);
  if (event.has_retake()) {
    if (queue == nullptr || !queue->last_bound.has_value()) {
      Refuse(outcome, queue_reason::kRetakeWithoutPhoto, "no photo has been taken at this booth to retake");
      return;
    }
    const Waiting& last = *queue->last_bound;
    if (named != 0 && named != last.shooting_no) {
      Refuse(outcome, queue_reason::kShootingNoMismatch,
             absl::StrCat("retake for number ", named, " but the last photo here is number ", last.shooting_no));
      return;
    }
    binding->set_student_no(last.student_no);
    binding->set_college(last.college);
    binding->set_shooting_no(last.shooting_no);
    Describe(last.student_no, outcome);
    outcome->set_accepted(true);
    outcome->set_shooting_no(last.shooting_no);
    outcome->set_detail("retake replaces the photo; the earlier one is kept");
    return;
  }
  if (event.has_absent() && event.absent().reason().empty()) {
    Refuse(outcome, queue_reason::kReasonRequired, "marking a student absent needs a reason");
    return;
  }
  if (queue == nullptr || queue->waiting.empty()) {
    Refuse(outcome, event.has_photo() ? queue_reason::kPhotoWithoutScan : queue_reason::kNobodyWaiting,
           "nobody has scanned a code at this booth: scan first");
    return;
  }
  const Waiting& head = queue->waiting.front();
  binding->set_student_no(head.student_no);
  binding->set_college(head.college);
  binding->set_shooting_no(head.shooting_no);
  Describe(head.student_no, outcome);
  if (named != 0 && named != head.shooting_no) {
    Refuse(outcome, queue_reason::kShootingNoMismatch,
           absl::StrCat("the operator named number ", named, " but number ", head.shooting_no,
                        " is next in this queue: call number ", head.shooting_no));
    return;
  }
  if (event.has_photo() && head.needs_sign && !head.signed_in) {
    Refuse(outcome, queue_reason::kNotSigned, absl::StrCat("number ", head.shooting_no, " has not signed yet"));
    return;
  }
  outcome->set_accepted(true);
  outcome->set_shooting_no(head.shooting_no);
}

void CaptureDay::Transition(const v1::BoothEvent& event, const v1::Outcome& outcome, const v1::Binding& binding) {
  if (!outcome.accepted() || binding.student_no().empty()) return;
  const std::string& booth = event.id().booth();
  Queue& queue = queues_[booth];
  if (event.has_scan()) {
    Waiting w;
    w.shooting_no = binding.shooting_no();
    w.student_no = binding.student_no();
    w.college = binding.college();
    w.needs_sign = binding.needs_sign();
    queue.waiting.push_back(w);
    queue.next_shooting_no = std::max(queue.next_shooting_no, binding.shooting_no() + 1);
    students_[w.student_no] = StudentState{Status::kWaiting, booth, w.shooting_no, {}, {}, {}, {}};
    return;
  }
  if (event.has_retake()) {
    StudentState& st = students_[binding.student_no()];
    st.photo_sha256 = event.retake().sha256();
    st.verdict.clear();
    st.failed_checks.clear();
    return;
  }
  if (queue.waiting.empty()) return;
  Waiting& head = queue.waiting.front();
  if (head.student_no != binding.student_no()) return;  // the log says otherwise: trust the head rule
  if (event.has_sign()) {
    head.signed_in = true;
  } else if (event.has_photo()) {
    students_[head.student_no] = StudentState{Status::kPhotographed, booth, head.shooting_no, event.photo().sha256(), "", {}, {}};
    queue.last_bound = head;
    queue.waiting.pop_front();
  } else if (event.has_absent()) {
    students_[head.student_no] = StudentState{Status::kAbsent, booth, head.shooting_no, {}, {}, {}, {}};
    queue.waiting.pop_front();
  }
}

}  // namespace gradcap
