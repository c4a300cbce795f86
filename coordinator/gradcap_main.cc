// gradcap: the administrator's command line. Subcommands:
//   gradcap audit verify --db DIR [--json]
#include <cstdio>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/sha256.h"
#include "coordinator/audit.h"

ABSL_FLAG(std::string, db, "", "The coordinator database directory.");
ABSL_FLAG(bool, json, false, "Print machine-readable JSON.");

namespace {

constexpr char kUsage[] =
    "gradcap <command> ...\n"
    "  audit verify --db DIR [--json]   check the event log's hash chain and per-booth order;\n"
    "                                   exit 0 only when everything holds\n";

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

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (!gradcap::InitCrypto().ok()) return 1;
  std::vector<std::string> words(args.begin() + 1, args.end());
  if (words.size() == 2 && words[0] == "audit" && words[1] == "verify") return AuditVerify();
  std::fprintf(stderr, "%s", kUsage);
  if (!words.empty()) {
    std::string given;
    for (const auto& w : words) given += (given.empty() ? "" : " ") + w;
    std::fprintf(stderr, "gradcap: unknown command \"%s\"\n", given.c_str());
  }
  return 2;
}
