// `gradcap codes issue|inspect`: collection codes from the database, read-only
// (safe beside a running coordinator).
#include "admin/cli_commands.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/codes.h"
#include "common/collection_code.h"
#include "common/json_text.h"
#include "common/masking.h"
#include "common/qr_code.h"
#include "common/status_macros.h"
#include "common/event_log.h"
#include "common/log_format.h"
#include "registry/registry.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

namespace gradcap::cli {
namespace {

namespace fs = std::filesystem;

int Fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "gradcap %s: %s\n", what.c_str(), std::string(status.message()).c_str());
  return 1;
}

std::string Csv(const std::string& field) {
  if (field.find_first_of(",\"\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string Time(int64_t ms) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Asia/Shanghai", &zone)) zone = absl::FixedTimeZone(8 * 3600);
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", absl::FromUnixMillis(ms), zone);
}

}  // namespace

std::string ToJson(const google::protobuf::Message& message) {
  // Serialized deterministically first, so maps print in key order: the same
  // report gives the same bytes every time.
  std::string binary;
  {
    google::protobuf::io::StringOutputStream stream(&binary);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  static constexpr char kUrlPrefix[] = "type.googleapis.com";
  static google::protobuf::util::TypeResolver* const resolver = google::protobuf::util::NewTypeResolverForDescriptorPool(
      kUrlPrefix, google::protobuf::DescriptorPool::generated_pool());
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::BinaryToJsonString(
      resolver, absl::StrCat(kUrlPrefix, "/", message.GetDescriptor()->full_name()), binary, &json, options);
  return json;
}

int CodesIssue(const std::string& db, const std::string& out_dir, const std::string& college, int valid_days) {
  if (out_dir.empty()) return Fail("codes issue", absl::InvalidArgumentError("--out DIR is required"));
  if (valid_days <= 0) return Fail("codes issue", absl::InvalidArgumentError("--valid_days must be at least 1"));
  if (db.empty()) return Fail("codes issue", absl::InvalidArgumentError("--db DIR is required"));
  // Read-only: codes can be issued beside a running coordinator.
  auto log = EventLog::OpenReadOnly(db);
  if (!log.ok()) return Fail("codes issue", log.status());
  Registry registry(&(*log)->store());
  if (absl::Status s = registry.Load(); !s.ok()) return Fail("codes issue", s);
  auto current = (*log)->store().Get(kMetaColumn, kCurrentCodeKey);
  if (!current.ok() || !current->has_value()) {
    return Fail("codes issue", absl::FailedPreconditionError("no code key: run `gradcap keys init --db DIR` first"));
  }
  std::optional<v1::CodeKey> key = registry.CodeKey(**current);
  if (!key.has_value()) return Fail("codes issue", absl::DataLossError("the current code key is missing"));
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Fail("codes issue", absl::UnavailableError(absl::StrCat("cannot create ", out_dir, ": ", ec.message())));
  const int64_t now = SystemClock::Get()->NowMs();
  const int64_t expires = now + int64_t{valid_days} * 86'400'000;
  std::ofstream index(fs::path(out_dir) / "codes.csv", std::ios::trunc);
  index << "student_no,masked_name,college,file,key_id,expires_at,payload\n";
  size_t issued = 0;
  auto cursor = (*log)->store().NewCursor(kStudentsColumn);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    v1::Student s;
    if (!s.ParseFromArray(cursor->value().data(), static_cast<int>(cursor->value().size()))) continue;
    if (!college.empty() && s.college() != college) continue;
    v1::CodeBody body;
    body.set_student_no(s.student_no());
    body.set_college(s.college());
    body.set_cohort(s.cohort());
    body.set_issued_at_ms(now);
    body.set_expires_at_ms(expires);
    const std::string payload = SealCode(body, *key);
    if (payload.empty()) {
      return Fail("codes issue", absl::InvalidArgumentError(absl::StrCat(
                                     "student ", s.student_no(), ": a roster field is over 127 bytes, too long for a code")));
    }
    auto png = RenderCodeScreenPng(payload, MaskIdNo(s.id_no()));
    if (!png.ok()) return Fail("codes issue", png.status());
    const std::string file = s.student_no() + ".png";
    std::ofstream(fs::path(out_dir) / file, std::ios::binary | std::ios::trunc) << *png;
    index << Csv(s.student_no()) << "," << Csv(MaskName(s.name())) << "," << Csv(s.college()) << "," << file << ","
          << key->key_id() << "," << Time(expires) << "," << payload << "\n";
    ++issued;
  }
  if (!index.flush()) return Fail("codes issue", absl::UnavailableError("cannot write codes.csv"));
  if (issued == 0) {
    return Fail("codes issue", absl::NotFoundError(college.empty() ? "the roster is empty"
                                                                   : absl::StrCat("no students in college ", college)));
  }
  std::printf("issued %zu codes under key %s, valid until %s, into %s (index: codes.csv)\n", issued,
              key->key_id().c_str(), Time(expires).c_str(), out_dir.c_str());
  return 0;
}

