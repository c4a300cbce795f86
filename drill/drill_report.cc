// The drill report (see drill.h), built from the coordinator's log alone.
#include <google/protobuf/util/json_util.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/big_endian.h"
#include "common/kv_store.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "audit/audit.h"
#include "coordinator/capture_day.h"
#include "drill/drill.h"
#include "drill/drill_internal.h"
#include "coordinator/ingest_server.h"
#include "common/log_format.h"
#include "coordinator/reconciliation.h"
#include "registry/registry.h"

namespace gradcap {

uint64_t AppliedCount(const std::string& db, const std::string& booth) {
  auto store = KvStore::Open(db, LogColumns(), OpenMode::kReadOnly);
  if (!store.ok()) return 0;
  auto progress = (*store)->Get(kBoothsColumn, booth);
  if (!progress.ok() || !progress->has_value()) return 0;
  v1::BoothProgress p;
  return p.ParseFromString(**progress) ? p.last_seq() : 0;
}

uint64_t PhotosWithoutVerdict(const std::string& db) {
  auto store = KvStore::Open(db, LogColumns(), OpenMode::kReadOnly);
  if (!store.ok()) return ~0ull;
  std::set<uint64_t> photos, validated;
  auto cursor = (*store)->NewCursor(kEventsColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    const std::optional<uint64_t> key = ReadBigEndian64(cursor->key());
    if (!key) continue;
    auto opened = OpenRecord(*key, cursor->value());
    if (!opened.ok()) continue;
    const v1::LogRecord& record = opened->record;
    if (record.has_applied()) {
      if (PendingPhotoOf(record.applied(), record.log_seq())) photos.insert(record.log_seq());
    } else if (record.has_validation()) {
      validated.insert(record.validation().photo_log_seq());
    }
  }
  uint64_t n = 0;
  for (uint64_t p : photos) n += !validated.contains(p);
  return n;
}

absl::StatusOr<v1::DrillReport> BuildDrillReport(const std::string& db, const v1::DrillFile& file,
                                                 const std::map<std::pair<std::string, uint64_t>, int>& step_of) {
  v1::DrillReport report;
  report.set_ran(true);
  report.set_steps(file.steps_size());
  GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<EventLog> log, EventLog::Open(db, SystemClock::Get()));
  Registry registry(&log->store());
  GRADCAP_RETURN_IF_ERROR(registry.Load());
  CaptureDay day(&registry);
  struct PhotoInfo {
    std::string sha256;
    uint32_t versions = 0;
  };
  std::map<std::string, PhotoInfo> photos;
  auto step = [&step_of](const v1::EventId& id) {
    auto it = step_of.find({id.booth(), id.seq()});
    return it == step_of.end() ? -1 : it->second;
  };
  std::map<uint64_t, v1::EventId> photo_event;  // log_seq → the photo's event, for verdict alerts
  GRADCAP_RETURN_IF_ERROR(log->ForEachRecord([&](const v1::LogRecord& record) {
    if (record.has_validation()) {
      const v1::ValidationRecord& v = record.validation();
      day.ApplyVerdict(v, record.log_seq(), nullptr);
      for (const v1::Alert& alert : v.alerts()) {
        v1::DrillAlert* d = report.add_alerts();
        auto e = photo_event.find(v.photo_log_seq());
        d->set_step(e == photo_event.end() ? -1 : step(e->second));
        d->set_booth(alert.booth());
        d->set_kind(alert.kind());
        d->set_detail(alert.detail());
      }
    }
    if (!record.has_applied()) return;
    if (record.applied().event().has_photo() || record.applied().event().has_retake()) {
      photo_event[record.log_seq()] = record.applied().event().id();
    }
    const v1::AppliedEvent& a = record.applied();
    day.Replay(a, record.log_seq());
    report.set_events(report.events() + 1);
    if (!a.outcome().accepted()) {
      v1::DrillRefusal* r = report.add_refusals();
      r->set_step(step(a.event().id()));
      r->set_booth(a.event().id().booth());
      r->set_reason(a.outcome().reason());
      r->set_detail(a.outcome().detail());
    } else if ((a.event().has_photo() || a.event().has_retake()) && !a.binding().student_no().empty()) {
      PhotoInfo& p = photos[a.binding().student_no()];
      p.sha256 = ToHex(a.event().has_photo() ? a.event().photo().sha256() : a.event().retake().sha256());
      ++p.versions;
    }
    for (const v1::Alert& alert : a.binding().alerts()) {
      v1::DrillAlert* d = report.add_alerts();
      d->set_step(step(a.event().id()));
      d->set_booth(alert.booth());
      d->set_kind(alert.kind());
      d->set_detail(alert.detail());
    }
  }));
  std::map<std::string, std::string> colleges;  // student → college, in student order
  {
    auto cursor = log->store().NewCursor(kStudentsColumn);
    for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
      v1::Student s;
      if (s.ParseFromArray(cursor->value().data(), static_cast<int>(cursor->value().size()))) {
        colleges[s.student_no()] = s.college();
      }
    }
  }
  std::map<std::string, bool> college_seen;
  for (const auto& [no, college] : colleges) {
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
    if (auto p = photos.find(no); p != photos.end()) {
      s->set_photo_sha256(p->second.sha256);
      s->set_photo_versions(p->second.versions);
    }
    if (state.status == CaptureDay::Status::kPhotographed) {
      s->set_verdict(state.verdict.empty() ? "pending" : state.verdict);
      for (const std::string& id : state.failed_checks) s->add_failed_checks(id);
    }
    college_seen[college] = true;
  }
  for (const auto& [college, unused] : college_seen) {
    GRADCAP_ASSIGN_OR_RETURN(v1::Reconciliation r, Reconcile(*log, college));
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
  for (const auto& c : r.reconciliation()) out += FormatReconciliation(c);
  absl::StrAppend(&out, "audit: ", FormatAuditReport(r.audit()), "\n");
  if (!r.db().empty()) absl::StrAppend(&out, "database kept in ", r.db(), "\n");
  return out;
}

}  // namespace gradcap
