#include "audit/student_story.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "audit/audit_db.h"
#include "common/codes.h"
#include "common/local_time.h"
#include "common/masking.h"
#include "common/status_macros.h"
#include "coordinator/admin_service.h"

namespace gradcap {
namespace {

const char* WhatOf(const v1::BoothEvent& e) {
  if (e.has_scan()) return "scan";
  if (e.has_sign()) return "sign";
  if (e.has_photo()) return "photo";
  if (e.has_retake()) return "retake";
  if (e.has_absent()) return "absent";
  if (e.has_override_verdict()) return "override";
  return "event";
}

std::string Short(const std::string& hex) { return hex.substr(0, 12) + "…"; }

// Follows one student through the replay (after each record is applied).
class Storyteller {
 public:
  Storyteller(const AuditDb& db, const CaptureDay& day, std::string student_no, v1::StudentStory* story)
      : db_(db), day_(day), no_(std::move(student_no)), story_(story) {}

  void After(const v1::LogRecord& r) {
    if (r.has_applied() && r.applied().binding().student_no() == no_) {
      Event(r);
    } else if (r.has_validation() && r.validation().student_no() == no_) {
      Verdict(r);
    } else if (r.has_admin()) {
      Admin(r);
    } else if (r.has_checkpoint() && last_own_ != 0) {
      Checkpoint(r);
    }
  }

  uint64_t final_photo_log_seq() const { return final_photo_; }

 private:
  v1::StoryEntry* Add(const v1::LogRecord& r, int64_t at_ms, const std::string& booth, const char* what) {
    v1::StoryEntry* e = story_->add_entries();
    e->set_log_seq(static_cast<uint32_t>(r.log_seq()));
    e->set_at_ms(at_ms);
    e->set_at(LocalTimeText(at_ms));
    e->set_booth(booth);
    e->set_what(what);
    return e;
  }

  void Event(const v1::LogRecord& r) {
    const v1::AppliedEvent& a = r.applied();
    const v1::BoothEvent& ev = a.event();
    const int64_t at = a.decided_at_ms() != 0 ? a.decided_at_ms() : r.recorded_at_ms();
    v1::StoryEntry* e = Add(r, at, ev.id().booth(), WhatOf(ev));
    e->set_accepted(a.outcome().accepted());
    if (!a.outcome().accepted()) e->set_reason(CodeName(a.outcome().reason()));
    e->set_shooting_no(a.binding().shooting_no());
    e->set_detail(a.outcome().detail());
    if (ev.has_absent()) {
      e->set_detail(
          absl::StrCat("reason given: ", ev.absent().reason(), e->detail().empty() ? "" : "; ", e->detail()));
    }
    if (ev.has_override_verdict()) {
      const v1::Override& o = ev.override_verdict();
      e->set_detail(absl::StrCat("operator ", o.operator_().empty() ? ev.id().booth() : o.operator_(),
                                 " overruled ", absl::StrJoin(o.check_ids(), ", "), ": \"", o.reason(), "\"",
                                 e->detail().empty() ? "" : "; ", e->detail()));
      e->set_photo_sha256(ToHex(o.photo_sha256()));
    }
    const v1::Photo* photo = ev.has_photo() ? &ev.photo() : ev.has_retake() ? &ev.retake() : nullptr;
    if (photo != nullptr) {
      e->set_photo_sha256(ToHex(photo->sha256()));
      if (a.outcome().accepted()) {
        e->set_photo_version(++versions_);
        final_photo_ = r.log_seq();
      }
    }
    last_own_ = r.log_seq();
    for (const v1::Alert& alert : a.binding().alerts()) AddAlert(r, at, alert);
  }

  void Verdict(const v1::LogRecord& r) {
    const v1::ValidationRecord& v = r.validation();
    v1::StoryEntry* e = Add(r, r.recorded_at_ms(), v.booth(), "verdict");
    e->set_verdict(CodeName(v.result().verdict()));
    e->set_shooting_no(v.shooting_no());
    e->set_photo_sha256(ToHex(v.result().photo_sha256()));
    for (const v1::CheckResult& c : v.result().checks()) {
      if (c.status() == v1::CHECK_FAIL && c.severity() == v1::SEVERITY_REJECT) e->add_failed_checks(c.id());
    }
    const bool current = day_.StateOf(no_).photo_sha256 == v.result().photo_sha256();
    e->set_current(current);
    e->set_detail(absl::StrCat("photo of record ", v.photo_log_seq(), " checked by ", v.result().worker(),
                               " (rules ", v.result().rule_set(), ")",
                               current ? "" : "; a retake had replaced it, so it changed nothing"));
    last_own_ = r.log_seq();
    for (const v1::Alert& alert : v.alerts()) AddAlert(r, r.recorded_at_ms(), alert);
  }

