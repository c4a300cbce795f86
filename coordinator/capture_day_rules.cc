// The capture-day rules: every decision about a booth event or a verdict's
// alerts, made from the state and the registry without changing either
// (see capture_day.h).
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/collection_code.h"
#include "common/face_distance.h"
#include "common/masking.h"
#include "common/shard_map.h"
#include "coordinator/capture_day.h"

namespace gradcap {
namespace {

void Refuse(v1::Outcome* outcome, v1::Reason reason, std::string detail) {
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

void CaptureDay::Decide(const v1::BoothEvent& event, int64_t now_ms, v1::Outcome* outcome,
                        v1::Binding* binding) const {
  if (event.has_scan()) {
    DecideScan(event, now_ms, outcome, binding);
  } else if (event.has_override_verdict()) {
    DecideOverride(event, outcome, binding);
  } else {
    DecideAtHead(event, outcome, binding);
  }
  DecideAlerts(event, now_ms, *outcome, binding);
}

CaptureDay::BurstWindow CaptureDay::WindowAfterScan(const std::string& booth, int64_t now_ms, bool* burst) const {
  auto it = bursts_.find(booth);
  BurstWindow window = it == bursts_.end() ? BurstWindow{} : it->second;
  window.scans_ms.push_back(now_ms);
  while (!window.scans_ms.empty() && now_ms - window.scans_ms.front() > kBurstWindowMs) window.scans_ms.pop_front();
  // Many codes in a short time while nobody is being photographed: the
  // queue grows faster than any booth serves it.
  *burst = static_cast<int>(window.scans_ms.size()) >= kBurstScans &&
           static_cast<int>(waiting_at(booth)) + 1 >= kBurstScans;
  return window;
}

std::string CaptureDay::MaskedName(const std::string& student_no) const {
  std::optional<v1::Student> s = registry_->FindStudent(student_no);
  return s ? MaskName(s->name()) : std::string("?");
}

void CaptureDay::DecideAlerts(const v1::BoothEvent& event, int64_t now_ms, const v1::Outcome& outcome,
                              v1::Binding* binding) const {
  const std::string& booth = event.id().booth();
  auto alert = [&](v1::AlertKind kind, std::string detail, std::vector<uint32_t> numbers) {
    v1::Alert* a = binding->add_alerts();
    a->set_kind(kind);
    a->set_booth(booth);
    a->set_detail(std::move(detail));
    for (uint32_t n : numbers) a->add_shooting_nos(n);
  };
  const std::string who = outcome.masked_name().empty() ? std::string("?") : outcome.masked_name();
  if (outcome.reason() == v1::REASON_DUPLICATE_SCAN || outcome.reason() == v1::REASON_ALREADY_PHOTOGRAPHED) {
    const StudentState s = StateOf(binding->student_no());
    alert(outcome.reason() == v1::REASON_DUPLICATE_SCAN ? v1::ALERT_DUPLICATE_SCAN : v1::ALERT_ALREADY_PHOTOGRAPHED,
          absl::StrCat("the code of ", who, " (", outcome.masked_id(), ") was scanned again at ", booth,
                       "; already number ", s.shooting_no, " at ", s.booth, " — someone else's code?"),
          {s.shooting_no});
  } else if (outcome.reason() == v1::REASON_SHOOTING_NO_MISMATCH && !event.has_override_verdict()) {
    alert(v1::ALERT_SHOOTING_NO_MISMATCH,
          absl::StrCat("the operator named number ", NamedShootingNo(event), " but ", who, " (number ",
                       binding->shooting_no(), ") is next — out of order or queue jumping"),
          {NamedShootingNo(event), binding->shooting_no()});
  } else if (event.has_scan() && outcome.accepted()) {
    bool burst = false;
    const BurstWindow window = WindowAfterScan(booth, now_ms, &burst);
    auto it = bursts_.find(booth);
    const bool alerted = it != bursts_.end() && it->second.alerted;
    if (burst && !alerted) {  // once per burst
      alert(v1::ALERT_SCAN_BURST,
            absl::StrCat(window.scans_ms.size(), " codes accepted at ", booth, " within ", kBurstWindowMs / 1000,
                         " s and ", waiting_at(booth) + 1, " waiting (latest: number ", outcome.shooting_no(), ", ",
                         who, ") — one person scanning several phones?"),
            {outcome.shooting_no()});
    }
  }
}

void CaptureDay::DecideVerdictAlerts(v1::ValidationRecord* record) const {
  const v1::ValidationResult& result = record->result();
  // The same face already bound to another student today (descriptors of
  // the same model only): an alert for each of the nearest few; a face that
  // matches more (a test card shot again and again) says how many more, so
  // the alert list stays readable and bounded.
  constexpr size_t kDuplicateAlertsPerVerdict = 3;
  const std::vector<FaceIndex::Match> matches =
      faces_.Within(result.face_model(), result.face_descriptor(), kFaceDuplicateDistance, record->student_no());
  //
  // Each alert is about the later-captured photo of the pair (the later bound
  // record), whichever verdict came last: validators answer out of order, and
  // a replay or a rerun must name the same photo every time.
  for (size_t i = 0; i < matches.size() && i < kDuplicateAlertsPerVerdict; ++i) {
    const FaceIndex::Match& m = matches[i];
    auto other = students_.find(m.student_no);
    if (other == students_.end()) continue;
    const StudentState& st = other->second;
    struct Side {
      uint64_t photo_log_seq;
      uint32_t shooting_no;
      const std::string* student_no;
      const std::string* booth;
    };
    Side later{record->photo_log_seq(), record->shooting_no(), &record->student_no(), &record->booth()};
    Side earlier{st.photo_log_seq, st.shooting_no, &m.student_no, &st.booth};
    if (earlier.photo_log_seq > later.photo_log_seq) std::swap(later, earlier);
    v1::Alert* a = record->add_alerts();
    a->set_kind(v1::ALERT_FACE_DUPLICATE);
    a->set_booth(*later.booth);
    a->add_shooting_nos(later.shooting_no);
    a->add_shooting_nos(earlier.shooting_no);
    if (later.photo_log_seq != record->photo_log_seq()) a->set_photo_log_seq(later.photo_log_seq);
    a->set_detail(absl::StrCat(
        "photo of #", later.shooting_no, " ", MaskedName(*later.student_no), " at ", *later.booth,
        " shows the same face as #", earlier.shooting_no, " ", MaskedName(*earlier.student_no), " at ", *earlier.booth,
        " (distance ", absl::StrFormat("%.2f", m.distance), " ≤ ", absl::StrFormat("%.2f", kFaceDuplicateDistance), ")",
        i + 1 == kDuplicateAlertsPerVerdict && matches.size() > kDuplicateAlertsPerVerdict
            ? absl::StrCat("; and ", matches.size() - kDuplicateAlertsPerVerdict, " more students' photos")
            : ""));
  }
  // A clear mismatch with the enrolment photo (a reject); a borderline one
  // only warns the operator.
  for (const v1::CheckResult& c : result.checks()) {
    if (c.id() != "face_match" || c.status() != v1::CHECK_FAIL || c.severity() != v1::SEVERITY_REJECT) continue;
    v1::Alert* a = record->add_alerts();
    a->set_kind(v1::ALERT_FACE_MATCH);
    a->set_booth(record->booth());
    a->add_shooting_nos(record->shooting_no());
    a->set_detail(absl::StrCat("photo of #", record->shooting_no(), " ", MaskedName(record->student_no()),
                               " does not look like the enrolment photo (distance ",
                               absl::StrFormat("%.2f", c.value()), " > ", absl::StrFormat("%.2f", kFaceDifferentDistance),
                               ")"));
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

std::string CaptureDay::WrongShardDetail(const std::string& college) const {
  std::optional<int> other = registry_->OtherShardOf(college);
  if (!other.has_value()) return "";
  const v1::ShardAssignment& a = *registry_->shard_assignment();
  if (*other < 0) {
    return absl::StrCat(college, " is in no shard of map ", a.map(), ": not a college of this capture day");
  }
  return absl::StrCat(college, " shoots at shard ", *other, "'s booths, not here (shard ", a.shard(), ", map ", a.map(),
                      "): send the student to a ", college, " booth");
}

std::string CaptureDay::OtherShardDetail(const CodeCheck& check) const {
  const std::optional<v1::ShardAssignment>& a = registry_->shard_assignment();
  if (!a.has_value()) return "";
  // Opened (this shard holds the key): the college it names decides.
  if (check.body.has_value()) return WrongShardDetail(check.body->college());
  // A key this shard never made, made on another shard: that shard's code.
  std::optional<int> issuer = ShardOfKeyId(check.key_id);
  if (!issuer.has_value() || *issuer == static_cast<int>(a->shard()) || registry_->CodeKey(check.key_id)) return "";
  return absl::StrCat("the code was issued by shard ", *issuer, " (key ", check.key_id, "), not this one (shard ",
                      a->shard(), ", map ", a->map(), "): send the student to their college's booth");
}

std::optional<std::string> CaptureDay::Resolve(const std::string& payload, int64_t now_ms,
                                               v1::Outcome* outcome) const {
  if (LooksLikeGradcapCode(payload)) {
    CodeCheck check = CheckCode(payload, [this](const std::string& id) { return registry_->CodeKey(id); }, now_ms);
    if (std::string other = OtherShardDetail(check); !other.empty()) {
      Refuse(outcome, v1::REASON_WRONG_SHARD, other);
      return std::nullopt;
    }
    if (check.reason != v1::REASON_NONE) {
      Refuse(outcome, check.reason, check.detail);
      return std::nullopt;
    }
    return check.body->student_no();
  }
  if (std::optional<std::string> student = registry_->ExternalCode(payload)) return student;
  Refuse(outcome, v1::REASON_UNKNOWN_CODE,
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
  if (student.has_value()) {
    if (std::string other = WrongShardDetail(student->college()); !other.empty()) {
      Refuse(outcome, v1::REASON_WRONG_SHARD, other);
      return;
    }
  }
  if (!student.has_value()) {
    Refuse(outcome, v1::REASON_NOT_IN_ROSTER, "the code is genuine but its student is not in the roster");
    return;
  }
  binding->set_student_no(student->student_no());
  binding->set_college(student->college());
  Describe(student->student_no(), outcome);
  const StudentState state = StateOf(student->student_no());
  if (state.status == Status::kPhotographed) {
    Refuse(outcome, v1::REASON_ALREADY_PHOTOGRAPHED,
           absl::StrCat("already photographed at booth ", state.booth, " as number ", state.shooting_no));
    return;
  }
  if (state.status == Status::kWaiting) {
    Refuse(outcome, v1::REASON_DUPLICATE_SCAN,
           absl::StrCat("already waiting at booth ", state.booth, " as number ", state.shooting_no));
    return;
  }
  const int64_t paid = registry_->PaidFen(student->student_no());
  if (paid < registry_->amount_due_fen()) {
    Refuse(outcome, v1::REASON_UNPAID,
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
    Refuse(outcome, v1::REASON_WRONG_BOOTH,
           absl::StrCat(student->college(), " is not scheduled at booth ", booth,
                        registry_->HasSchedule() ? "" : " (no schedule imported)"));
    return;
  }
  if (now_slot == nullptr) {
    Refuse(outcome, v1::REASON_OUTSIDE_SCHEDULE,
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
  outcome->set_needs_sign(now_slot->sign());
  outcome->set_detail(now_slot->sign() ? "sign, then photograph" : "photograph");
}

void CaptureDay::DecideOverride(const v1::BoothEvent& event, v1::Outcome* outcome, v1::Binding* binding) const {
  const v1::Override& o = event.override_verdict();
  if (o.reason().empty()) {
    Refuse(outcome, v1::REASON_REASON_REQUIRED, "overruling a verdict needs a reason: /ok REASON");
    return;
  }
  // What the operator overrules is the verdict the booth showed last.
  const std::string& booth = event.id().booth();
  auto shown = last_verdict_.find(booth);
  auto whose = last_verdict_student_.find(booth);
  if (shown == last_verdict_.end() || whose == last_verdict_student_.end()) {
    Refuse(outcome, v1::REASON_NOTHING_TO_OVERRIDE, "no photo at this booth has a verdict yet");
    return;
  }
  const v1::PhotoVerdict& v = shown->second;
  const StudentState st = StateOf(whose->second);
  binding->set_student_no(whose->second);
  binding->set_college(st.college);
  binding->set_shooting_no(v.shooting_no());
  Describe(whose->second, outcome);
  if (o.shooting_no() != 0 && o.shooting_no() != v.shooting_no()) {
    Refuse(outcome, v1::REASON_SHOOTING_NO_MISMATCH,
           absl::StrCat("the last verdict here is for number ", v.shooting_no(), ", not ", o.shooting_no()));
    return;
  }
  if ((!o.photo_sha256().empty() && o.photo_sha256() != v.photo_sha256()) || st.photo_sha256 != v.photo_sha256()) {
    Refuse(outcome, v1::REASON_NOTHING_TO_OVERRIDE,
           "the verdict shown is for a photo since replaced: look at the new photo's verdict");
    return;
  }
  if (v.problems_size() == 0) {
    Refuse(outcome, v1::REASON_NOTHING_TO_OVERRIDE, absl::StrCat("number ", v.shooting_no(), "'s photo passed every check"));
    return;
  }
  std::vector<std::string> ids;
  for (const v1::CheckResult& c : v.problems()) ids.push_back(c.id());
  outcome->set_accepted(true);
  outcome->set_shooting_no(v.shooting_no());
  outcome->set_detail(absl::StrCat("number ", v.shooting_no(), "'s photo passed by the operator (",
                                   absl::StrJoin(ids, ", "), " overruled)"));
}

void CaptureDay::DecideAtHead(const v1::BoothEvent& event, v1::Outcome* outcome, v1::Binding* binding) const {
  const std::string& booth = event.id().booth();
  auto q = queues_.find(booth);
  const Queue* queue = q == queues_.end() ? nullptr : &q->second;
  const uint32_t named = NamedShootingNo(event);
  if (event.has_retake()) {
    if (queue == nullptr || !queue->last_bound.has_value()) {
      Refuse(outcome, v1::REASON_RETAKE_WITHOUT_PHOTO, "no photo has been taken at this booth to retake");
      return;
    }
    const Waiting& last = *queue->last_bound;
    if (named != 0 && named != last.shooting_no) {
      Refuse(outcome, v1::REASON_SHOOTING_NO_MISMATCH,
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
    Refuse(outcome, v1::REASON_REASON_REQUIRED, "marking a student absent needs a reason");
    return;
  }
  if (queue == nullptr || queue->waiting.empty()) {
    Refuse(outcome, event.has_photo() ? v1::REASON_PHOTO_WITHOUT_SCAN : v1::REASON_NOBODY_WAITING,
           "nobody has scanned a code at this booth: scan first");
    return;
  }
  const Waiting& head = queue->waiting.front();
  binding->set_student_no(head.student_no);
  binding->set_college(head.college);
  binding->set_shooting_no(head.shooting_no);
  Describe(head.student_no, outcome);
  if (named != 0 && named != head.shooting_no) {
    Refuse(outcome, v1::REASON_SHOOTING_NO_MISMATCH,
           absl::StrCat("the operator named number ", named, " but number ", head.shooting_no,
                        " is next in this queue: call number ", head.shooting_no));
    return;
  }
  if (event.has_photo() && head.needs_sign && !head.signed_in) {
    Refuse(outcome, v1::REASON_NOT_SIGNED, absl::StrCat("number ", head.shooting_no, " has not signed yet"));
    return;
  }
  outcome->set_accepted(true);
  outcome->set_shooting_no(head.shooting_no);
}

}  // namespace gradcap
