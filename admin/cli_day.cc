// `gradcap` commands about the capture day itself — imports, code keys, head
// counts, closing a college, where a student or a booth stands — through an
// AdminTarget, so they work the same on a running coordinator and on a
// stopped one's database.
#include <cstdio>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "admin/cli_commands.h"
#include "common/codes.h"
#include "common/file_util.h"
#include "coordinator/reconciliation.h"
#include "registry/registry_import.h"

namespace gradcap::cli {
namespace {

int Fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "gradcap %s: %s\n", what.c_str(), std::string(status.message()).c_str());
  return 1;
}

const char* ImportName(ImportKind kind) {
  switch (kind) {
    case ImportKind::kRoster:
      return "roster import";
    case ImportKind::kPayments:
      return "payments import";
    case ImportKind::kSchedule:
      return "schedule import";
    case ImportKind::kExternalCodes:
      return "codes import";
  }
  return "import";
}

}  // namespace

int Import(AdminTarget& target, ImportKind kind, const std::string& file, const ImportOptions& options) {
  const char* what = ImportName(kind);
  absl::StatusOr<ImportSource> source = ReadImportSource(file);
  if (!source.ok()) return Fail(what, source.status());
  v1::AdminRequest request;
  v1::ImportRequest* import = request.mutable_import();
  import->set_file_name(source->name);
  import->set_content(std::move(source->bytes));
  import->set_base_dir(source->base_dir);
  switch (kind) {
    case ImportKind::kRoster:
      import->set_kind(v1::ImportRequest::ROSTER);
      break;
    case ImportKind::kPayments: {
      import->set_kind(v1::ImportRequest::PAYMENTS);
      if (options.amount_due.has_value()) {
        std::optional<int64_t> due = ParseFen(*options.amount_due);
        if (!due.has_value() || *due <= 0) {
          return Fail(what, absl::InvalidArgumentError(
                                absl::StrCat("--amount_due \"", *options.amount_due, "\" is not an amount such as 15")));
        }
        import->set_amount_due_fen(*due);
      }
      break;
    }
    case ImportKind::kSchedule:
      import->set_kind(v1::ImportRequest::SCHEDULE);
      import->set_timezone(options.timezone);
      break;
    case ImportKind::kExternalCodes:
      import->set_kind(v1::ImportRequest::EXTERNAL_CODES);
      break;
  }
  absl::StatusOr<v1::AdminReply> reply = target.Call(std::move(request));
  if (!reply.ok()) return Fail(what, reply.status());
  std::printf("%s: encoding %s; %s\n", file.c_str(), reply->import().encoding().c_str(),
              reply->import().detail().c_str());
  return 0;
}

int Keys(AdminTarget& target, KeysOp op, const std::string& key_id) {
  const char* what = op == KeysOp::kInit ? "keys init" : op == KeysOp::kRotate ? "keys rotate" : "keys retire";
  if (op == KeysOp::kRetire && key_id.empty()) {
    return Fail(what, absl::InvalidArgumentError("--key ID is required"));
  }
  v1::AdminRequest request;
  request.mutable_keys()->set_op(op == KeysOp::kInit     ? v1::KeysRequest::INIT
                                 : op == KeysOp::kRotate ? v1::KeysRequest::ROTATE
                                                         : v1::KeysRequest::RETIRE);
  request.mutable_keys()->set_key_id(key_id);
  absl::StatusOr<v1::AdminReply> reply = target.Call(std::move(request));
  if (!reply.ok()) return Fail(what, reply.status());
  const std::string& id = reply->keys().key_id();
  if (op == KeysOp::kInit) {
    if (!id.empty()) std::printf("code key %s created; it seals new codes\n", id.c_str());
    if (const std::string& signing = reply->keys().checkpoint_key_id(); !signing.empty()) {
      std::printf(
          "checkpoint key %s created; it signs checkpoints of the log (give colleges its public half: "
          "`gradcap keys public --db DIR --out FILE`)\n",
          signing.c_str());
    }
  } else if (op == KeysOp::kRotate) {
    std::printf("code key %s created and now seals new codes; codes under older keys still verify\n", id.c_str());
  } else {
    std::printf("code key %s retired: codes sealed with it no longer verify\n", id.c_str());
  }
  return 0;
}