int CodesInspect(const std::string& db, const std::string& payload, bool json) {
  if (db.empty()) return Fail("codes inspect", absl::InvalidArgumentError("--db DIR is required"));
  auto store = KvStore::Open(db, LogColumns(), OpenMode::kReadOnly);
  if (!store.ok()) return Fail("codes inspect", store.status());
  Registry registry(store->get());
  if (absl::Status s = registry.Load(); !s.ok()) return Fail("codes inspect", s);
  const int64_t now = SystemClock::Get()->NowMs();
  std::string student_no, detail, key_id, kind = "gradcap";
  v1::Reason reason = v1::REASON_NONE;
  std::optional<v1::CodeBody> body;
  if (LooksLikeGradcapCode(payload)) {
    CodeCheck check = CheckCode(payload, [&](const std::string& id) { return registry.CodeKey(id); }, now);
    reason = check.reason;
    detail = check.detail;
    key_id = check.key_id;
    body = check.body;
    if (body.has_value()) student_no = body->student_no();
  } else if (std::optional<std::string> owner = registry.ExternalCode(payload)) {
    kind = "external";
    student_no = *owner;
  } else {
    kind = "unknown";
    reason = v1::REASON_UNKNOWN_CODE;
    detail = "neither a gradcap code nor an imported external code";
  }
  std::optional<v1::Student> student = student_no.empty() ? std::nullopt : registry.FindStudent(student_no);
  if (json) {
    std::printf("%s\n",
                absl::StrCat("{\"valid\":", reason == v1::REASON_NONE ? "true" : "false", ",\"kind\":", JsonQuote(kind),
                             ",\"reason\":", JsonQuote(reason == v1::REASON_NONE ? "" : CodeName(reason)), ",\"key_id\":", JsonQuote(key_id),
                             ",\"student_no\":", JsonQuote(student_no), ",\"in_roster\":", student ? "true" : "false",
                             ",\"college\":", JsonQuote(body ? body->college() : ""),
                             ",\"cohort\":", JsonQuote(body ? body->cohort() : ""),
                             ",\"issued_at\":", JsonQuote(body ? Time(body->issued_at_ms()) : ""),
                             ",\"expires_at\":", JsonQuote(body ? Time(body->expires_at_ms()) : ""), "}")
                    .c_str());
  } else {
    std::printf("%s code%s%s\n", kind.c_str(), key_id.empty() ? "" : " under key ", key_id.c_str());
    if (!student_no.empty()) {
      std::printf("student  %s%s\n", student_no.c_str(),
                  student ? absl::StrCat(" (", MaskName(student->name()), ", ", student->college(), ")").c_str()
                          : " (not in the roster)");
    }
    if (body) {
      std::printf("college  %s, cohort %s\nissued   %s\nexpires  %s\n", body->college().c_str(),
                  body->cohort().c_str(), Time(body->issued_at_ms()).c_str(), Time(body->expires_at_ms()).c_str());
    }
    std::printf("%s\n", reason == v1::REASON_NONE ? "valid"
                                                  : absl::StrCat("NOT VALID: ", CodeName(reason), ": ", detail).c_str());
  }
  return reason == v1::REASON_NONE ? 0 : 1;
}

}  // namespace gradcap::cli
