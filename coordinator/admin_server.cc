#include "coordinator/admin_server.h"

#include "absl/strings/str_cat.h"
#include "common/codes.h"
#include "common/envelope.h"
#include "common/logging.h"
#include "common/status_macros.h"

namespace gradcap {
namespace {

constexpr char kComponent[] = "coordinator";
constexpr uint32_t kDefaultWaitMs = 30'000;

}  // namespace

AdminServer::AdminServer(AdminOptions options, AdminService* service, const Clock* clock)
    : options_(std::move(options)), service_(service), clock_(clock) {}

AdminServer::~AdminServer() = default;

absl::Status AdminServer::Bind() {
  SocketOptions socket_options;
  socket_options.max_message_bytes = static_cast<int64_t>(kMaxEnvelopeBytes) * 2 + 4096;
  if (options_.curve_keys.has_value()) {
    socket_options.curve_server = true;
    socket_options.curve_keys = *options_.curve_keys;
    socket_options.zap_domain = kAdminZapDomain;
  }
  GRADCAP_ASSIGN_OR_RETURN(socket_, MessageSocket::Create(SocketKind::kRouter, socket_options));
  return socket_->Bind(options_.endpoint);
}

std::string AdminServer::endpoint() const { return socket_ ? socket_->LastEndpoint() : ""; }

absl::Status AdminServer::ServeWaiting(const AdminContext& context) {
  while (true) {
    std::string sender, address;
    GRADCAP_ASSIGN_OR_RETURN(std::optional<Frames> frames, socket_->Receive(0, -1, &sender, &address));
    if (!frames.has_value()) return absl::OkStatus();
    if (options_.authenticator != nullptr && options_.authenticator->IsRevoked(kAdminZapDomain, sender)) {
      // Its connection was open before the revocation: answered, never served.
      LogWarning(kComponent, "admin request from revoked key \"", sender, "\" at ", address, " refused: ",
                 CodeName(v1::ERROR_KEY_REVOKED));
      v1::AdminReply reply;
      SetAdminError(absl::PermissionDeniedError(absl::StrCat("the key of \"", sender, "\" was revoked")), &reply);
      if (!frames->empty()) Send((*frames)[0], reply);
      continue;
    }
    if (frames->size() != 2) {
      v1::AdminReply reply;
      SetAdminError(absl::InvalidArgumentError(absl::StrCat("expected one frame per request, got ",
                                                            frames->empty() ? 0 : frames->size() - 1)),
                    &reply);
      if (!frames->empty()) Send((*frames)[0], reply);
      continue;
    }
    GRADCAP_RETURN_IF_ERROR(Serve((*frames)[0], sender, (*frames)[1], context));
  }
}

absl::Status AdminServer::Serve(const std::string& routing_id, const std::string& sender, const std::string& raw,
                                const AdminContext& context) {
  v1::AdminReply reply;
  ParsedEnvelope parsed = ParseEnvelope(raw, kMaxEnvelopeBytes);
  if (parsed.error.has_value()) {
    LogWarning(kComponent, "admin request refused: ", CodeName(parsed.error->code), ": ", parsed.error->detail);
    SetAdminError(absl::InvalidArgumentError(absl::StrCat(CodeName(parsed.error->code), ": ", parsed.error->detail)), &reply);
    Send(routing_id, reply);
    return absl::OkStatus();
  }
  if (!parsed.envelope->has_admin_request()) {
    SetAdminError(absl::InvalidArgumentError("the admin socket takes only AdminRequest messages"), &reply);
    Send(routing_id, reply);
    return absl::OkStatus();
  }
  const v1::AdminRequest& request = parsed.envelope->admin_request();
  // Under CURVE the enrolled key names the actor; a name the client adds
  // (the supervisor's logged-in user) comes after it, never instead of it.
  std::string actor = request.actor().empty() ? std::string("unnamed") : request.actor();
  if (options_.curve_keys.has_value()) {
    actor = request.actor().empty() || request.actor() == sender ? sender : absl::StrCat(sender, ":", request.actor());
  }
  if (request.has_wait()) {
    // Held until met or timed out (AnswerWaits).
    if (absl::Status bad = service_->CheckWait(request.wait()); !bad.ok()) {
      reply.set_request_id(request.request_id());
      SetAdminError(bad, &reply);
      Send(routing_id, reply);
      return absl::OkStatus();
    }
    v1::WaitRequest wait = request.wait();
    if (wait.timeout_ms() == 0) wait.set_timeout_ms(kDefaultWaitMs);
    waits_.push_back(PendingWait{routing_id, request.request_id(), wait,
                                 clock_->MonotonicMs() + static_cast<int64_t>(wait.timeout_ms())});
    return AnswerWaits(context);
  }
  absl::Status served = service_->Handle(request, actor, context, &reply);
  if (!served.ok()) {
    SetAdminError(absl::UnavailableError(absl::StrCat("the coordinator could not write its log: ", served.message())),
                  &reply);
    Send(routing_id, reply);
    return served;
  }
  if (reply.has_error()) {
    LogWarning(kComponent, "admin request from ", actor, " refused: ", reply.error().message());
  } else if (request.has_import() || request.has_close() || request.has_keys() || request.has_ack_alert()) {
    LogInfo(kComponent, "admin ", actor, ": ",
            request.has_import()    ? reply.import().detail()
            : request.has_keys()    ? absl::StrCat("code key ", reply.keys().key_id())
            : request.has_ack_alert() ? absl::StrCat("acknowledged alert ", request.ack_alert().id())
                                      : absl::StrCat("closed ", request.close().college()));
  } else if (request.has_checkpoint()) {
    LogInfo(kComponent, "admin ", actor, ": signed checkpoint of record ", reply.checkpoint().log_seq());
  } else if (request.has_unmask()) {
    LogInfo(kComponent, "admin ", actor, ": sees the plain name of ", request.unmask().student_no(),
            " (record ", reply.unmask().log_seq(), ")");
  }
  Send(routing_id, reply);
  return absl::OkStatus();
}

absl::Status AdminServer::AnswerWaits(const AdminContext& context) {
  if (waits_.empty()) return absl::OkStatus();
  const int64_t now = clock_->MonotonicMs();
  std::vector<PendingWait> still;
  bool committed = false;
  for (PendingWait& w : waits_) {
    const bool met = service_->WaitMet(w.wait);
    if (!met && now < w.deadline_ms) {
      still.push_back(std::move(w));
      continue;
    }
    // Verdicts counted in the state must be on disk before anyone is told.
    if (met && w.wait.verdicts() && !committed) {
      GRADCAP_RETURN_IF_ERROR(context.commit());
      committed = true;
    }
    v1::AdminReply reply;
    reply.set_request_id(w.request_id);
    service_->FillWait(w.wait, met, &reply);
    Send(w.routing_id, reply);
  }
  waits_ = std::move(still);
  return absl::OkStatus();
}

void AdminServer::Send(const std::string& routing_id, const v1::AdminReply& reply) {
  v1::Envelope envelope;
  *envelope.mutable_admin_reply() = reply;
  absl::Status sent = socket_->Send({routing_id, SerializeEnvelope(envelope)});
  if (!sent.ok()) LogInfo(kComponent, "admin reply dropped (the client went away): ", sent.message());
}

}  // namespace gradcap
