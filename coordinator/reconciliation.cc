#include "coordinator/reconciliation.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace gradcap {

absl::StatusOr<v1::Reconciliation> Reconcile(const CaptureDay& day, const Registry& registry,
                                             const std::string& college) {
  v1::Reconciliation r;
  r.set_college(college);
  GRADCAP_RETURN_IF_ERROR(registry.ForEachStudentOf(college, [&](const v1::Student& student) {
    const std::string& no = student.student_no();
    r.set_roster(r.roster() + 1);
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
        if (state.verdict == v1::VERDICT_PASS) {
          r.set_passed(r.passed() + 1);
        } else if (state.verdict == v1::VERDICT_FAIL && state.overridden) {
          r.set_passed_by_operator(r.passed_by_operator() + 1);
        } else if (state.verdict == v1::VERDICT_FAIL) {
          r.set_failed_pending_retake(r.failed_pending_retake() + 1);
          r.add_retake_students(no);
        } else {
          r.set_verdict_pending(r.verdict_pending() + 1);
        }
        break;
      case CaptureDay::Status::kAbsent:
        r.set_absent(r.absent() + 1);
        r.add_absent_students(no);
        break;
    }
  }));
  if (r.roster() == 0)
    return absl::NotFoundError(absl::StrCat("no student of college \"", college, "\" in the roster"));
  const CaptureDay::CollegeScans& scans = day.ScansOf(college);
  r.set_scanned(scans.scanned.size());
  for (const auto& [reason, n] : scans.refused) (*r.mutable_refused_scans())[reason] = n;
  if (std::optional<CaptureDay::Close> closed = day.ClosedAt(college)) {
    r.set_closed(true);
    r.set_override_used(!closed->override_reason.empty());
  }
  return r;
}

absl::StatusOr<v1::AdminRecord> PlanClose(const CaptureDay& day, const Registry& registry, const std::string& college,
                                          const std::string& override_reason) {
  GRADCAP_ASSIGN_OR_RETURN(v1::Reconciliation r, Reconcile(day, registry, college));
  // Closing again is allowed: a late student photographed after the sign-off
  // gets a new head count signed, and the log keeps both.
  if (r.waiting() > 0 && override_reason.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        r.waiting(), " student(s) of ", college, " are still waiting (", absl::StrJoin(r.waiting_students(), ", "),
        "): photograph them or mark them absent, or close with --override REASON"));
  }
  const bool override_used = r.waiting() > 0;
  r.set_closed(true);
  r.set_override_used(override_used);
  v1::AdminRecord record;
  record.set_action(override_used ? kCloseOverrideAction : kCloseAction);
  record.set_source(college);
  record.set_college(college);
  record.set_rows(r.roster());
  if (override_used) record.set_override_reason(override_reason);
  record.set_detail(absl::StrCat(FormatReconciliation(r), override_used ? absl::StrCat("override: ", override_reason) : ""));
  *record.mutable_head_count() = r;
  return record;
}

std::string FormatReconciliation(const v1::Reconciliation& r) {
  std::string out = absl::StrCat("学院 College ", r.college(), r.closed() ? "  (closed)" : "", "\n");
  auto line = [&out](const char* zh, const char* en, uint32_t n) { absl::StrAppend(&out, "  ", zh, " ", en, ": ", n, "\n"); };
  line("名单", "roster", r.roster());
  line("已缴费", "paid", r.paid());
  line("已刷码", "scanned", r.scanned());
  line("已拍摄", "photographed", r.photographed());
  line("合格", "passed", r.passed());
  line("人工放行", "passed by the operator", r.passed_by_operator());
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
