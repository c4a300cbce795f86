// `gradcap audit …` and `gradcap keys public`: the auditor's commands. All
// read the database only (safe on a copy or beside a running coordinator),
// except recording a day-end checkpoint and logging an unmasked look, which
// go where every change goes: the running coordinator, or the database when
// none holds it.
#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "admin/cli_commands.h"
#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "audit/replay.h"
#include "audit/student_story.h"
#include "common/codes.h"
#include "common/event_log.h"
#include "common/file_util.h"
#include "common/local_time.h"
#include "common/log_format.h"
#include "common/status_macros.h"
#include "registry/registry.h"

namespace gradcap::cli {
namespace {

namespace fs = std::filesystem;

int Fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "gradcap %s: %s\n", what.c_str(), std::string(status.message()).c_str());
  return 1;
}

// A small file that must not replace one already there.
absl::Status WriteNewFile(const std::string& path, const std::string& text) {
  std::error_code ec;
  if (fs::exists(path, ec))
    return absl::AlreadyExistsError(absl::StrCat(path, " already exists: give a new name"));
  return WriteFileAtomically(path, text);
}

// Which checkpoint `audit checkpoint export` writes: the one at (or covering)
// record `log_seq`, else the latest of `college`'s closes, else the latest.
absl::StatusOr<v1::Checkpoint> FindCheckpoint(const EventLog& log, const std::string& college,
                                              uint64_t log_seq) {
  std::optional<v1::Checkpoint> found;
  GRADCAP_RETURN_IF_ERROR(log.ForEachRecord([&](const v1::LogRecord& r) {
    if (!r.has_checkpoint()) return;
    const v1::Checkpoint& c = r.checkpoint();
    if (log_seq != 0) {
      if ((r.log_seq() == log_seq || c.log_seq() == log_seq) && !found) found = c;
    } else if (college.empty() || (c.reason() == v1::CHECKPOINT_COLLEGE_CLOSE && c.college() == college)) {
      found = c;
    }
  }));
  if (found.has_value()) return *found;
  if (log_seq != 0) return absl::NotFoundError(absl::StrCat("no checkpoint at or of record ", log_seq));
  if (!college.empty())
    return absl::NotFoundError(absl::StrCat("no signed close of ", college, " in the log"));
  return absl::NotFoundError(
      "no signed checkpoint in the log (closes sign one once `gradcap keys init` made the key)");
}

// The lines for people at the top of a checkpoint file.
std::string CheckpointComment(const EventLog& log, const v1::Checkpoint& c) {
  std::string out = absl::StrCat(
      "gradcap signed checkpoint: keep it with the sign-off sheet. With the public key (gradcap keys "
      "public)\n"
      "it proves the log unchanged up to record ",
      c.log_seq(), ":\n", "  gradcap audit verify --db DIR --checkpoint THIS_FILE --public_key KEY_FILE\n");
  if (c.reason() == v1::CHECKPOINT_COLLEGE_CLOSE) {
    absl::StrAppend(&out, c.college(), " closed by ", c.actor(), " at ", LocalTimeText(c.signed_at_ms()),
                    " (record ", c.log_seq(), ")\n");
    absl::StatusOr<v1::LogRecord> close = log.ReadRecord(c.log_seq());
    if (close.ok() && close->has_admin() && close->admin().has_head_count()) {
      const v1::Reconciliation& h = close->admin().head_count();
      absl::StrAppend(&out, "head count: roster ", h.roster(), ", paid ", h.paid(), ", scanned ", h.scanned(),
                      ", photographed ", h.photographed(), ", passed ", h.passed(), ", failed ",
                      h.failed_pending_retake(), ", pending ", h.verdict_pending(), ", absent ", h.absent(),
                      ", waiting ", h.waiting(), ", not scanned ", h.not_scanned(), "\n");
      if (h.absent_students_size() > 0) {
        absl::StrAppend(&out, "补拍 make-up list: ", absl::StrJoin(h.absent_students(), ", "), "\n");
      }
    }
  } else {
    absl::StrAppend(&out, "end of the day, signed by ", c.actor(), " at ", LocalTimeText(c.signed_at_ms()),
                    "\n");
  }
  return out;
}

}  // namespace

int AuditVerify(const std::string& db, const VerifyOptions& options, bool json) {
  if (db.empty()) return Fail("audit verify", absl::InvalidArgumentError("--db DIR is required"));
  const v1::AuditReport report = VerifyLog(db, options);
  std::printf("%s\n", json ? ToJson(report).c_str() : FormatAuditReport(report).c_str());
  return report.ok() ? 0 : 1;
}

int AuditReplay(const std::string& db, const ReplayOptions& options, bool json) {
  absl::StatusOr<v1::ReplayReport> report = ReplayAudit(db, options);
  if (!report.ok()) return Fail("audit replay", report.status());
  std::printf("%s\n", json ? ToJson(*report).c_str() : FormatReplayReport(*report).c_str());
  return report->ok() ? 0 : 1;
}

