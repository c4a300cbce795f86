// The drill report (see drill.h), built from the coordinator's log alone.
#include <google/protobuf/util/json_util.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/codes.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "audit/audit.h"
#include "coordinator/capture_day.h"
#include "drill/drill.h"
#include "drill/drill_internal.h"
#include "coordinator/reconciliation.h"
#include "registry/registry.h"

namespace gradcap {

absl::StatusOr<v1::DrillReport> BuildDrillReport(const std::string& db, const v1::DrillFile& file,
                                                 const std::map<std::pair<std::string, uint64_t>, int>& step_of) {
  v1::DrillReport report;
  report.set_ran(true);
  report.set_steps(file.steps_size());
  GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<EventLog> log, EventLog::OpenReadOnly(db));
  Registry registry(&log->store());
  GRADCAP_RETURN_IF_ERROR(registry.Load());
  auto step = [&step_of](const v1::EventId& id) {
    auto it = step_of.find({id.booth(), id.seq()});
    return it == step_of.end() ? -1 : it->second;
  };
  // The state comes from the one replay; the report only names, per record,
  // the step that caused what it lists.
  CaptureDay day(&registry);
  std::map<uint64_t, v1::EventId> event_at;  // log_seq → event, for the alerts' steps
  GRADCAP_RETURN_IF_ERROR(ReplayLog(*log, &day, [&](const v1::LogRecord& record) {
    if (!record.has_applied()) return;
    const v1::AppliedEvent& a = record.applied();
    event_at[record.log_seq()] = a.event().id();
    report.set_events(report.events() + 1);
    if (!a.outcome().accepted()) {
      v1::DrillRefusal* r = report.add_refusals();
      r->set_step(step(a.event().id()));
      r->set_booth(a.event().id().booth());
      r->set_reason(CodeName(a.outcome().reason()));
      r->set_detail(a.outcome().detail());
    }
  }));
  for (const CaptureDay::AlertEntry& entry : day.alerts()) {
    // The substitution signals; refused scans are listed as refusals, and
    // the live view's own alerts (offline, stuck) are not in the log.
    if (entry.log_seq == 0 || entry.alert.kind() == v1::ALERT_SCAN_REFUSED) continue;
    // Verdict alerts belong to the step of the photo they are about.
    auto e = event_at.find(entry.photo_log_seq != 0 ? entry.photo_log_seq : entry.log_seq);
    v1::DrillAlert* d = report.add_alerts();
    d->set_step(e == event_at.end() ? -1 : step(e->second));
    d->set_booth(entry.alert.booth());
    d->set_kind(CodeName(entry.alert.kind()));
    d->set_detail(entry.alert.detail());
  }
  GRADCAP_ASSIGN_OR_RETURN(std::vector<std::string> colleges, registry.Colleges());
  std::map<std::string, std::string> college_of;  // student → college, in student order
  for (const std::string& college : colleges) {
    GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::Student> students, registry.StudentsOf(college));
    for (const v1::Student& s : students) college_of[s.student_no()] = college;
  }
  for (const auto& [no, college] : college_of) {
    v1::DrillStudent* s = report.add_students();
    s->set_student_no(no);
    s->set_college(college);
    const CaptureDay::StudentState state = day.StateOf(no);
    s->set_status(state.status == CaptureDay::Status::kPhotographed ? "photographed"
                  : state.status == CaptureDay::Status::kAbsent     ? "absent"
                  : state.status == CaptureDay::Status::kWaiting    ? "waiting"
                                                                    : "not_scanned");
    s->set_shooting_no(state.shooting_no);
    s->set_booth(state.booth);
    if (!state.photo_sha256.empty()) {
      s->set_photo_sha256(ToHex(state.photo_sha256));
      s->set_photo_versions(state.photo_versions);
    }
    if (state.status == CaptureDay::Status::kPhotographed) {
      s->set_verdict(CodeName(state.verdict));
      for (const std::string& id : state.failed_checks) s->add_failed_checks(id);
      s->set_overridden(state.overridden);
    }
  }
  for (const std::string& college : colleges) {
    GRADCAP_ASSIGN_OR_RETURN(v1::Reconciliation r, Reconcile(day, registry, college));
    *report.add_reconciliation() = r;
  }
  log.reset();
  *report.mutable_audit() = VerifyLog(db);
  return report;
}

std::string FormatDrillReport(const v1::DrillReport& r) {
  std::string out = absl::StrCat("drill: ", r.steps(), " steps, ", r.events(), " events in the log\n");
  std::map<std::string, int> by_status;
  for (const auto& s : r.students()) by_status[s.status()]++;
  absl::StrAppend(&out, "students:");
  for (const auto& [status, n] : by_status) absl::StrAppend(&out, " ", status, " ", n);
  out += "\n";
  for (const auto& s : r.students()) {
    if (s.status() == "not_scanned") continue;
    absl::StrAppend(&out, "  ", s.student_no(), "  ", s.status(), s.shooting_no() ? absl::StrCat(" #", s.shooting_no(), " at ", s.booth()) : "",
                    s.photo_sha256().empty() ? "" : absl::StrCat("  photo ", s.photo_sha256().substr(0, 12), "…"),
                    s.photo_versions() > 1 ? absl::StrCat(" (", s.photo_versions(), " versions)") : "",
                    s.verdict().empty() ? "" : absl::StrCat("  verdict ", s.verdict()),
                    s.failed_checks().empty() ? "" : absl::StrCat(" (", absl::StrJoin(s.failed_checks(), ", "), ")"), "\n");
  }
  if (r.refusals_size() > 0) out += "refusals:\n";
  for (const auto& f : r.refusals()) {
    absl::StrAppend(&out, "  step ", f.step(), " ", f.booth(), ": ", f.reason(), " — ", f.detail(), "\n");
  }
  if (r.alerts_size() > 0) out += "alerts:\n";
  for (const auto& a : r.alerts()) absl::StrAppend(&out, "  step ", a.step(), " ", a.booth(), ": ", a.kind(), " — ", a.detail(), "\n");
  for (const auto& h : r.head_counts()) {
    absl::StrAppend(&out, "head count at step ", h.step(), ":\n", FormatReconciliation(h.head_count()));
  }
  absl::StrAppend(&out, "at the end (the coordinator started ", r.coordinator_starts(),
                  r.coordinator_starts() == 1 ? " time):\n" : " times):\n");
  for (const auto& c : r.reconciliation()) out += FormatReconciliation(c);
  absl::StrAppend(&out, "audit: ", FormatAuditReport(r.audit()), "\n");
  if (!r.db().empty()) absl::StrAppend(&out, "database kept in ", r.db(), "\n");
  return out;
}

}  // namespace gradcap
