#include "coordinator/admin_service.h"

#include "absl/strings/str_cat.h"
#include "audit/checkpoint.h"
#include "common/codes.h"
#include "common/logging.h"
#include "common/log_format.h"
#include "common/masking.h"
#include "common/status_macros.h"
#include "coordinator/reconciliation.h"
#include "registry/registry_import.h"

namespace gradcap {
namespace {

constexpr char kComponent[] = "coordinator";

}  // namespace

const char* StudentStatusName(CaptureDay::Status status) {
  switch (status) {
    case CaptureDay::Status::kNotSeen:
      return "not_seen";
    case CaptureDay::Status::kWaiting:
      return "waiting";
    case CaptureDay::Status::kPhotographed:
      return "photographed";
    case CaptureDay::Status::kAbsent:
      return "absent";
  }
  return "not_seen";
}

v1::StudentReport StudentReportOf(const CaptureDay& day, const Registry& registry,
                                  const v1::Student& student) {
  const CaptureDay::StudentState state = day.StateOf(student.student_no());
  v1::StudentReport out;
  out.set_student_no(student.student_no());
  out.set_masked_name(MaskName(student.name()));
  out.set_college(student.college());
  out.set_status(StudentStatusName(state.status));
  out.set_booth(state.booth);
  out.set_shooting_no(state.shooting_no);
  if (state.status == CaptureDay::Status::kPhotographed) out.set_verdict(CodeName(state.verdict));
  for (const std::string& id : state.failed_checks) out.add_failed_checks(id);
  out.set_photo_versions(state.photo_versions);
  out.set_paid(registry.PaidFen(student.student_no()) >= registry.amount_due_fen());
  out.set_last_log_seq(state.last_log_seq);
  return out;
}

v1::BoothReport BoothReportOf(const CaptureDay& day, const std::string& booth, const SeqProgress& progress,
                              int64_t last_heard_ago_ms) {
  v1::BoothReport out;
  day.DescribeBooth(booth, out.mutable_state());
  out.set_epoch(progress.epoch);
  out.set_committed_seq(progress.last_seq);
  out.set_last_heard_ago_ms(last_heard_ago_ms);
  uint32_t awaiting = 0;
  for (const PendingPhoto& p : day.PhotosAwaitingVerdict()) awaiting += p.booth == booth;
  out.set_photos_awaiting_verdict(awaiting);
  return out;
}

void SetAdminError(const absl::Status& status, v1::AdminReply* reply) {
  reply->clear_body();
  reply->mutable_error()->set_code(absl::StatusCodeToString(status.code()));
  reply->mutable_error()->set_message(std::string(status.message()));
}

AdminService::AdminService(EventLog* log, CaptureDay* day, Registry* registry, const Clock* clock)
    : log_(log), day_(day), registry_(registry), clock_(clock) {}

absl::Status AdminService::Handle(const v1::AdminRequest& request, const std::string& actor,
                                  const AdminContext& context, v1::AdminReply* reply) {
  reply->set_request_id(request.request_id());
  switch (request.body_case()) {
    case v1::AdminRequest::kImport:
      return Import(request.import(), actor, context, reply);
    case v1::AdminRequest::kClose:
      return Close(request.close(), actor, context, reply);
    case v1::AdminRequest::kKeys:
      return Keys(request.keys(), actor, context, reply);
    case v1::AdminRequest::kCheckpoint:
      return Checkpoint(actor, context, reply);
    case v1::AdminRequest::kUnmask:
      return Unmask(request.unmask(), actor, context, reply);
    case v1::AdminRequest::kRevokeKey:
      return RevokeKey(request.revoke_key(), actor, context, reply);
    case v1::AdminRequest::kHeadCount: {
      GRADCAP_RETURN_IF_ERROR(context.commit());
      absl::StatusOr<v1::Reconciliation> r = Reconcile(*day_, *registry_, request.head_count().college());
      if (r.ok()) {
        *reply->mutable_head_count() = std::move(*r);
      } else {
        SetAdminError(r.status(), reply);
      }
      return absl::OkStatus();
    }
    case v1::AdminRequest::kStudent:
      GRADCAP_RETURN_IF_ERROR(context.commit());
      DescribeStudent(request.student().student_no(), reply);
      return absl::OkStatus();
    case v1::AdminRequest::kBooth:
      GRADCAP_RETURN_IF_ERROR(context.commit());
      DescribeBooth(request.booth().booth(), context, reply);
      return absl::OkStatus();
    case v1::AdminRequest::kStatus:
      GRADCAP_RETURN_IF_ERROR(context.commit());
      DescribeCoordinator(reply);
      return absl::OkStatus();
    case v1::AdminRequest::kAckAlert:
      return AckAlert(request.ack_alert(), actor, context, reply);
    case v1::AdminRequest::kPhoto: {
      absl::StatusOr<std::optional<std::string>> jpeg = log_->store().Get(kPhotosColumn, request.photo().photo_sha256());
      if (!jpeg.ok()) {
        SetAdminError(jpeg.status(), reply);
      } else if (!jpeg->has_value()) {
        SetAdminError(absl::NotFoundError("no photo with that SHA-256 in the log"), reply);
      } else {
        reply->set_photo_jpeg(std::move(**jpeg));
      }
      return absl::OkStatus();
    }
    case v1::AdminRequest::kWait:
      if (absl::Status bad = CheckWait(request.wait()); !bad.ok()) {
        SetAdminError(bad, reply);
        return absl::OkStatus();
      }
      FillWait(request.wait(), WaitMet(request.wait()), reply);
      return absl::OkStatus();
    case v1::AdminRequest::BODY_NOT_SET:
      break;
  }
  SetAdminError(absl::InvalidArgumentError("an admin request with no body, or of a kind this coordinator does not know"),
                reply);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> AdminService::ApplyChange(RegistryChange& change, const std::string& actor,
                                                   const AdminContext& context) {
  // All of it commits in one synced batch with its record; scans decided
  // after this see it (the registry reloads before the next message).
  change.AddTo(log_->staged_batch());
  change.record.set_actor(actor);
  v1::LogRecord staged;
  const uint64_t log_seq = log_->StageAdmin(change.record, &staged);
  day_->Apply(staged);
  GRADCAP_RETURN_IF_ERROR(context.commit());
  if (absl::Status loaded = registry_->Load(); !loaded.ok()) {
    LogError(kComponent, "reloading the registry after ", change.record.action(), ": ", loaded.ToString());
  }
  return log_seq;
}

absl::Status AdminService::Keys(const v1::KeysRequest& keys, const std::string& actor, const AdminContext& context,
                                v1::AdminReply* reply) {
  const int64_t now = clock_->NowMs();
  absl::StatusOr<RegistryChange> change =
      keys.op() == v1::KeysRequest::INIT     ? PlanKeysInit(log_->store(), now)
      : keys.op() == v1::KeysRequest::ROTATE ? PlanKeysRotate(log_->store(), now)
      : keys.op() == v1::KeysRequest::RETIRE ? PlanKeysRetire(log_->store(), keys.key_id())
                                             : absl::InvalidArgumentError("keys: say init, rotate or retire");
  if (!change.ok()) {
    SetAdminError(change.status(), reply);
    return absl::OkStatus();
  }
  GRADCAP_ASSIGN_OR_RETURN(const uint64_t log_seq, ApplyChange(*change, actor, context));
  reply->mutable_keys()->set_key_id(change->summary.detail);
  reply->mutable_keys()->set_checkpoint_key_id(change->made_checkpoint_key);
  reply->mutable_keys()->set_log_seq(log_seq);
  return absl::OkStatus();
}

absl::Status AdminService::Import(const v1::ImportRequest& request, const std::string& actor,
                                 const AdminContext& context, v1::AdminReply* reply) {
  const ImportSource source{request.file_name().empty() ? std::string("(unnamed file)") : request.file_name(),
                            request.content(), request.base_dir()};
  absl::StatusOr<RegistryChange> change;
  switch (request.kind()) {
    case v1::ImportRequest::ROSTER:
      change = PlanRosterImport(log_->store(), source);
      break;
    case v1::ImportRequest::PAYMENTS:
      change = PlanPaymentsImport(log_->store(), source,
                                  request.amount_due_fen() > 0 ? std::optional<int64_t>(request.amount_due_fen())
                                                               : std::nullopt);
      break;
    case v1::ImportRequest::SCHEDULE:
      change = PlanScheduleImport(log_->store(), source,
                                  request.timezone().empty() ? std::string("Asia/Shanghai") : request.timezone());
      break;
    case v1::ImportRequest::EXTERNAL_CODES:
      change = PlanExternalCodesImport(log_->store(), source);
      break;
    default:
      change = absl::InvalidArgumentError("import: say which kind (roster, payments, schedule, external codes)");
  }
  if (!change.ok()) {
    SetAdminError(change.status(), reply);
    return absl::OkStatus();
  }
  GRADCAP_ASSIGN_OR_RETURN(const uint64_t log_seq, ApplyChange(*change, actor, context));
  v1::ImportReply* out = reply->mutable_import();
  out->set_encoding(change->summary.encoding);
  out->set_rows(change->summary.rows);
  out->set_detail(change->summary.detail);
  out->set_log_seq(log_seq);
  return absl::OkStatus();
}

absl::Status AdminService::AckAlert(const v1::AckAlertRequest& request, const std::string& actor,
                                    const AdminContext& context, v1::AdminReply* reply) {
  const CaptureDay::AlertEntry* alert = day_->FindAlert(request.id());
  if (alert == nullptr) {
    SetAdminError(absl::NotFoundError(absl::StrCat("no alert \"", request.id(), "\"")), reply);
    return absl::OkStatus();
  }
  if (alert->acknowledged) {
    *reply->mutable_alert() = CaptureDay::ToLiveAlert(*alert);  // already: the first one stands
    return absl::OkStatus();
  }
  v1::AdminRecord record;
  record.set_action(kAlertAckAction);
  record.set_source(request.id());
  record.set_detail(request.note());
  record.set_actor(actor);
  v1::LogRecord staged;
  log_->StageAdmin(record, &staged);
  day_->Apply(staged);
  GRADCAP_RETURN_IF_ERROR(context.commit());
  *reply->mutable_alert() = CaptureDay::ToLiveAlert(*day_->FindAlert(request.id()));
  return absl::OkStatus();
}

absl::Status AdminService::Close(const v1::CloseRequest& request, const std::string& actor,
                                const AdminContext& context, v1::AdminReply* reply) {
  GRADCAP_RETURN_IF_ERROR(context.commit());
  absl::StatusOr<v1::AdminRecord> record = PlanClose(*day_, *registry_, request.college(), request.override_reason());
  if (!record.ok()) {
    SetAdminError(record.status(), reply);
    return absl::OkStatus();
  }
  record->set_actor(actor);
  v1::LogRecord staged;
  log_->StageAdmin(*record, &staged);
  day_->Apply(staged);
  // The head count the college signs is covered by a signed checkpoint in the
  // same commit, so a college holding it can prove the log unchanged since.
  if (const std::optional<v1::CheckpointKey>& key = registry_->checkpoint_key()) {
    absl::StatusOr<v1::Checkpoint> checkpoint = StageCheckpointOfHead(
        *log_, *key, clock_->NowMs(), {v1::CHECKPOINT_COLLEGE_CLOSE, request.college(), actor}, &staged);
    if (checkpoint.ok()) {
      day_->Apply(staged);
      *reply->mutable_checkpoint() = *checkpoint;
    }
  } else {
    reply->set_warning(
        "this database has no checkpoint key, so the close is not signed: `gradcap keys init` makes one");
  }
  GRADCAP_RETURN_IF_ERROR(context.commit());
  *reply->mutable_head_count() = record->head_count();
  return absl::OkStatus();
}

absl::Status AdminService::Checkpoint(const std::string& actor, const AdminContext& context,
                                      v1::AdminReply* reply) {
  const std::optional<v1::CheckpointKey>& key = registry_->checkpoint_key();
  if (!key.has_value()) {
    SetAdminError(
        absl::FailedPreconditionError("this database has no checkpoint key: run `gradcap keys init` first"),
        reply);
    return absl::OkStatus();
  }
  GRADCAP_RETURN_IF_ERROR(context.commit());
  v1::LogRecord staged;
  absl::StatusOr<v1::Checkpoint> checkpoint =
      StageCheckpointOfHead(*log_, *key, clock_->NowMs(), {v1::CHECKPOINT_DAY_END, "", actor}, &staged);
  if (!checkpoint.ok()) {
    SetAdminError(checkpoint.status(), reply);
    return absl::OkStatus();
  }
  day_->Apply(staged);
  GRADCAP_RETURN_IF_ERROR(context.commit());
  *reply->mutable_checkpoint() = *checkpoint;
  return absl::OkStatus();
}

absl::Status AdminService::Unmask(const v1::UnmaskRequest& request, const std::string& actor,
                                  const AdminContext& context, v1::AdminReply* reply) {
  if (!registry_->FindStudent(request.student_no()).has_value()) {
    SetAdminError(
        absl::NotFoundError(absl::StrCat("student ", request.student_no(), " is not in the roster")), reply);
    return absl::OkStatus();
  }
  // Logged before anything is shown: who looked at whose plain name, and why.
  v1::AdminRecord record;
  record.set_action("pii_unmasked");
  record.set_source(request.student_no());
  record.set_actor(actor);
  record.set_detail(absl::StrCat(actor, " sees the plain name and ID number of ", request.student_no(),
                                 request.purpose().empty() ? "" : absl::StrCat(": ", request.purpose())));
  v1::LogRecord staged;
  const uint64_t log_seq = log_->StageAdmin(record, &staged);
  day_->Apply(staged);
  GRADCAP_RETURN_IF_ERROR(context.commit());
  reply->mutable_unmask()->set_log_seq(log_seq);
  return absl::OkStatus();
}

void AdminService::DescribeStudent(const std::string& student_no, v1::AdminReply* reply) const {
  std::optional<v1::Student> student = registry_->FindStudent(student_no);
  if (!student.has_value()) {
    SetAdminError(absl::NotFoundError(absl::StrCat("student ", student_no, " is not in the roster")), reply);
    return;
  }
  *reply->mutable_student() = StudentReportOf(*day_, *registry_, *student);
}

void AdminService::DescribeBooth(const std::string& booth, const AdminContext& context,
                                v1::AdminReply* reply) const {
  *reply->mutable_booth() =
      BoothReportOf(*day_, booth, log_->CommittedProgress(booth), context.last_heard_ago_ms(booth));
}

void AdminService::DescribeCoordinator(v1::AdminReply* reply) const {
  v1::CoordinatorStatus* out = reply->mutable_status();
  out->set_log_head(log_->last_log_seq());
  for (const auto& [booth, progress] : log_->CommittedBooths()) {
    v1::BoothProgressView* b = out->add_booths();
    b->set_booth(booth);
    b->set_epoch(progress.epoch);
    b->set_committed_seq(progress.last_seq);
  }
  out->set_photos_awaiting_verdict(day_->photos_awaiting_verdict());
  out->set_alerts(day_->alerts().size());
}

absl::Status AdminService::CheckWait(const v1::WaitRequest& wait) const {
  if (wait.timeout_ms() > kMaxAdminWaitMs) {
    return absl::InvalidArgumentError(absl::StrCat("wait: timeout_ms ", wait.timeout_ms(), " is over ", kMaxAdminWaitMs));
  }
  if (wait.booth().empty() != (wait.seq() == 0) || (wait.booth().empty() && !wait.verdicts())) {
    return absl::InvalidArgumentError("wait: give a booth and a seq, or verdicts, or both");
  }
  return absl::OkStatus();
}

bool AdminService::WaitMet(const v1::WaitRequest& wait) const {
  if (!wait.booth().empty() && log_->CommittedProgress(wait.booth()).last_seq < wait.seq()) return false;
  if (wait.verdicts() && day_->photos_awaiting_verdict() > 0) return false;
  return true;
}

void AdminService::FillWait(const v1::WaitRequest& wait, bool reached, v1::AdminReply* reply) const {
  v1::WaitReply* out = reply->mutable_wait();
  out->set_reached(reached);
  if (!wait.booth().empty()) out->set_committed_seq(log_->CommittedProgress(wait.booth()).last_seq);
  out->set_photos_awaiting_verdict(day_->photos_awaiting_verdict());
  out->set_log_head(log_->last_log_seq());
}

}  // namespace gradcap
