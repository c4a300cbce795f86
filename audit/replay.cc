// `audit replay` (replay.h): the replay itself, the stored state at the end,
// the final state in the report, and the text for people.
#include "audit/replay.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "audit/replay_auditor.h"
#include "common/big_endian.h"
#include "common/codes.h"
#include "common/local_time.h"
#include "common/log_format.h"
#include "common/status_macros.h"
#include "coordinator/admin_service.h"
#include "coordinator/reconciliation.h"

namespace gradcap {
namespace {

std::vector<std::string> Checks(const ReplayOptions& options) {
  std::vector<std::string> checks = {
      "chain: records run 1, 2, 3 …, each body matches its stored hash and links to the record before",
      "delivery: each booth's events run seq 1, 2, 3 … within an epoch, and epochs only grow",
      "queue_decision: every sign, photo, retake and absence re-decided from the replayed queues (the head, "
      "the "
      "number the operator named, the signature the schedule asks for) equals the recorded outcome and "
      "binding",
      "scan_decision: an accepted scan got its booth's next shooting number and its student was neither "
      "waiting nor "
      "photographed; duplicate_scan and already_photographed refusals match the replayed state",
      "queue_alerts: the substitution alerts of every booth event (duplicate_scan, already_photographed, "
      "shooting_no_mismatch, scan_burst) re-decided from the replayed state equal the recorded ones",
      "verdict_binding: every verdict is about an accepted photo waiting for it, with that photo's digest, "
      "student, "
      "booth and shooting number",
      std::string("verdict_alerts: face_match alerts re-derived from each verdict's checks") +
          (options.face_alerts ? "; face_duplicate alerts re-decided against every current photo" : ""),
      "head_count: the head count signed at each close equals the replayed state at that record",
      "checkpoint: each signed checkpoint names the record before it and that record's hash",
  };
  if (options.until == 0) {
    checks.push_back("booth_progress: the stored progress of every booth equals its last event in the log");
    checks.push_back(
        "event_index: every event index entry (booth, epoch, seq → record) names the record holding that "
        "event, and every applied event has one (one digest per booth and epoch)");
    checks.push_back("chain_head: the stored chain head names the last record and its hash");
  }
  return checks;
}

std::vector<std::string> NotChecked(const ReplayOptions& options) {
  std::vector<std::string> out = {
      "scan refusals that depend on the reference data as it was then (unknown, forged or expired codes, "
      "roster, "
      "payments, schedule) are not re-decided: the database keeps only the current reference data",
      "signatures of checkpoints and the photo bytes: `gradcap audit verify` checks them",
  };
  if (!options.face_alerts) {
    out.push_back(
        "face_duplicate alerts are not re-decided (--face_alerts: each verdict searched in the day's face "
        "index, ~1 ms a verdict)");
  }
  if (options.until != 0) {
    out.push_back(
        "stored booth progress, event index and chain head: compared only when the whole log is replayed");
  }
  return out;
}

}  // namespace

absl::Status ReplayAuditor::Finish() {
  for (const std::string& c : Checks(options_)) report_->add_checks(c);
  for (const std::string& c : NotChecked(options_)) report_->add_not_checked(c);
  int skipped = 0;
  for (const RosterCheck& c : roster_checks_) {
    if (c.reference_changed) {
      ++skipped;
    } else {
      Differ(c.log_seq, "", "", "head_count",
             absl::StrCat("the head count of ", c.college, " signed here: ", c.detail));
    }
  }
  if (skipped > 0) {
    report_->add_not_checked(absl::StrCat(
        "roster, paid and not-scanned counts of ", skipped,
        " close(s) differ from today's reference data, which was imported again after them: not compared"));
  }
  if (options_.until == 0) {
    CompareBoothProgress();
    GRADCAP_RETURN_IF_ERROR(CompareEventIndex());
    if (report_->records() > 0 && last_hash_ != db_.log->head_hash()) {
      Differ(report_->records(), "", "", "chain_head",
             absl::StrCat("the chain head's hash ", ToHex(db_.log->head_hash()).substr(0, 16),
                          "… is not the last record's ", ToHex(last_hash_).substr(0, 16), "…"));
    }
  }
  report_->set_head_hash(ToHex(last_hash_));
  GRADCAP_RETURN_IF_ERROR(FillState());
  report_->set_ok(report_->differences_total() == 0);
  return absl::OkStatus();
}

void ReplayAuditor::CompareBoothProgress() {
  std::map<std::string, v1::BoothProgress> stored;
  auto cursor = db_.log->store().NewCursor(kBoothsColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    v1::BoothProgress p;
    const std::string booth(cursor->key());
    if (!p.ParseFromArray(cursor->value().data(), static_cast<int>(cursor->value().size()))) {
      Differ(0, booth, "", "booth_progress", "the stored progress does not parse");
      continue;
    }
    stored[booth] = p;
  }
  std::map<std::string, v1::BoothProgress> walked(order_.booths().begin(), order_.booths().end());
  for (const auto& [booth, w] : walked) {
    auto it = stored.find(booth);
    if (it == stored.end()) {
      Differ(w.last_log_seq(), booth, "", "booth_progress",
             absl::StrCat("no stored progress; the log ends at epoch ", w.epoch(), " seq ", w.last_seq()));
    } else if (it->second.epoch() != w.epoch() || it->second.last_seq() != w.last_seq() ||
               it->second.last_log_seq() != w.last_log_seq()) {
      Differ(w.last_log_seq(), booth, "", "booth_progress",
             absl::StrCat("stored epoch ", it->second.epoch(), " seq ", it->second.last_seq(), " (record ",
                          it->second.last_log_seq(), "), the log ends at epoch ", w.epoch(), " seq ",
                          w.last_seq(), " (record ", w.last_log_seq(), ")"));
    }
  }
  for (const auto& [booth, p] : stored) {
    if (!walked.count(booth)) {
      Differ(0, booth, "", "booth_progress",
             absl::StrCat("stored progress (epoch ", p.epoch(), " seq ", p.last_seq(),
                          ") but no event in the log"));
    }
  }
}

absl::Status ReplayAuditor::CompareEventIndex() {
  std::map<std::pair<std::string, uint64_t>, std::pair<uint64_t, uint64_t>> stored;
  auto cursor = db_.log->store().NewCursor(kEventIndexColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    const std::string_view key = cursor->key();
    std::optional<uint64_t> log_seq = ReadBigEndian64(cursor->value());
    if (key.size() < 17 || key[key.size() - 17] != '\0' || !log_seq.has_value()) {
      Differ(0, "", "", "event_index", "an event index entry is malformed");
      continue;
    }
    const std::string booth(key.substr(0, key.size() - 17));
    const uint64_t epoch = ReadBigEndian64(key.substr(key.size() - 16, 8)).value_or(0);
    const uint64_t seq = ReadBigEndian64(key.substr(key.size() - 8, 8)).value_or(0);
    auto& entry = stored[{booth, epoch}];
    ++entry.first;
    entry.second += IndexEntryDigest(seq, *log_seq);
  }
  GRADCAP_RETURN_IF_ERROR(cursor->status());
  std::map<std::pair<std::string, uint64_t>, std::pair<uint64_t, uint64_t>> all =
      stored;  // in order, for the report
  all.insert(index_.begin(), index_.end());
  for (const auto& [booth_epoch, ignored] : all) {
    const auto s = stored.count(booth_epoch) ? stored.at(booth_epoch) : std::pair<uint64_t, uint64_t>{0, 0};
    const auto w = index_.count(booth_epoch) ? index_.at(booth_epoch) : std::pair<uint64_t, uint64_t>{0, 0};
    if (s == w) continue;
    Differ(
        0, booth_epoch.first, "", "event_index",
        absl::StrCat("epoch ", booth_epoch.second, ": the index holds ", s.first, " entries, the log ",
                     w.first, " applied events", s.first == w.first ? ", and they name other records" : ""));
  }
  return absl::OkStatus();
}

absl::Status ReplayAuditor::FillState() {
  std::map<std::string, v1::BoothProgress> booths(order_.booths().begin(), order_.booths().end());
  v1::CoordinatorStatus* status = report_->mutable_status();
  status->set_log_head(report_->records());
  for (const auto& [booth, p] : booths) {
    v1::BoothProgressView* view = status->add_booths();
    view->set_booth(booth);
    view->set_epoch(p.epoch());
    view->set_committed_seq(p.last_seq());
    *report_->add_booths() = BoothReportOf(day_, booth, SeqProgress{p.epoch(), p.last_seq()}, -1);
  }
  status->set_photos_awaiting_verdict(day_.photos_awaiting_verdict());
  status->set_alerts(day_.alerts().size());
  GRADCAP_ASSIGN_OR_RETURN(std::vector<std::string> colleges, db_.registry->Colleges());
  std::map<std::string, v1::StudentReport> students;
  for (const std::string& college : colleges) {
    GRADCAP_ASSIGN_OR_RETURN(std::vector<v1::Student> of_college, db_.registry->StudentsOf(college));
    for (const v1::Student& s : of_college)
      students[s.student_no()] = StudentReportOf(day_, *db_.registry, s);
    GRADCAP_ASSIGN_OR_RETURN(v1::Reconciliation r, Reconcile(day_, *db_.registry, college));
    *report_->add_head_counts() = std::move(r);
  }
  for (auto& [no, s] : students) *report_->add_students() = std::move(s);
  for (const CaptureDay::AlertEntry& entry : day_.alerts()) {
    v1::ReplayAlert* a = report_->add_alerts();
    a->set_log_seq(static_cast<uint32_t>(entry.log_seq));
    a->set_at_ms(entry.at_ms);
    a->set_photo_log_seq(static_cast<uint32_t>(entry.photo_log_seq));
    *a->mutable_alert() = entry.alert;
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ReplayReport> ReplayAudit(const std::string& db_dir, const ReplayOptions& options) {
  GRADCAP_ASSIGN_OR_RETURN(AuditDb db, OpenAuditDb(db_dir));
  if (options.until > db.log->last_log_seq()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--until ", options.until, ": the log holds ", db.log->last_log_seq(), " records"));
  }
  CaptureDay day(db.registry.get());
  v1::ReplayReport report;
  report.set_until(static_cast<uint32_t>(options.until));
  ReplayAuditor auditor(db, day, options, &report);
  ReplayHooks hooks;
  hooks.before = [&auditor](const v1::LogRecord& r, const Digest& h) { return auditor.Before(r, h); };
  GRADCAP_RETURN_IF_ERROR(ReplayChecked(db, &day, hooks, options.until));
  GRADCAP_RETURN_IF_ERROR(auditor.Finish());
  for (const auto& [key, refused] : day.refusals()) {
    v1::RefusalTotal* total = report.add_refusals();
    total->set_socket(std::get<0>(key));
    total->set_peer(std::get<1>(key));
    total->set_code(std::get<2>(key));
    total->set_logged(refused.logged);
    total->set_counted(refused.counted);
  }
  return report;
}

std::string FormatReplayReport(const v1::ReplayReport& r) {
  std::string out =
      absl::StrCat("replayed ", r.records(), " records",
                   r.until() != 0 ? absl::StrCat(" (up to record ", r.until(), ")") : "", ": ", r.applied(),
                   " booth events, ", r.rejected(), " rejections, ", r.admin(), " administrator changes, ",
                   r.verdicts(), " verdicts, ", r.checkpoints(), " checkpoints");
  // The biggest first; the JSON has them all.
  std::vector<const v1::RefusalTotal*> refused;
  for (const v1::RefusalTotal& t : r.refusals()) refused.push_back(&t);
  std::sort(refused.begin(), refused.end(), [](const v1::RefusalTotal* a, const v1::RefusalTotal* b) {
    return a->logged() + a->counted() > b->logged() + b->counted();
  });
  constexpr size_t kShown = 20;
  for (size_t i = 0; i < refused.size() && i < kShown; ++i) {
    const v1::RefusalTotal& t = *refused[i];
    absl::StrAppend(&out, "\nrefused ", t.logged() + t.counted(), " ", t.socket(), " messages from ", t.peer(), ": ",
                    CodeName(t.code()), t.counted() > 0 ? absl::StrCat(" (", t.logged(), " logged one by one, ",
                                                                        t.counted(), " counted)")
                                                         : std::string());
  }
  if (refused.size() > kShown) absl::StrAppend(&out, "\n… and ", refused.size() - kShown, " more peers refused (--json)");
  if (r.records() > 0) {
    absl::StrAppend(&out, "; ", LocalTimeText(r.first_record_ms()), " – ", LocalTimeText(r.last_record_ms()),
                    ", head ", r.head_hash().substr(0, 16), "…");
  }
  std::map<std::string, int> by_status;
  for (const v1::StudentReport& s : r.students()) by_status[s.status()]++;
  absl::StrAppend(&out, "\nstate: ", r.students_size(), " students (");
  std::vector<std::string> parts;
  for (const auto& [status, n] : by_status) parts.push_back(absl::StrCat(n, " ", status));
  absl::StrAppend(&out, absl::StrJoin(parts, ", "), "), ", r.booths_size(), " booths, ", r.alerts_size(),
                  " alerts, ", r.status().photos_awaiting_verdict(), " photos awaiting a verdict\n");
  for (const v1::Reconciliation& c : r.head_counts()) {
    absl::StrAppend(&out, "  ", c.college(), ": roster ", c.roster(), ", paid ", c.paid(), ", scanned ",
                    c.scanned(), ", photographed ", c.photographed(), ", passed ", c.passed(), ", absent ",
                    c.absent(), c.closed() ? " (closed)" : "", "\n");
  }
  out += "checks made:\n";
  for (const std::string& c : r.checks()) absl::StrAppend(&out, "  - ", c, "\n");
  out += "not checked:\n";
  for (const std::string& c : r.not_checked()) absl::StrAppend(&out, "  - ", c, "\n");
  if (r.ok()) return out + "ok";
  absl::StrAppend(&out, "DIFFERENCES: ", r.differences_total(),
                  r.differences_total() > static_cast<uint32_t>(r.differences_size())
                      ? absl::StrCat(" (the first ", r.differences_size(), " below)")
                      : "",
                  "\n");
  for (const v1::ReplayDifference& d : r.differences()) {
    absl::StrAppend(&out, "  ",
                    d.log_seq() != 0 ? absl::StrCat("record ", d.log_seq()) : std::string("at the end"),
                    d.booth().empty() ? "" : absl::StrCat(", booth ", d.booth()),
                    d.student_no().empty() ? "" : absl::StrCat(", student ", d.student_no()), " [", d.check(),
                    "]: ", d.detail(), "\n");
  }
  return out;
}

}  // namespace gradcap
