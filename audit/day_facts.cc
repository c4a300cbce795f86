#include "audit/day_facts.h"

#include "common/codes.h"
#include "common/local_time.h"
#include "common/sha256.h"

namespace gradcap {
namespace {

void Gather(const v1::LogRecord& r, DayFacts* facts) {
  if (r.has_applied()) {
    const v1::AppliedEvent& a = r.applied();
    const v1::BoothEvent& e = a.event();
    const int64_t at = a.decided_at_ms() != 0 ? a.decided_at_ms() : r.recorded_at_ms();
    if (facts->first_ms == 0) facts->first_ms = at;
    facts->last_ms = at;
    HourCounts& hour = facts->throughput[{e.id().booth(), LocalHourText(at)}];
    const std::string& student = a.binding().student_no();
    if (!a.outcome().accepted()) {
      ++hour.refused;
      facts->refusals[{CodeName(a.outcome().reason()), e.id().booth()}]++;
      if (e.has_scan() && !student.empty())
        facts->students[student].last_refusal = CodeName(a.outcome().reason());
      return;
    }
    if (e.has_scan()) {
      ++hour.scans;
    } else if ((e.has_photo() || e.has_retake()) && !student.empty()) {
      ++(e.has_photo() ? hour.photos : hour.retakes);
      StudentFacts& s = facts->students[student];
      s.photo_log_seq = r.log_seq();
      s.photo_at_ms = at;
    } else if (e.has_override_verdict()) {
      OverrideFact o;
      o.log_seq = r.log_seq();
      o.at_ms = at;
      o.booth = e.id().booth();
      o.student_no = student;
      o.operator_name = e.override_verdict().operator_();
      o.reason = e.override_verdict().reason();
      o.shooting_no = a.binding().shooting_no();
      for (const std::string& id : e.override_verdict().check_ids()) {
        o.checks.push_back(id);
        facts->overrides_by_check[id]++;
      }
      facts->overrides.push_back(std::move(o));
    } else if (e.has_absent() && !student.empty()) {
      StudentFacts& s = facts->students[student];
      s.absent_log_seq = r.log_seq();
      s.absent_at_ms = at;
      s.absent_reason = e.absent().reason();
    }
  } else if (r.has_admin() && r.admin().has_head_count()) {
    const v1::AdminRecord& a = r.admin();
    SignedClose& close = facts->closes[a.college().empty() ? a.source() : a.college()];
    close = SignedClose{r.log_seq(), r.recorded_at_ms(), a.actor(), a.override_reason(), a.head_count()};
  } else if (r.has_validation()) {
    ++facts->verdicts;
    const v1::ValidationResult& result = r.validation().result();
    if (result.verdict() == v1::VERDICT_FAIL) ++facts->failed_verdicts;
    for (const v1::CheckResult& c : result.checks()) {
      CheckCounts& counts = facts->checks[c.id()];
      counts.reject = counts.reject || c.severity() == v1::SEVERITY_REJECT;
      if (c.status() == v1::CHECK_FAIL) ++counts.failed;
      if (c.status() == v1::CHECK_UNDETERMINED) ++counts.undetermined;
    }
  }
}

}  // namespace

absl::Status ReplayWithFacts(const AuditDb& db, CaptureDay* day, DayFacts* facts) {
  ReplayHooks hooks;
  Digest last{};
  hooks.before = [&last](const v1::LogRecord&, const Digest& hash) {
    last = hash;
    return absl::OkStatus();
  };
  hooks.after = [facts](const v1::LogRecord& r) {
    facts->log_head = r.log_seq();
    Gather(r, facts);
  };
  absl::Status replayed = ReplayChecked(db, day, hooks);
  facts->head_hash = ToHex(last);
  return replayed;
}

}  // namespace gradcap
