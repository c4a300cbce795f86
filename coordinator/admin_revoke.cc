// `revoke_key` on the admin socket: an enrolled CURVE key taken out while
// the coordinator runs. The AdminRecord naming who did it is on disk first;
// then the authenticator drops the key, so new handshakes fail and the
// sockets refuse what the key's open connections send (ERROR_KEY_REVOKED).
// The record keeps the key, so a restart leaves it out too.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/booth_id.h"
#include "common/status_macros.h"
#include "coordinator/admin_service.h"

namespace gradcap {
namespace {

struct KeyRole {
  const char* label;   // as the record's source names it
  const char* domain;  // the ZAP domain the key is enrolled in
};

absl::StatusOr<KeyRole> RoleOf(const v1::RevokeKeyRequest& request) {
  switch (request.role()) {
    case v1::RevokeKeyRequest::BOOTH:
      return KeyRole{"booth", kBoothZapDomain};
    case v1::RevokeKeyRequest::VALIDATOR:
      if (!absl::StartsWith(request.name(), "validator")) {
        return absl::InvalidArgumentError(
            absl::StrCat("validators are enrolled as validator*; \"", request.name(), "\" is not one"));
      }
      return KeyRole{"validator", kBoothZapDomain};
    case v1::RevokeKeyRequest::ADMIN:
      return KeyRole{"admin", kAdminZapDomain};
    default:
      return absl::InvalidArgumentError("revoke: say whose key — a booth, a validator or an admin");
  }
}

}  // namespace

absl::Status AdminService::RevokeKey(const v1::RevokeKeyRequest& request, const std::string& actor,
                                     const AdminContext& context, v1::AdminReply* reply) {
  absl::StatusOr<KeyRole> role = RoleOf(request);
  absl::Status bad = role.ok() ? CheckBoothId(request.name()) : role.status();
  if (bad.ok() && context.authenticator == nullptr) {
    bad = absl::FailedPreconditionError(
        "this coordinator runs without --keys, so no key lets anyone in: nothing to revoke (offline, "
        "`gradcap transport-keys revoke --keys DIR` edits the key files)");
  }
  std::optional<std::string> key;
  if (bad.ok()) {
    key = context.authenticator->PublicKeyOf(role->domain, request.name());
    if (!key.has_value()) {
      bad = context.authenticator->IsRevoked(role->domain, request.name())
                ? absl::FailedPreconditionError(
                      absl::StrCat(role->label, " ", request.name(), " is already revoked"))
                : absl::NotFoundError(absl::StrCat("no ", role->label, " named ", request.name(),
                                                   " is enrolled with this coordinator"));
    }
  }
  if (!bad.ok()) {
    SetAdminError(bad, reply);
    return absl::OkStatus();
  }
  v1::AdminRecord record;
  record.set_action(kKeyRevokedAction);
  record.set_source(absl::StrCat(role->label, ":", request.name()));
  record.set_detail(*key);
  record.set_actor(actor);
  v1::LogRecord staged;
  const uint64_t log_seq = log_->StageAdmin(record, &staged);
  day_->Apply(staged);
  GRADCAP_RETURN_IF_ERROR(context.commit());
  // On disk: now cut it off (the ingest thread reads nothing in between).
  (void)context.authenticator->Revoke(role->domain, request.name());
  reply->mutable_revoke_key()->set_log_seq(log_seq);
  reply->mutable_revoke_key()->set_public_key(*key);
  return absl::OkStatus();
}

}  // namespace gradcap