int Reconcile(AdminTarget& target, const std::string& college, bool close, const std::string& override_reason,
              bool json) {
  const char* what = close ? "close" : "reconcile";
  if (college.empty()) return Fail(what, absl::InvalidArgumentError("--college NAME is required"));
  v1::AdminRequest request;
  if (close) {
    request.mutable_close()->set_college(college);
    request.mutable_close()->set_override_reason(override_reason);
  } else {
    request.mutable_head_count()->set_college(college);
  }
  absl::StatusOr<v1::AdminReply> reply = target.Call(std::move(request));
  if (!reply.ok()) return Fail(what, reply.status());
  if (json) {
    std::printf("%s\n", ToJson(reply->head_count()).c_str());
  } else {
    std::printf("%s", FormatReconciliation(reply->head_count()).c_str());
    if (reply->has_checkpoint()) {
      std::printf("signed checkpoint of record %llu (key %s): `gradcap audit checkpoint export --db DIR --college %s "
                  "--out FILE` writes it for the college\n",
                  static_cast<unsigned long long>(reply->checkpoint().log_seq()), reply->checkpoint().key_id().c_str(),
                  college.c_str());
    }
  }
  if (!reply->warning().empty()) std::fprintf(stderr, "gradcap %s: %s\n", what, reply->warning().c_str());
  return 0;
}

int Student(AdminTarget& target, const std::string& student_no, bool json) {
  if (student_no.empty()) return Fail("student", absl::InvalidArgumentError("which STUDENT_NO?"));
  v1::AdminRequest request;
  request.mutable_student()->set_student_no(student_no);
  absl::StatusOr<v1::AdminReply> reply = target.Call(std::move(request));
  if (!reply.ok()) return Fail("student", reply.status());
  const v1::StudentReport& s = reply->student();
  if (json) {
    std::printf("%s\n", ToJson(s).c_str());
    return 0;
  }
  std::printf("学生 student %s %s (%s)%s\n", s.student_no().c_str(), s.masked_name().c_str(), s.college().c_str(),
              s.paid() ? "" : "  — 未缴费 not paid");
  std::printf("  状态 status: %s", s.status().c_str());
  if (s.shooting_no() != 0) std::printf(", number %u at booth %s", s.shooting_no(), s.booth().c_str());
  std::printf("\n");
  if (!s.verdict().empty()) {
    std::printf("  审核 verdict: %s%s (photo versions: %u)\n", s.verdict().c_str(),
                s.failed_checks().empty() ? "" : absl::StrCat(" — ", absl::StrJoin(s.failed_checks(), ", ")).c_str(),
                s.photo_versions());
  }
  return 0;
}

int Booth(AdminTarget& target, const std::string& booth, bool json) {
  if (booth.empty()) return Fail("booth", absl::InvalidArgumentError("which BOOTH?"));
  v1::AdminRequest request;
  request.mutable_booth()->set_booth(booth);
  absl::StatusOr<v1::AdminReply> reply = target.Call(std::move(request));
  if (!reply.ok()) return Fail("booth", reply.status());
  const v1::BoothReport& b = reply->booth();
  if (json) {
    std::printf("%s\n", ToJson(b).c_str());
    return 0;
  }
  std::printf("机位 booth %s: %u events committed (epoch %llu)%s\n", booth.c_str(),
              static_cast<unsigned>(b.committed_seq()), static_cast<unsigned long long>(b.epoch()),
              b.last_heard_ago_ms() < 0 ? "" : absl::StrCat(", last heard ", b.last_heard_ago_ms() / 1000, " s ago").c_str());
  std::printf("  排队 waiting: %d\n", b.state().queue_size());
  for (const v1::QueueEntry& e : b.state().queue()) {
    std::printf("    #%u %s%s\n", e.shooting_no(), e.masked_name().c_str(), e.state() == v1::QUEUE_TO_SIGN ? "  (to sign)" : "");
  }
  if (b.state().has_last_verdict()) {
    const v1::PhotoVerdict& v = b.state().last_verdict();
    std::printf("  last verdict: #%u %s %s\n", v.shooting_no(), v.masked_name().c_str(), CodeName(v.verdict()).c_str());
  }
  std::printf("  photos awaiting a verdict: %u\n", b.photos_awaiting_verdict());
  return 0;
}

int Status(AdminTarget& target, bool json) {
  v1::AdminRequest request;
  request.mutable_status();
  absl::StatusOr<v1::AdminReply> reply = target.Call(std::move(request));
  if (!reply.ok()) return Fail("status", reply.status());
  const v1::CoordinatorStatus& s = reply->status();
  if (json) {
    std::printf("%s\n", ToJson(s).c_str());
    return 0;
  }
  std::printf("%s: log at record %llu, %u photos awaiting a verdict, %u alerts\n", target.where().c_str(),
              static_cast<unsigned long long>(s.log_head()), s.photos_awaiting_verdict(), s.alerts());
  for (const v1::BoothProgressView& b : s.booths()) {
    std::printf("  booth %s: epoch %llu, %llu events\n", b.booth().c_str(), static_cast<unsigned long long>(b.epoch()),
                static_cast<unsigned long long>(b.committed_seq()));
  }
  return 0;
}

}  // namespace gradcap::cli
