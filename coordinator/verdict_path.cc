#include "coordinator/verdict_path.h"

#include "absl/strings/str_cat.h"
#include "common/codes.h"
#include "common/logging.h"

namespace gradcap {
namespace {

constexpr char kComponent[] = "coordinator";

}  // namespace

VerdictPath::VerdictPath(EventLog* log, EventApplier* applier, RefusalRecorder* refusals, IngestStats* stats)
    : log_(log), applier_(applier), refusals_(refusals), stats_(stats) {}

void VerdictPath::Attach(ValidatorBroker* broker, const BoothProtocol* booths, std::vector<Reply>* replies) {
  broker_ = broker;
  booths_ = booths;
  for (PendingPhoto& p : applier_->PhotosAwaitingVerdict()) Await(std::move(p), replies);
}

void VerdictPath::Await(PendingPhoto photo, std::vector<Reply>* replies) {
  if (broker_ == nullptr) return;
  if (const v1::ValidationResult* known = applier_->KnownResult(photo.sha256)) {
    StageVerdict(photo, *known, replies);  // the same bytes were checked already
    return;
  }
  std::vector<PendingPhoto>& waiting = awaiting_[photo.sha256];
  photo.enrolment_photo = applier_->EnrolmentPhoto(photo.student_no);
  if (waiting.empty()) broker_->Submit(photo.sha256, photo.log_seq, photo.enrolment_photo);
  waiting.push_back(std::move(photo));
}

void VerdictPath::StageResults(std::vector<Reply>* replies) {
  if (broker_ == nullptr) return;
  for (const BrokerRefusal& r : broker_->TakeRefusals()) {
    ++stats_->rejected;
    // Validators are enrolled machines: counted by who they are, address included.
    refusals_->Refuse(RefusedPeer{"validator", r.peer, r.address}, absl::StrCat(r.peer, "@", r.address), r.code,
                      [&] { return r.detail; }, r.raw, nullptr);
  }
  for (v1::ValidationResult& result : broker_->TakeResults()) {
    auto it = awaiting_.find(result.photo_sha256());
    if (it == awaiting_.end()) continue;  // already recorded
    std::vector<PendingPhoto> photos = std::move(it->second);
    awaiting_.erase(it);
    for (const PendingPhoto& p : photos) StageVerdict(p, result, replies);
  }
}

void VerdictPath::StageVerdict(const PendingPhoto& p, const v1::ValidationResult& result,
                               std::vector<Reply>* replies) {
  v1::ValidationRecord record;
  *record.mutable_result() = result;
  record.set_photo_log_seq(p.log_seq);
  record.set_booth(p.booth);
  record.set_shooting_no(p.shooting_no);
  record.set_student_no(p.student_no);
  applier_->DecideVerdictAlerts(&record);
  for (const v1::Alert& a : record.alerts()) LogWarning(kComponent, "alert ", CodeName(a.kind()), ": ", a.detail());
  v1::LogRecord staged;
  const uint64_t log_seq = log_->StageValidation(record, &staged);
  applier_->Apply(staged);
  ++stats_->verdicts;
  // A verdict about a photo since replaced changes nothing the booth sees.
  std::optional<v1::PhotoVerdict> shown = applier_->LastVerdict(p.booth);
  if (!shown.has_value() || shown->log_seq() != log_seq) return;
  const std::string routing = booths_ != nullptr ? booths_->RoutingOf(p.booth) : std::string();
  if (routing.empty()) return;
  Reply reply{routing, {}, false, std::nullopt};
  *reply.envelope.mutable_verdict() = std::move(*shown);
  replies->push_back(std::move(reply));
}

}  // namespace gradcap
