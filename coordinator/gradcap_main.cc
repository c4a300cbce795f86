// gradcap: the administrator's command line. Subcommands:
//   gradcap audit verify --db DIR [--json]
#include <cstdio>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/key_files.h"
#include "common/sha256.h"
#include "coordinator/audit.h"

ABSL_FLAG(std::string, db, "", "The coordinator database directory.");
ABSL_FLAG(bool, json, false, "Print machine-readable JSON.");
ABSL_FLAG(std::string, keys, "", "Transport keys directory.");
ABSL_FLAG(std::string, booth, "", "Booth id.");
ABSL_FLAG(bool, replace, false, "Replace an existing booth key pair (the old key stops working).");

namespace {

constexpr char kUsage[] =
    "gradcap <command> ...\n"
    "  audit verify --db DIR [--json]   check the event log's hash chain and per-booth order;\n"
    "                                   exit 0 only when everything holds\n"
    "  transport-keys init --keys DIR   make the coordinator's CURVE key pair\n"
    "  transport-keys enroll --keys DIR --booth ID [--replace]\n"
    "                                   make and enrol a booth's key pair; copy\n"
    "                                   coordinator.public and booths/ID.secret to the booth\n";

int AuditVerify() {
  const std::string db = absl::GetFlag(FLAGS_db);
  if (db.empty()) {
    std::fprintf(stderr, "gradcap audit verify: --db DIR is required\n");
    return 2;
  }
  gradcap::v1::AuditReport report = gradcap::VerifyLog(db);
  if (absl::GetFlag(FLAGS_json)) {
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    options.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(report, &json, options);
    std::printf("%s\n", json.c_str());
  } else {
    std::printf("%s\n", gradcap::FormatAuditReport(report).c_str());
  }
  return report.ok() ? 0 : 1;
}

int TransportKeys(const std::string& verb) {
  const std::string dir = absl::GetFlag(FLAGS_keys);
  if (dir.empty()) {
    std::fprintf(stderr, "gradcap transport-keys: --keys DIR is required\n");
    return 2;
  }
  absl::Status done;
  if (verb == "init") {
    done = gradcap::InitTransportKeys(dir);
  } else {
    const std::string booth = absl::GetFlag(FLAGS_booth);
    if (booth.empty()) {
      std::fprintf(stderr, "gradcap transport-keys enroll: --booth ID is required\n");
      return 2;
    }
    done = gradcap::EnrollBooth(dir, booth, absl::GetFlag(FLAGS_replace));
  }
  if (!done.ok()) {
    std::fprintf(stderr, "gradcap transport-keys %s: %s\n", verb.c_str(), std::string(done.message()).c_str());
    return 1;
  }
  std::printf("ok\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (!gradcap::InitCrypto().ok()) return 1;
  std::vector<std::string> words(args.begin() + 1, args.end());
  if (words.size() == 2 && words[0] == "audit" && words[1] == "verify") return AuditVerify();
  if (words.size() == 2 && words[0] == "transport-keys" && (words[1] == "init" || words[1] == "enroll")) {
    return TransportKeys(words[1]);
  }
  std::fprintf(stderr, "%s", kUsage);
  if (!words.empty()) {
    std::string given;
    for (const auto& w : words) given += (given.empty() ? "" : " ") + w;
    std::fprintf(stderr, "gradcap: unknown command \"%s\"\n", given.c_str());
  }
  return 2;
}