  void Admin(const v1::LogRecord& r) {
    const v1::AdminRecord& a = r.admin();
    if ((a.action() == "college_close" || a.action() == "college_close_override") &&
        a.college() == story_->college()) {
      const v1::Reconciliation& h = a.head_count();
      auto in = [this](const auto& list) { return std::find(list.begin(), list.end(), no_) != list.end(); };
      v1::StoryEntry* e = Add(r, r.recorded_at_ms(), "", "close");
      e->set_detail(absl::StrCat(
          a.college(), " closed by ", a.actor(), ": head count roster ", h.roster(), ", photographed ",
          h.photographed(), ", passed ", h.passed(), ", absent ", h.absent(),
          in(h.absent_students()) ? "; this student on the 补拍 (make-up) list"
          : in(h.waiting_students())
              ? "; this student still waiting (closed with override: " + a.override_reason() + ")"
              : ""));
    } else if (a.action() == "pii_unmasked" && a.source() == no_) {
      Add(r, r.recorded_at_ms(), "", "admin")->set_detail(a.detail());
    }
  }

  void Checkpoint(const v1::LogRecord& r) {
    const v1::Checkpoint& c = r.checkpoint();
    if (c.reason() == v1::CHECKPOINT_COLLEGE_CLOSE && c.college() != story_->college()) return;
    v1::StoryEntry* e = Add(r, c.signed_at_ms(), "", "checkpoint");
    e->set_detail(absl::StrCat("signed checkpoint of record ", c.log_seq(), " (", CodeName(c.reason()),
                               c.college().empty() ? "" : absl::StrCat(" ", c.college()), ", key ",
                               c.key_id(), "): covers every record above"));
  }

  void AddAlert(const v1::LogRecord& r, int64_t at, const v1::Alert& alert) {
    v1::StoryEntry* e = Add(r, at, alert.booth(), "alert");
    e->set_alert(CodeName(alert.kind()));
    e->set_detail(alert.detail());
  }