int AuditCheckpoint(AdminTarget& target, const std::string& out_file, bool json) {
  v1::AdminRequest request;
  request.mutable_checkpoint();
  absl::StatusOr<v1::AdminReply> reply = target.Call(std::move(request));
  if (!reply.ok()) return Fail("audit checkpoint", reply.status());
  const v1::Checkpoint& c = reply->checkpoint();
  if (!out_file.empty()) {
    const std::string comment =
        absl::StrCat("gradcap signed checkpoint of the end of the day (record ", c.log_seq(), "), signed by ",
                     c.actor(), " at ", LocalTimeText(c.signed_at_ms()));
    if (absl::Status written = WriteNewFile(out_file, CheckpointFileText(c, comment)); !written.ok()) {
      return Fail("audit checkpoint", written);
    }
  }
  if (json) {
    std::printf("%s\n", ToJson(c).c_str());
  } else {
    std::printf("signed checkpoint of record %llu (the end of the day) with key %s%s\n",
                static_cast<unsigned long long>(c.log_seq()), c.key_id().c_str(),
                out_file.empty() ? "" : absl::StrCat("; written to ", out_file).c_str());
  }
  return 0;
}

int AuditCheckpointExport(const std::string& db, const std::string& college, uint64_t log_seq,
                          const std::string& out_file) {
  const char* what = "audit checkpoint export";
  if (db.empty()) return Fail(what, absl::InvalidArgumentError("--db DIR is required"));
  if (out_file.empty()) return Fail(what, absl::InvalidArgumentError("--out FILE is required"));
  if (absl::Status columns = CheckLogColumns(db); !columns.ok()) return Fail(what, columns);
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::OpenReadOnly(db);
  if (!log.ok()) return Fail(what, log.status());
  absl::StatusOr<v1::Checkpoint> c = FindCheckpoint(**log, college, log_seq);
  if (!c.ok()) return Fail(what, c.status());
  if (absl::Status written = WriteNewFile(out_file, CheckpointFileText(*c, CheckpointComment(**log, *c)));
      !written.ok()) {
    return Fail(what, written);
  }
  std::printf("checkpoint of record %llu (%s%s, key %s) written to %s\n",
              static_cast<unsigned long long>(c->log_seq()), CodeName(c->reason()).c_str(),
              c->college().empty() ? "" : (" " + c->college()).c_str(), c->key_id().c_str(),
              out_file.c_str());
  return 0;
}

int KeysPublic(const std::string& db, const std::string& out_file) {
  if (db.empty()) return Fail("keys public", absl::InvalidArgumentError("--db DIR is required"));
  if (absl::Status columns = CheckLogColumns(db); !columns.ok()) return Fail("keys public", columns);
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::OpenReadOnly(db);
  if (!log.ok()) return Fail("keys public", log.status());
  Registry registry(&(*log)->store());
  if (absl::Status loaded = registry.Load(); !loaded.ok()) return Fail("keys public", loaded);
  if (!registry.checkpoint_key().has_value()) {
    return Fail("keys public",
                absl::FailedPreconditionError("no checkpoint key: run `gradcap keys init` first"));
  }
  const std::string text = PublicKeyFileText(*registry.checkpoint_key());
  if (out_file.empty()) {
    std::printf("%s", text.c_str());
    return 0;
  }
  if (absl::Status written = WriteNewFile(out_file, text); !written.ok()) return Fail("keys public", written);
  std::printf("public key %s written to %s\n", registry.checkpoint_key()->key_id().c_str(), out_file.c_str());
  return 0;
}

int AuditStudent(const std::string& db, const std::string& student_no, const StudentOptions& options,
                 const TargetOpener& open_target) {
  const char* what = "audit student";
  if (db.empty()) return Fail(what, absl::InvalidArgumentError("--db DIR is required"));
  if (student_no.empty()) return Fail(what, absl::InvalidArgumentError("which STUDENT_NO?"));
  uint64_t logged = 0;
  if (options.unmasked) {
    // Whoever looks at a plain name is named in the chained log first.
    absl::StatusOr<std::unique_ptr<AdminTarget>> target = open_target();
    if (!target.ok()) {
      if (absl::IsFailedPrecondition(target.status())) return Fail(what, target.status());
      return Fail(what, absl::FailedPreconditionError(
                            absl::StrCat("--unmasked must log who looked, but ", db, " cannot be written (",
                                         target.status().message(),
                                         "): a read-only copy? Run it on the coordinator's database "
                                         "(or with --coordinator), or leave out --unmasked")));
    }
    v1::AdminRequest request;
    request.mutable_unmask()->set_student_no(student_no);
    request.mutable_unmask()->set_purpose(options.purpose);
    absl::StatusOr<v1::AdminReply> reply = (*target)->Call(std::move(request));
    if (!reply.ok()) return Fail(what, reply.status());
    logged = reply->unmask().log_seq();
  }
  absl::StatusOr<v1::StudentStory> story = StudentStoryOf(db, student_no, options.unmasked);
  if (!story.ok()) return Fail(what, story.status());
  story->set_unmasked_log_seq(static_cast<uint32_t>(logged));
  if (options.json) {
    std::printf("%s\n", ToJson(*story).c_str());
  } else {
    std::printf("%s", FormatStudentStory(*story).c_str());
    if (logged != 0)
      std::printf("(this unmasked look is logged as record %llu)\n", static_cast<unsigned long long>(logged));
  }
  return 0;
}

}  // namespace gradcap::cli
