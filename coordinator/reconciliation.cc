#include "coordinator/reconciliation.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "coordinator/capture_day.h"
#include "common/log_format.h"
#include "registry/registry.h"

namespace gradcap {

absl::StatusOr<v1::Reconciliation> Reconcile(const EventLog& log, const std::string& college) {
  Registry registry(&log.store());
  GRADCAP_RETURN_IF_ERROR(registry.Load());
  std::vector<std::string> students;
  auto cursor = log.store().NewCursor(kStudentsColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    v1::Student s;
    if (s.ParseFromArray(cursor->value().data(), static_cast<int>(cursor->value().size())) && s.college() == college) {
      students.push_back(s.student_no());
    }
  }
  GRADCAP_RETURN_IF_ERROR(cursor->status());
  if (students.empty()) return absl::NotFoundError(absl::StrCat("no student of college \"", college, "\" in the roster"));

  CaptureDay day(&registry);
  v1::Reconciliation r;
  r.set_college(college);
  std::set<std::string> scanned;
  GRADCAP_RETURN_IF_ERROR(log.ForEachRecord([&](const v1::LogRecord& record) {
    if (record.has_validation()) day.ApplyVerdict(record.validation(), record.log_seq(), nullptr);
    if (!record.has_applied()) return;
    const v1::AppliedEvent& applied = record.applied();
    day.Replay(applied, record.log_seq());
    if (!applied.event().has_scan() || applied.binding().college() != college) return;
    if (applied.outcome().accepted()) {
      scanned.insert(applied.binding().student_no());
    } else {
      (*r.mutable_refused_scans())[applied.outcome().reason()]++;
    }
  }));
  r.set_roster(students.size());
  for (const std::string& no : students) {
    if (registry.PaidFen(no) >= registry.amount_due_fen()) r.set_paid(r.paid() + 1);
    const CaptureDay::StudentState state = day.StateOf(no);
    switch (state.status) {
      case CaptureDay::Status::kNotSeen:
        r.set_not_scanned(r.not_scanned() + 1);
        break;
      case CaptureDay::Status::kWaiting:
        r.set_waiting(r.waiting() + 1);
        r.add_waiting_students(no);
        break;
      case CaptureDay::Status::kPhotographed:
        r.set_photographed(r.photographed() + 1);
        // Verdicts come from the validators; until one is recorded the photo is pending.
        if (state.verdict == "pass") {
          r.set_passed(r.passed() + 1);
        } else if (state.verdict == "fail") {
          r.set_failed_pending_retake(r.failed_pending_retake() + 1);
        } else {
          r.set_verdict_pending(r.verdict_pending() + 1);
        }
        break;
      case CaptureDay::Status::kAbsent:
        r.set_absent(r.absent() + 1);
        r.add_absent_students(no);
        break;
    }
  }
  r.set_scanned(scanned.size());
  return r;
}

absl::StatusOr<v1::Reconciliation> CloseCollege(EventLog& log, const std::string& college,
                                                const std::string& override_reason) {
  GRADCAP_ASSIGN_OR_RETURN(v1::Reconciliation r, Reconcile(log, college));
  if (r.waiting() > 0 && override_reason.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        r.waiting(), " student(s) of ", college, " are still waiting (", absl::StrJoin(r.waiting_students(), ", "),
        "): photograph them or mark them absent, or close with --override REASON"));
  }
  r.set_closed(true);
  r.set_override_used(r.waiting() > 0);
  v1::AdminRecord record;
  record.set_action(r.override_used() ? "college_close_override" : "college_close");
  record.set_source(college);
  record.set_rows(r.roster());
  record.set_detail(absl::StrCat(FormatReconciliation(r),
                                 r.override_used() ? absl::StrCat("override: ", override_reason) : ""));
  log.StageAdmin(record);
  GRADCAP_RETURN_IF_ERROR(log.Commit());
  return r;
}

std::string FormatReconciliation(const v1::Reconciliation& r) {
  std::string out = absl::StrCat("学院 College ", r.college(), r.closed() ? "  (closed)" : "", "\n");
  auto line = [&out](const char* zh, const char* en, uint32_t n) { absl::StrAppend(&out, "  ", zh, " ", en, ": ", n, "\n"); };
  line("名单", "roster", r.roster());
  line("已缴费", "paid", r.paid());
  line("已刷码", "scanned", r.scanned());
  line("已拍摄", "photographed", r.photographed());
  line("合格", "passed", r.passed());
  line("待重拍", "failed, pending retake", r.failed_pending_retake());
  line("待审核", "verdict pending", r.verdict_pending());
  line("缺席", "absent", r.absent());
  line("排队中", "still waiting", r.waiting());
  line("未刷码", "not scanned", r.not_scanned());
  std::map<std::string, uint32_t> refused(r.refused_scans().begin(), r.refused_scans().end());
  for (const auto& [reason, n] : refused) absl::StrAppend(&out, "  refused scans ", reason, ": ", n, "\n");
  if (r.absent_students_size() > 0) {
    absl::StrAppend(&out, "  补拍 make-up list: ", absl::StrJoin(r.absent_students(), ", "), "\n");
  }
  return out;
}

}  // namespace gradcap