  const AuditDb& db_;
  const CaptureDay& day_;
  const std::string no_;
  v1::StudentStory* story_;
  uint32_t versions_ = 0;
  uint64_t final_photo_ = 0, last_own_ = 0;
};

const v1::StoryEntry* Find(const v1::StudentStory& s, uint64_t log_seq) {
  for (const v1::StoryEntry& e : s.entries()) {
    if (e.log_seq() == log_seq && e.what() != "alert") return &e;
  }
  return nullptr;
}

// The accepted scan and signature that put the student at the head of the queue before `before`.
const v1::StoryEntry* Last(const v1::StudentStory& s, const char* what, uint64_t before) {
  const v1::StoryEntry* found = nullptr;
  for (const v1::StoryEntry& e : s.entries()) {
    if (e.log_seq() < before && e.what() == what && e.accepted()) found = &e;
  }
  return found;
}

std::string Answer(const v1::StudentStory& s) {
  const std::string who = absl::StrCat(s.student_no(), " (", s.name(), ")");
  if (s.status() == "photographed") {
    const v1::StoryEntry* photo = Find(s, s.photo_log_seq());
    const v1::StoryEntry* scan = Last(s, "scan", s.photo_log_seq());
    const v1::StoryEntry* sign = Last(s, "sign", s.photo_log_seq());
    std::string out =
        absl::StrCat("The photo on file for ", who, " is version ", photo ? photo->photo_version() : 0,
                     " of ", s.photo_versions(), ", SHA-256 ", s.photo_sha256(), ", taken at booth ",
                     s.booth(), " at ", photo ? photo->at() : "?", " as shooting number ", s.shooting_no(),
                     " (record ", s.photo_log_seq(), ").");
    if (scan != nullptr) {
      absl::StrAppend(
          &out, " It is bound to ", s.student_no(), " because their collection code was accepted at ",
          scan->booth(), " at ", scan->at(), " as number ", scan->shooting_no(), " (record ", scan->log_seq(),
          ")", sign ? absl::StrCat(", they signed at ", sign->at(), " (record ", sign->log_seq(), ")") : "",
          ", and number ", s.shooting_no(), " was the head of ", s.booth(),
          "'s queue when the photo came: photos bind to the oldest scan still waiting.");
    }
    absl::StrAppend(&out, " Verdict: ", s.verdict(), ".");
    int alerts = 0;
    for (const v1::StoryEntry& e : s.entries()) alerts += e.what() == "alert";
    absl::StrAppend(&out, alerts == 0
                              ? " No substitution alert concerns this student."
                              : absl::StrCat(" ", alerts, " alert(s) concern this student: see below."));
    return out;
  }
  if (s.status() == "absent") {
    for (const v1::StoryEntry& e : s.entries()) {
      if (e.what() == "absent" && e.accepted()) {
        return absl::StrCat(who, " was marked absent at booth ", e.booth(), " at ", e.at(), " as number ",
                            e.shooting_no(), " (record ", e.log_seq(), "); there is no photo. ", e.detail());
      }
    }
  }
  if (s.status() == "waiting") {
    return absl::StrCat(who, " was scanned at booth ", s.booth(), " as number ", s.shooting_no(),
                        " but never photographed nor marked absent; there is no photo.");
  }
  return absl::StrCat("No accepted scan of ", who, " is in the log; there is no photo.",
                      s.in_roster() && !s.paid() ? " The payments do not cover the amount due." : "");
}

}  // namespace

absl::StatusOr<v1::StudentStory> StudentStoryOf(const std::string& db_dir, const std::string& student_no,
                                                bool unmasked) {
  GRADCAP_ASSIGN_OR_RETURN(AuditDb db, OpenAuditDb(db_dir));
  v1::StudentStory story;
  story.set_student_no(student_no);
  if (std::optional<v1::Student> s = db.registry->FindStudent(student_no)) {
    story.set_in_roster(true);
    story.set_name(unmasked ? s->name() : MaskName(s->name()));
    story.set_id_no(unmasked ? s->id_no() : MaskIdNo(s->id_no()));
    story.set_college(s->college());
    story.set_paid(db.registry->PaidFen(student_no) >= db.registry->amount_due_fen());
  }
  CaptureDay day(db.registry.get());
  Storyteller teller(db, day, student_no, &story);
  ReplayHooks hooks;
  hooks.after = [&teller](const v1::LogRecord& r) { teller.After(r); };
  GRADCAP_RETURN_IF_ERROR(ReplayChecked(db, &day, hooks));
  if (!story.in_roster() && story.entries_size() == 0) {
    return absl::NotFoundError(
        absl::StrCat("student ", student_no, " is neither in the roster nor in the log"));
  }
  const CaptureDay::StudentState st = day.StateOf(student_no);
  story.set_status(StudentStatusName(st.status));
  story.set_booth(st.booth);
  story.set_shooting_no(st.shooting_no);
  story.set_photo_versions(st.photo_versions);
  story.set_log_head(static_cast<uint32_t>(db.log->last_log_seq()));
  if (st.status == CaptureDay::Status::kPhotographed) {
    story.set_photo_sha256(ToHex(st.photo_sha256));
    story.set_photo_log_seq(static_cast<uint32_t>(teller.final_photo_log_seq()));
    story.set_verdict(CodeName(st.verdict));
    for (v1::StoryEntry& e : *story.mutable_entries()) {
      if ((e.what() == "photo" || e.what() == "retake") && e.accepted()) {
        e.set_current(e.log_seq() == story.photo_log_seq());
      }
    }
  }
  story.set_answer(Answer(story));
  return story;
}

std::string FormatStudentStory(const v1::StudentStory& s) {
  std::string out =
      absl::StrCat("学生 student ", s.student_no(), " ", s.name(), " (", s.id_no(), ") ", s.college(),
                   s.in_roster() ? "" : "(not in the roster)", s.paid() ? "" : " — 未缴费 not paid",
                   "\n状态 status at the end: ", s.status());
  if (s.shooting_no() != 0) absl::StrAppend(&out, ", number ", s.shooting_no(), " at booth ", s.booth());
  if (!s.verdict().empty()) absl::StrAppend(&out, ", verdict ", s.verdict());
  absl::StrAppend(&out, "\n\n", s.answer(), "\n\n");
  for (const v1::StoryEntry& e : s.entries()) {
    std::string line = absl::StrCat("  record ", e.log_seq(), "  ", e.at(), "  ",
                                    e.booth().empty() ? "--" : e.booth(), "  ", e.what());
    if (e.what() == "alert") {
      absl::StrAppend(&line, " ", e.alert(), ": ", e.detail());
    } else if (e.what() == "verdict") {
      absl::StrAppend(
          &line, " ", e.verdict(), " for photo ", Short(e.photo_sha256()),
          e.failed_checks().empty() ? "" : absl::StrCat(" (", absl::StrJoin(e.failed_checks(), ", "), ")"),
          " — ", e.detail());
    } else if (e.what() == "close" || e.what() == "checkpoint" || e.what() == "admin") {
      absl::StrAppend(&line, ": ", e.detail());
    } else {
      absl::StrAppend(&line, e.accepted() ? " accepted" : absl::StrCat(" REFUSED ", e.reason()),
                      e.shooting_no() != 0 ? absl::StrCat(" #", e.shooting_no()) : "",
                      e.photo_sha256().empty() ? "" : absl::StrCat(" photo ", Short(e.photo_sha256())),
                      e.photo_version() != 0 ? absl::StrCat(" (version ", e.photo_version(), ")") : "",
                      e.current() ? " ← on file" : "",
                      e.detail().empty() ? "" : absl::StrCat(" — ", e.detail()));
    }
    absl::StrAppend(&out, line, "\n");
  }
  absl::StrAppend(&out, "(log head: record ", s.log_head(),
                  "; `gradcap audit verify --checkpoint FILE --public_key FILE` "
                  "proves the records above a college's checkpoint unchanged)\n");
  return out;
}

}  // namespace gradcap
