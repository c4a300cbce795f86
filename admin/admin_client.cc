#include "admin/admin_client.h"

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/envelope.h"
#include "common/event_log.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "coordinator/admin_service.h"
#include "coordinator/capture_day.h"
#include "registry/registry.h"

namespace gradcap {
namespace {

absl::StatusCode CodeNamed(const std::string& name) {
  for (int c = 0; c <= static_cast<int>(absl::StatusCode::kUnauthenticated); ++c) {
    if (absl::StatusCodeToString(static_cast<absl::StatusCode>(c)) == name) return static_cast<absl::StatusCode>(c);
  }
  return absl::StatusCode::kUnknown;
}

class RemoteAdmin final : public AdminTarget {
 public:
  RemoteAdmin(RemoteOptions options, std::unique_ptr<MessageSocket> socket)
      : options_(std::move(options)), socket_(std::move(socket)) {}
  std::string where() const override { return absl::StrCat("the coordinator at ", options_.endpoint); }

 protected:
  absl::StatusOr<v1::AdminReply> Exchange(const v1::AdminRequest& request) override {
    v1::Envelope envelope;
    *envelope.mutable_admin_request() = request;
    envelope.mutable_admin_request()->set_request_id(++last_id_);
    if (envelope.admin_request().actor().empty()) envelope.mutable_admin_request()->set_actor(options_.actor);
    GRADCAP_RETURN_IF_ERROR(socket_->Send({SerializeEnvelope(envelope)}));
    const int64_t budget = options_.timeout_ms + (request.has_wait() ? request.wait().timeout_ms() : 0);
    const int64_t deadline = SystemClock::Get()->MonotonicMs() + budget;
    while (true) {
      const int64_t left = deadline - SystemClock::Get()->MonotonicMs();
      if (left <= 0) break;
      GRADCAP_ASSIGN_OR_RETURN(std::optional<Frames> frames, socket_->Receive(static_cast<int>(left)));
      if (!frames.has_value()) continue;
      ParsedEnvelope parsed = ParseEnvelope(frames->back(), kMaxEnvelopeBytes);
      if (parsed.error.has_value() || !parsed.envelope->has_admin_reply()) {
        return absl::InternalError(absl::StrCat(where(), " sent something that is not an admin reply"));
      }
      if (parsed.envelope->admin_reply().request_id() != last_id_) continue;  // a late answer to an earlier call
      return parsed.envelope->admin_reply();
    }
    return absl::UnavailableError(absl::StrCat(
        "no answer from ", where(), " within ", budget / 1000, " s: is it running with --admin ", options_.endpoint,
        "?", options_.keys ? "" : " (a coordinator running with --keys answers only enrolled admins: give --keys DIR --as NAME)"));
  }

 private:
  RemoteOptions options_;
  std::unique_ptr<MessageSocket> socket_;
  uint64_t last_id_ = 0;
};

class LocalAdmin final : public AdminTarget {
 public:
  static absl::StatusOr<std::unique_ptr<AdminTarget>> Open(const std::string& db, const std::string& actor) {
    auto self = std::unique_ptr<LocalAdmin>(new LocalAdmin(db, actor));
    GRADCAP_ASSIGN_OR_RETURN(self->log_, EventLog::Open(db, SystemClock::Get()));
    self->registry_ = std::make_unique<Registry>(&self->log_->store());
    GRADCAP_RETURN_IF_ERROR(self->registry_->Load());
    self->day_ = std::make_unique<CaptureDay>(self->registry_.get());
    GRADCAP_RETURN_IF_ERROR(ReplayLog(*self->log_, self->day_.get()));
    self->service_ = std::make_unique<AdminService>(self->log_.get(), self->day_.get(), self->registry_.get(),
                                                    SystemClock::Get());
    return std::unique_ptr<AdminTarget>(std::move(self));
  }
  std::string where() const override { return absl::StrCat("the database ", db_); }

 protected:
  absl::StatusOr<v1::AdminReply> Exchange(const v1::AdminRequest& request) override {
    AdminContext context;
    context.commit = [this] { return log_->Commit(); };
    context.last_heard_ago_ms = [](const std::string&) -> int64_t { return -1; };
    v1::AdminReply reply;
    GRADCAP_RETURN_IF_ERROR(service_->Handle(request, actor_, context, &reply));
    return reply;
  }

 private:
  LocalAdmin(std::string db, std::string actor) : db_(std::move(db)), actor_(std::move(actor)) {}
  std::string db_, actor_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<CaptureDay> day_;
  std::unique_ptr<AdminService> service_;
};

}  // namespace

absl::StatusOr<v1::AdminReply> AdminTarget::Call(v1::AdminRequest request) {
  GRADCAP_ASSIGN_OR_RETURN(v1::AdminReply reply, Exchange(request));
  if (reply.has_error()) return absl::Status(CodeNamed(reply.error().code()), reply.error().message());
  return reply;
}

absl::StatusOr<std::unique_ptr<AdminTarget>> ConnectAdmin(const RemoteOptions& options) {
  SocketOptions socket_options;
  socket_options.max_message_bytes = static_cast<int64_t>(kMaxEnvelopeBytes) * 2 + 4096;
  socket_options.immediate = false;  // queue the request until the connection is up
  if (options.keys.has_value()) {
    socket_options.curve_keys = *options.keys;
    socket_options.curve_server_public_key = options.server_public_key;
  }
  GRADCAP_ASSIGN_OR_RETURN(std::unique_ptr<MessageSocket> socket,
                           MessageSocket::Create(SocketKind::kDealer, socket_options));
  GRADCAP_RETURN_IF_ERROR(socket->Connect(options.endpoint));
  return std::unique_ptr<AdminTarget>(new RemoteAdmin(options, std::move(socket)));
}

absl::StatusOr<std::unique_ptr<AdminTarget>> OpenLocalAdmin(const std::string& db, const std::string& actor,
                                                            bool create) {
  if (db.empty()) return absl::InvalidArgumentError("--db DIR (or --coordinator ENDPOINT) is required");
  if (!create && !std::filesystem::exists(std::filesystem::path(db) / "CURRENT")) {
    return absl::NotFoundError(absl::StrCat("there is no coordinator database in ", db,
                                            " (import a roster first, or check the path)"));
  }
  absl::StatusOr<std::unique_ptr<AdminTarget>> local = LocalAdmin::Open(db, actor);
  // RocksDB's LOCK file held by another process; not a LOCK file this user
  // may not open (a read-only copy, which RocksDB reaches first now that its
  // own LOG file is not written into the folder).
  if (!local.ok() && absl::StrContains(local.status().message(), "lock") &&
      !absl::StrContains(local.status().message(), "Permission denied")) {
    return absl::FailedPreconditionError(
        absl::StrCat("the database ", db, " is held by a running coordinator: ask it through its admin socket "
                     "(--coordinator ENDPOINT, the coordinator's --admin endpoint)"));
  }
  return local;
}

std::optional<std::string> AdvertisedAdminEndpoint(const std::string& db) {
  absl::StatusOr<std::string> text = ReadWholeFile((std::filesystem::path(db) / "ADMIN_ENDPOINT").string());
  if (!text.ok()) return std::nullopt;
  std::string endpoint(absl::StripAsciiWhitespace(*text));
  if (endpoint.empty()) return std::nullopt;
  return endpoint;
}

}  // namespace gradcap
