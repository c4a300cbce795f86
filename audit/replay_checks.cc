// What `audit replay` checks at each record, on the state the record was
// decided on (replay_auditor.h).
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "audit/replay_auditor.h"
#include "common/codes.h"
#include "coordinator/admin_service.h"
#include "coordinator/reconciliation.h"

namespace gradcap {
namespace {

std::string Decision(const v1::Outcome& o, const v1::Binding& b) {
  return absl::StrCat(o.accepted() ? "accepted" : absl::StrCat("refused ", CodeName(o.reason())),
                      b.student_no().empty() ? "" : absl::StrCat(" for ", b.student_no()),
                      b.shooting_no() != 0 ? absl::StrCat(" as number ", b.shooting_no()) : "");
}

std::vector<std::string> AlertKeys(const google::protobuf::RepeatedPtrField<v1::Alert>& alerts) {
  std::vector<std::string> keys;
  for (const v1::Alert& a : alerts) {
    keys.push_back(absl::StrCat(CodeName(a.kind()), " #", absl::StrJoin(a.shooting_nos(), ",#")));
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

bool IsCloseAction(const std::string& action) {
  return action == "college_close" || action == "college_close_override";
}

}  // namespace

uint64_t IndexEntryDigest(uint64_t seq, uint64_t log_seq) {
  // splitmix64 of the pair: a sum of these is a digest of a set of entries.
  uint64_t z = seq * 0x9E3779B97F4A7C15ULL ^ (log_seq + 0x632BE59BD9B4E019ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

ReplayAuditor::ReplayAuditor(const AuditDb& db, const CaptureDay& day, const ReplayOptions& options,
                             v1::ReplayReport* report)
    : db_(db), day_(day), options_(options), report_(report) {}

void ReplayAuditor::Differ(uint64_t log_seq, const std::string& booth, const std::string& student,
                           const std::string& check, const std::string& detail) {
  report_->set_differences_total(report_->differences_total() + 1);
  if (report_->differences_size() >= options_.max_differences) return;
  v1::ReplayDifference* d = report_->add_differences();
  d->set_log_seq(static_cast<uint32_t>(log_seq));
  d->set_booth(booth);
  d->set_student_no(student);
  d->set_check(check);
  d->set_detail(detail);
}

absl::Status ReplayAuditor::Before(const v1::LogRecord& record, const Digest& hash) {
  const uint64_t at = record.log_seq();
  if (report_->records() == 0) report_->set_first_record_ms(record.recorded_at_ms());
  report_->set_records(static_cast<uint32_t>(at));
  report_->set_last_record_ms(record.recorded_at_ms());
  if (record.has_applied()) {
    report_->set_applied(report_->applied() + 1);
    const v1::AppliedEvent& applied = record.applied();
    const v1::EventId& id = applied.event().id();
    if (std::string broken = order_.Next(id, at); !broken.empty())
      Differ(at, id.booth(), "", "delivery", broken);
    auto& entry = index_[{id.booth(), id.epoch()}];
    ++entry.first;
    entry.second += IndexEntryDigest(id.seq(), at);
    const int64_t decided = applied.decided_at_ms() != 0 ? applied.decided_at_ms() : record.recorded_at_ms();
    if (applied.event().has_scan()) {
      CheckScan(record, decided);
    } else if (applied.outcome().reason() != v1::REASON_PHOTO_DIGEST_MISMATCH) {
      // (A damaged photo is refused by delivery before any rule looks at it.)
      CheckAtHead(record, decided);
    }
  } else if (record.has_rejected()) {
    report_->set_rejected(report_->rejected() + 1);
  } else if (record.has_refusals()) {
    report_->set_refusal_counts(report_->refusal_counts() + 1);
    report_->set_refused_counted(report_->refused_counted() + record.refusals().count());
  } else if (record.has_validation()) {
    report_->set_verdicts(report_->verdicts() + 1);
    CheckVerdict(record);
  } else if (record.has_admin()) {
    report_->set_admin(report_->admin() + 1);
    const std::string& action = record.admin().action();
    if (IsCloseAction(action) && record.admin().has_head_count()) CheckClose(record);
    if (action == "roster_import" || action == "payments_import") {
      for (RosterCheck& c : roster_checks_) c.reference_changed = true;
    }
  } else if (record.has_checkpoint()) {
    report_->set_checkpoints(report_->checkpoints() + 1);
    CheckCheckpoint(record);
  }
  last_hash_ = hash;
  return absl::OkStatus();
}

void ReplayAuditor::CheckScan(const v1::LogRecord& record, int64_t decided_at_ms) {
  const v1::AppliedEvent& a = record.applied();
  const v1::Outcome& o = a.outcome();
  const std::string& booth = a.event().id().booth();
  const std::string& student = a.binding().student_no();
  const uint64_t at = record.log_seq();
  if (!student.empty()) {
    const CaptureDay::StudentState st = day_.StateOf(student);
    const bool waiting = st.status == CaptureDay::Status::kWaiting;
    const bool photographed = st.status == CaptureDay::Status::kPhotographed;
    const std::string where =
        absl::StrCat(StudentStatusName(st.status), " at ", st.booth, " as number ", st.shooting_no);
    if (o.accepted()) {
      if (waiting || photographed) {
        Differ(at, booth, student, "scan_decision",
               absl::StrCat("recorded accepted, but the replayed state has ", student, " already ", where));
      }
      const uint32_t next = day_.NextShootingNo(booth);
      if (o.shooting_no() != next || a.binding().shooting_no() != next) {
        Differ(at, booth, student, "scan_decision",
               absl::StrCat("recorded shooting number ", a.binding().shooting_no(), " (the booth was told ",
                            o.shooting_no(), "), but the queue's next number was ", next));
      }
    } else if (o.reason() == v1::REASON_DUPLICATE_SCAN && !waiting) {
      Differ(at, booth, student, "scan_decision",
             absl::StrCat("recorded duplicate_scan, but the replayed state has the student ",
                          StudentStatusName(st.status)));
    } else if (o.reason() == v1::REASON_ALREADY_PHOTOGRAPHED && !photographed) {
      Differ(at, booth, student, "scan_decision",
             absl::StrCat("recorded already_photographed, but the replayed state has the student ",
                          StudentStatusName(st.status)));
    } else if ((o.reason() == v1::REASON_UNPAID || o.reason() == v1::REASON_WRONG_BOOTH ||
                o.reason() == v1::REASON_OUTSIDE_SCHEDULE) &&
               (waiting || photographed)) {
      Differ(at, booth, student, "scan_decision",
             absl::StrCat("recorded ", CodeName(o.reason()), ", but the student was already ", where,
                          ", which the rules refuse first"));
    }
  } else if (o.accepted()) {
    Differ(at, booth, "", "scan_decision", "an accepted scan whose binding names no student");
  }
  v1::Binding redo;
  redo.set_student_no(student);
  day_.DecideAlerts(a.event(), decided_at_ms, o, &redo);
  CompareAlerts(at, booth, student, a.binding().alerts(), redo.alerts(), "queue_alerts");
}

void ReplayAuditor::CheckAtHead(const v1::LogRecord& record, int64_t decided_at_ms) {
  const v1::AppliedEvent& a = record.applied();
  const std::string& booth = a.event().id().booth();
  v1::Outcome outcome;
  v1::Binding binding;
  day_.Decide(a.event(), decided_at_ms, &outcome, &binding);
  const v1::Outcome& o = a.outcome();
  const v1::Binding& b = a.binding();
  const std::string& student = b.student_no().empty() ? binding.student_no() : b.student_no();
  if (outcome.accepted() != o.accepted() || (!o.accepted() && outcome.reason() != o.reason()) ||
      binding.student_no() != b.student_no() || binding.shooting_no() != b.shooting_no() ||
      (o.accepted() && outcome.shooting_no() != o.shooting_no())) {
    Differ(record.log_seq(), booth, student, "queue_decision",
           absl::StrCat("recorded ", Decision(o, b), "; the replayed queue decides ",
                        Decision(outcome, binding)));
  }
  CompareAlerts(record.log_seq(), booth, student, b.alerts(), binding.alerts(), "queue_alerts");
}

void ReplayAuditor::CheckVerdict(const v1::LogRecord& record) {
  const v1::ValidationRecord& v = record.validation();
  const uint64_t at = record.log_seq();
  if (const PendingPhoto* p = day_.AwaitingVerdict(v.photo_log_seq())) {
    if (p->sha256 != v.result().photo_sha256()) {
      Differ(at, v.booth(), v.student_no(), "verdict_binding",
             absl::StrCat("the verdict is about photo ", ToHex(v.result().photo_sha256()).substr(0, 16),
                          "…, record ", v.photo_log_seq(), " holds ", ToHex(p->sha256).substr(0, 16), "…"));
    }
    if (p->student_no != v.student_no() || p->booth != v.booth() || p->shooting_no != v.shooting_no()) {
      Differ(at, v.booth(), v.student_no(), "verdict_binding",
             absl::StrCat("the verdict names ", v.student_no(), " number ", v.shooting_no(), " at ",
                          v.booth(), "; record ", v.photo_log_seq(), " bound the photo to ", p->student_no,
                          " number ", p->shooting_no, " at ", p->booth));
    }
  } else {
    Differ(at, v.booth(), v.student_no(), "verdict_binding",
           absl::StrCat("a verdict for record ", v.photo_log_seq(),
                        ", which holds no accepted photo waiting for a verdict"));
  }
  // face_match follows from the verdict's own checks; face_duplicate from
  // the day's face index (only with face_alerts: ~1 ms a verdict).
  google::protobuf::RepeatedPtrField<v1::Alert> recorded;
  for (const v1::Alert& alert : v.alerts()) {
    if (options_.face_alerts || alert.kind() != v1::ALERT_FACE_DUPLICATE) *recorded.Add() = alert;
  }
  const bool may_match = std::any_of(
      v.result().checks().begin(), v.result().checks().end(),
      [](const v1::CheckResult& c) { return c.status() == v1::CHECK_FAIL && c.id() == "face_match"; });
  if (!options_.face_alerts && !may_match && recorded.empty()) return;
  v1::ValidationRecord redo = v;
  redo.clear_alerts();
  if (!options_.face_alerts) redo.mutable_result()->clear_face_descriptor();
  day_.DecideVerdictAlerts(&redo);
  CompareAlerts(at, v.booth(), v.student_no(), recorded, redo.alerts(), "verdict_alerts");
}

void ReplayAuditor::CheckClose(const v1::LogRecord& record) {
  const v1::AdminRecord& admin = record.admin();
  const std::string& college = admin.college().empty() ? admin.source() : admin.college();
  const uint64_t at = record.log_seq();
  absl::StatusOr<v1::Reconciliation> now = Reconcile(day_, *db_.registry, college);
  if (!now.ok()) {
    Differ(at, "", "", "head_count",
           absl::StrCat("the close of ", college, " cannot be recounted: ", now.status().message()));
    return;
  }
  const v1::Reconciliation& s = admin.head_count();
  std::vector<std::string> state, reference;
  auto field = [](std::vector<std::string>& out, const char* name, uint32_t signed_n, uint32_t replayed) {
    if (signed_n != replayed)
      out.push_back(absl::StrCat(name, " signed ", signed_n, ", replayed ", replayed));
  };
  field(state, "scanned", s.scanned(), now->scanned());
  field(state, "photographed", s.photographed(), now->photographed());
  field(state, "passed", s.passed(), now->passed());
  field(state, "failed, pending retake", s.failed_pending_retake(), now->failed_pending_retake());
  field(state, "verdict pending", s.verdict_pending(), now->verdict_pending());
  field(state, "absent", s.absent(), now->absent());
  field(state, "waiting", s.waiting(), now->waiting());
  if (s.override_used() != (now->waiting() > 0)) state.push_back("the override differs");
  const std::map<std::string, uint32_t> signed_refused(s.refused_scans().begin(), s.refused_scans().end());
  const std::map<std::string, uint32_t> replayed_refused(now->refused_scans().begin(),
                                                         now->refused_scans().end());
  if (signed_refused != replayed_refused) state.push_back("the refused scans by reason differ");
  auto list = [&state](const char* name, const auto& signed_list, const auto& replayed_list) {
    if (absl::StrJoin(signed_list, ",") != absl::StrJoin(replayed_list, ",")) {
      state.push_back(absl::StrCat(name, " signed [", absl::StrJoin(signed_list, ", "), "], replayed [",
                                   absl::StrJoin(replayed_list, ", "), "]"));
    }
  };
  list("absent students", s.absent_students(), now->absent_students());
  list("waiting students", s.waiting_students(), now->waiting_students());
  if (!state.empty()) {
    Differ(at, "", "", "head_count",
           absl::StrCat("the head count of ", college, " signed here: ", absl::StrJoin(state, "; ")));
  }
  field(reference, "roster", s.roster(), now->roster());
  field(reference, "paid", s.paid(), now->paid());
  field(reference, "not scanned", s.not_scanned(), now->not_scanned());
  if (!reference.empty()) {
    roster_checks_.push_back(RosterCheck{at, college, absl::StrJoin(reference, "; "), false});
  }
}

void ReplayAuditor::CheckCheckpoint(const v1::LogRecord& record) {
  const v1::Checkpoint& c = record.checkpoint();
  if (c.log_seq() + 1 != record.log_seq() || c.head_hash() != DigestBytes(last_hash_)) {
    Differ(record.log_seq(), "", "", "checkpoint",
           absl::StrCat("the checkpoint signed hash ", ToHex(c.head_hash()).substr(0, 16), "… for record ",
                        c.log_seq(), ", but record ", record.log_seq() - 1, " hashes to ",
                        ToHex(last_hash_).substr(0, 16), "…"));
  }
}

void ReplayAuditor::CompareAlerts(uint64_t log_seq, const std::string& booth, const std::string& student,
                                  const google::protobuf::RepeatedPtrField<v1::Alert>& recorded,
                                  const google::protobuf::RepeatedPtrField<v1::Alert>& replayed,
                                  const std::string& check) {
  if (recorded.empty() && replayed.empty()) return;
  const std::vector<std::string> a = AlertKeys(recorded), b = AlertKeys(replayed);
  if (a == b) return;
  Differ(log_seq, booth, student, check,
         absl::StrCat("recorded alerts [", absl::StrJoin(a, "; "), "], re-decided [", absl::StrJoin(b, "; "),
                      "]"));
}

}  // namespace gradcap
