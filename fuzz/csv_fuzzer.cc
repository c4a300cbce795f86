// libFuzzer: any file a registrar can hand to an import. The first byte
// picks the importer (roster, payments, schedule, external codes), the rest
// is the file. Planning must never crash: a bad file is an error naming the
// file (and, for a bad row, the line), a good one a change to write.
// The database holds a small roster, so payment rows reach their checks.
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/csv.h"
#include "common/event_log.h"
#include "registry/registry_import.h"

namespace {

constexpr char kRoster[] =
    "学号,姓名,身份证号,学院,班级,层次,年级\n"
    "S2021001,杜英,360102200102021010,信息工程学院,计科2101,本科,2021\n"
    "S2021002,黎英,360102200203031023,信息工程学院,计科2101,本科,2021\n";

gradcap::EventLog* Log() {
  static gradcap::EventLog* log = [] {
    static gradcap::ManualClock clock;
    char dir[] = "/tmp/gradcap-csv-fuzz-XXXXXX";
    if (mkdtemp(dir) == nullptr) std::abort();
    auto opened = gradcap::EventLog::Open(dir, &clock);
    if (!opened.ok()) std::abort();
    auto roster = gradcap::PlanRosterImport((*opened)->store(), {"roster.csv", kRoster, ""});
    if (!roster.ok() || !gradcap::CommitChange(**opened, std::move(*roster), "fuzz").ok()) std::abort();
    return opened->release();
  }();
  return log;
}

// protobuf logs (rather than fails) when a string field it serialises is not
// UTF-8 — and then cannot parse the bytes back: a record the coordinator
// could never load again. The importers must refuse such text first.
void TrapOnProtobufError(google::protobuf::LogLevel level, const char*, int, const std::string& message) {
  if (level >= google::protobuf::LOGLEVEL_ERROR) {
    std::fprintf(stderr, "protobuf: %s\n", message.c_str());
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(&TrapOnProtobufError);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gradcap;
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  absl::StatusOr<CsvTable> table = ParseCsv(bytes, "fuzz.csv");
  if (!table.ok() && table.status().message().find("fuzz.csv") == std::string::npos) __builtin_trap();
  const KvStore& store = Log()->store();
  const ImportSource source{"fuzz.csv", bytes, "/nonexistent"};
  absl::StatusOr<RegistryChange> change;
  switch (data[0] % 4) {
    case 0:
      change = PlanRosterImport(store, source);
      break;
    case 1:
      change = PlanPaymentsImport(store, source, std::nullopt);
      break;
    case 2:
      change = PlanScheduleImport(store, source, "Asia/Shanghai");
      break;
    default:
      change = PlanExternalCodesImport(store, source);
  }
  if (!change.ok() && change.status().message().find("fuzz.csv") == std::string::npos) __builtin_trap();
  return 0;
}
