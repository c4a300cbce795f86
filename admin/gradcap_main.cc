// gradcap: the administrator's command line (see kUsage).
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/key_files.h"
#include "common/sha256.h"
#include "audit/audit.h"
#include "admin/cli_registry.h"
#include "drill/drill.h"

ABSL_FLAG(std::string, db, "", "The coordinator database directory.");
ABSL_FLAG(bool, json, false, "Print machine-readable JSON.");
ABSL_FLAG(std::string, keys, "", "Transport keys directory.");
ABSL_FLAG(std::string, booth, "", "Booth id.");
ABSL_FLAG(bool, replace, false, "Replace an existing booth key pair (the old key stops working).");
ABSL_FLAG(std::string, out, "", "Output directory.");
ABSL_FLAG(std::string, college, "", "Only this college.");
ABSL_FLAG(int, valid_days, 60, "Days an issued collection code stays valid.");
ABSL_FLAG(std::string, amount_due, "", "Amount each student must pay, in 元 (default 15; remembered).");
ABSL_FLAG(std::string, timezone, "Asia/Shanghai", "Time zone of the schedule's local times.");
ABSL_FLAG(std::string, key, "", "Code key id (k1, k2, ...).");
ABSL_FLAG(std::string, override, "", "close: close although students still wait; the reason is logged.");

namespace {

constexpr char kUsage[] =
    "gradcap <command> ...\n"
    "  audit verify --db DIR [--json]   check the event log's hash chain and per-booth order;\n"
    "                                   exit 0 only when everything holds\n"
    "  roster import --db DIR FILE.csv    students (学号,姓名,身份证号,学院,班级,层次,年级[,学籍照片])\n"
    "  payments import --db DIR FILE.csv [--amount_due 15]   (学号,金额,缴费时间,交易号)\n"
    "  schedule import --db DIR FILE.csv [--timezone Asia/Shanghai]   (学院,机位,开始,结束,签名)\n"
    "  keys init|rotate --db DIR         make the (next) collection-code sealing key\n"
    "  keys retire --db DIR --key ID     codes sealed with ID stop verifying\n"
    "  codes issue --db DIR --out DIR [--college NAME] [--valid_days 60]\n"
    "                                   one phone-screen QR PNG per student, plus codes.csv\n"
    "  codes inspect --db DIR PAYLOAD [--json]   what a scanned payload holds, or why it fails\n"
    "  codes import --db DIR FILE.csv    external (学信网) codes: code,student_no (采集码,学号)\n"
    "  reconcile --db DIR --college NAME [--json]   the head count so far\n"
    "  close --db DIR --college NAME [--override REASON] [--json]\n"
    "                                   sign-off head count; refused while students wait\n"
    "  drill FILE.json [--json] [--db DIR]   a scripted capture day with real processes (README)\n"
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
    std::printf("%s\n", gradcap::cli::ToJson(report).c_str());
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
  namespace cli = gradcap::cli;
  const std::string db = absl::GetFlag(FLAGS_db);
  auto arg = [&words](size_t i) { return words.size() > i ? words[i] : std::string(); };
  const std::string command = words.size() >= 2 ? words[0] + " " + words[1] : "";
  const size_t expected_args = command == "roster import" || command == "payments import" ||
                                       command == "schedule import" || command == "codes import" ||
                                       command == "codes inspect"
                                   ? 3
                                   : 2;
  if (!command.empty() && words.size() > expected_args) {
    std::fprintf(stderr, "gradcap %s: unexpected argument \"%s\"\n", command.c_str(), words[expected_args].c_str());
    return 2;
  }
  if (words.size() == 1 && (words[0] == "close" || words[0] == "reconcile")) {
    return cli::Reconcile(db, absl::GetFlag(FLAGS_college), words[0] == "close", absl::GetFlag(FLAGS_override),
                          absl::GetFlag(FLAGS_json));
  }
  if (words.size() == 2 && words[0] == "drill") {
    gradcap::DrillOptions options;
    options.file = words[1];
    options.db_dir = db;
    auto report = gradcap::RunDrill(options);
    if (!report.ok()) {
      std::fprintf(stderr, "gradcap drill: %s\n", std::string(report.status().message()).c_str());
      return 1;
    }
    if (absl::GetFlag(FLAGS_json)) {
      std::printf("%s\n", cli::ToJson(*report).c_str());
    } else {
      std::printf("%s", gradcap::FormatDrillReport(*report).c_str());
    }
    return 0;
  }
  if (command == "roster import") return cli::RosterImport(db, arg(2));
  if (command == "payments import") {
    const std::string due = absl::GetFlag(FLAGS_amount_due);
    return cli::PaymentsImport(db, arg(2), due.empty() ? std::nullopt : std::optional(due));
  }
  if (command == "schedule import") return cli::ScheduleImport(db, arg(2), absl::GetFlag(FLAGS_timezone));
  if (command == "codes import") return cli::CodesImport(db, arg(2));
  if (command == "codes issue") {
    return cli::CodesIssue(db, absl::GetFlag(FLAGS_out), absl::GetFlag(FLAGS_college), absl::GetFlag(FLAGS_valid_days));
  }
  if (command == "codes inspect") {
    if (arg(2).empty()) {
      std::fprintf(stderr, "gradcap codes inspect: which PAYLOAD?\n");
      return 2;
    }
    return cli::CodesInspect(db, arg(2), absl::GetFlag(FLAGS_json));
  }
  if (command == "keys init") return cli::KeysInit(db);
  if (command == "keys rotate") return cli::KeysRotate(db);
  if (command == "keys retire") return cli::KeysRetire(db, absl::GetFlag(FLAGS_key));
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
