// After-the-day benchmark: `audit replay` speed on a synthetic capture day
// of --events records (many colleges, --booths booths) written by the real
// rules into a real RocksDB log, beside a plain RocksDB iteration of the same
// log in the same run; the replay's peak memory at a quarter, half and all of
// the log (each in a child process); and the upload export of
// --export_students students beside a plain copy of the same photos out of
// RocksDB.
//
//   build/bench/audit_bench [--events 1000000] [--booths 200] [--colleges 40]
//                           [--export_students 20000] [--dir DIR]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "audit/audit_db.h"
#include "audit/export.h"
#include "audit/replay.h"
#include "common/big_endian.h"
#include "common/collection_code.h"
#include "common/event_log.h"
#include "common/log_format.h"
#include "common/sha256.h"
#include "common/temp_dir.h"
#include "coordinator/admin_service.h"
#include "coordinator/capture_day.h"
#include "registry/registry.h"
#include "registry/registry_import.h"

ABSL_FLAG(int, events, 1'000'000, "Records in the synthetic day's log.");
ABSL_FLAG(int, booths, 200, "Booths (each serves one college).");
ABSL_FLAG(int, colleges, 40, "Colleges.");
ABSL_FLAG(int, export_students, 20'000,
          "Students (each with a passing 480 × 640 photo) in the export run; 0: skip.");
ABSL_FLAG(
    std::string, dir, "",
    "Where the databases go (default: a temp folder, removed afterwards); a day already there is measured "
    "again.");
ABSL_FLAG(bool, generate_only, false,
          "Only write the synthetic day into --dir (to run `gradcap audit` on it).");
ABSL_FLAG(std::string, replay_only, "",
          "Internal: only replay this database (memory is measured from outside).");
ABSL_FLAG(int64_t, until, 0, "Internal, with --replay_only.");

namespace gradcap {
namespace {

using Steady = std::chrono::steady_clock;
double Since(Steady::time_point t) { return std::chrono::duration<double>(Steady::now() - t).count(); }

constexpr int64_t kEight = 1726876800000;  // 2024-09-21T08:00+08:00

void Check(const absl::Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "audit_bench: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

// The whole roster, every student paid, and each booth's window, written
// straight into the reference-data columns with one AdminRecord; then the keys.
void WriteReferenceData(EventLog& log, int students, int colleges, int booths, int64_t window_ms) {
  KvBatch& batch = log.staged_batch();
  for (int i = 0; i < students; ++i) {
    v1::Student s;
    s.set_student_no(absl::StrFormat("S%07d", i));
    s.set_name(absl::StrCat("张", i % 2 ? "小" : "", "明"));
    s.set_id_no(absl::StrFormat("3601022001%08d", i));
    s.set_college(absl::StrFormat("学院%02d", i % colleges));
    s.set_level("本科");
    s.set_cohort("2021");
    batch.Put(kStudentsColumn, s.student_no(), s.SerializeAsString());
    batch.Put(kPaidColumn, s.student_no(), BigEndian64(1500));
  }
  for (int b = 0; b < booths; ++b) {
    v1::ScheduleSlot slot;
    slot.set_booth(absl::StrFormat("B%03d", b));
    slot.set_college(absl::StrFormat("学院%02d", b % colleges));
    slot.set_start_ms(kEight);
    slot.set_end_ms(kEight + window_ms);
    slot.set_sign(b % colleges % 2 == 0);
    std::string key = slot.booth();
    key.push_back('\0');
    AppendBigEndian64(&key, slot.start_ms());
    batch.Put(kScheduleColumn, key, slot.SerializeAsString());
  }
  v1::AdminRecord record;
  record.set_action("roster_import");
  record.set_source("bench");
  record.set_rows(students);
  log.StageAdmin(record);
  Check(log.Commit(), "reference data");
  Check(InitCodeKeys(log, kEight - 3'600'000).status(), "keys");
}

// A verdict as a validator sends it: every check of PHOTO-SPEC.md.
v1::ValidationResult Result(bool pass) {
  static const char* kChecks[] = {
      "image_format",     "image_size",       "jpeg_quality",       "file_size",       "single_face",
      "head_top",         "eye_line",         "face_width",         "centered",        "head_roll",
      "head_pose",        "background_color", "background_uniform", "exposure",        "lighting_uniform",
      "sharpness",        "red_eye",          "eyes_open",          "mouth_closed",    "hair_over_eyebrows",
      "ears_visible",     "glasses_glare",    "tinted_lenses",      "frame_over_eyes", "headwear",
      "hair_bun",         "hair_ornament",    "earrings",           "necklace",        "clothing_color",
      "clothing_pattern", "clothing_style",   "face_match"};
  v1::ValidationResult r;
  r.set_rule_set("chsi2017-r2");
  r.set_worker("validator-1");
  r.set_verdict(pass ? v1::VERDICT_PASS : v1::VERDICT_FAIL);
  for (const char* id : kChecks) {
    v1::CheckResult* c = r.add_checks();
    c->set_id(id);
    c->set_status(!pass && std::string(id) == "exposure" ? v1::CHECK_FAIL : v1::CHECK_PASS);
    c->set_severity(v1::SEVERITY_REJECT);
    c->set_value(0.5);
    c->set_limit("≤ 1");
  }
  return r;
}

// Writes a synthetic day: booths take turns, each serving its college's
// students one by one (scan, a signature where the schedule asks, photo,
// verdict; a failed photo is retaken) with the usual noise — repeated scans,
// foreign QRs, a photo naming the wrong number, absences, malformed frames —
// decided by the real rules and closed college by college with signed
// checkpoints. Stops at `events` records.
// `clean`: no noise, every photo passes (the export run).
void WriteDay(EventLog& log, int students, int events, int colleges, int booths,
              const std::function<std::string(int)>& photo_of, bool clean = false) {
  const int64_t step_ms = 50;
  WriteReferenceData(log, students, colleges, booths, int64_t{events} * step_ms + 3'600'000);
  Registry registry(&log.store());
  Check(registry.Load(), "registry");
  CaptureDay day(&registry);
  Check(ReplayLog(log, &day), "replay");
  ManualClock clock(kEight + 60'000);
  AdminService admin(&log, &day, &registry, &clock);
  AdminContext context;
  context.commit = [&log] { return log.Commit(); };
  context.last_heard_ago_ms = [](const std::string&) -> int64_t { return -1; };
  const v1::CodeKey key = *registry.CodeKey("k1");
  std::mt19937 rng(42);
  std::vector<std::vector<int>> queue(booths);  // students each booth will serve
  for (int i = 0; i < students; ++i) {
    const int college = i % colleges, per = booths / colleges;
    queue[college + colleges * ((i / colleges) % per)].push_back(i);
  }
  std::vector<size_t> next(booths, 0);
  std::vector<uint64_t> seq(booths, 0);
  auto play = [&](int b, v1::BoothEvent e) {
    e.mutable_id()->set_booth(absl::StrFormat("B%03d", b));
    e.mutable_id()->set_epoch(1);
    e.mutable_id()->set_seq(++seq[b]);
    clock.Advance(step_ms);
    v1::Outcome outcome;
    v1::Binding binding;
    day.Decide(e, clock.NowMs(), &outcome, &binding);
    v1::LogRecord staged;
    const uint64_t at = log.StageApplied(e, outcome, binding, clock.NowMs(), &staged);
    day.Apply(staged);
    if (log.staged_records() >= 4096) Check(log.Commit(), "commit");
    return std::make_pair(at, outcome.accepted());
  };
  auto scan = [&](int b, const std::string& payload) {
    v1::BoothEvent e;
    e.mutable_scan()->set_payload(payload);
    return play(b, std::move(e));
  };
  auto verdict = [&](uint64_t photo_log_seq, bool pass) {
    const PendingPhoto* p = day.AwaitingVerdict(photo_log_seq);
    if (p == nullptr) return;
    v1::ValidationRecord v;
    *v.mutable_result() = Result(pass);
    v.mutable_result()->set_photo_sha256(p->sha256);
    v.set_photo_log_seq(p->log_seq);
    v.set_booth(p->booth);
    v.set_shooting_no(p->shooting_no);
    v.set_student_no(p->student_no);
    day.DecideVerdictAlerts(&v);
    v1::LogRecord staged;
    log.StageValidation(v, &staged);
    day.Apply(staged);
  };
  int version = 0;
  auto photo = [&](int b, bool retake, uint32_t named) {
    v1::BoothEvent e;
    v1::Photo* p = retake ? e.mutable_retake() : e.mutable_photo();
    p->set_jpeg(photo_of(++version));
    p->set_sha256(DigestBytes(Sha256(p->jpeg())));
    p->set_shooting_no(named);
    return play(b, std::move(e));
  };
  std::vector<int> open(colleges, booths / colleges);
  auto close = [&](const std::string& college, const std::string& why) {
    v1::AdminRequest request;
    request.mutable_close()->set_college(college);
    request.mutable_close()->set_override_reason(why);
    v1::AdminReply reply;
    Check(admin.Handle(request, "bench", context, &reply), "close");
  };
  int serving = booths;
  while (serving > 0 && log.latest_head_seq() < static_cast<uint64_t>(events)) {
    for (int b = 0; b < booths && log.latest_head_seq() < static_cast<uint64_t>(events); ++b) {
      if (next[b] >= queue[b].size()) continue;
      const int student = queue[b][next[b]++];
      if (next[b] == queue[b].size()) {
        --serving;
        if (--open[b % colleges] == 0) close(absl::StrFormat("学院%02d", b % colleges), "");
      }
      const int noise = clean ? 99 : static_cast<int>(rng() % 100);
      if (noise == 0) scan(b, "https://qr.alipay.com/fkx");  // a payment QR
      if (noise == 1) {
        v1::Rejection r;
        r.set_code(v1::ERROR_MALFORMED);
        r.set_detail("not an Envelope");
        log.StageRejection(r);
      }
      v1::CodeBody body;
      body.set_student_no(absl::StrFormat("S%07d", student));
      body.set_expires_at_ms(kEight + 86'400'000LL * 30);
      const std::string code = SealCode(body, key);
      if (!scan(b, code).second) continue;
      if (noise < 4) scan(b, code);  // the same phone again: duplicate_scan
      if (b % colleges % 2 == 0) {
        v1::BoothEvent sign;
        sign.mutable_sign();
        play(b, std::move(sign));
      }
      if (noise >= 4 && noise < 6) {
        v1::BoothEvent absent;
        absent.mutable_absent()->set_reason("left the line");
        play(b, std::move(absent));
        continue;
      }
      if (noise == 6) photo(b, false, 999);  // a wrong number: refused, alert
      const auto [taken, ok] = photo(b, false, 0);
      const bool pass = clean || rng() % 100 >= 15;
      verdict(taken, pass);
      if (!pass) verdict(photo(b, true, 0).first, true);
    }
  }
  Check(log.Commit(), "commit");
  for (int c = 0; c < colleges; ++c) {
    if (!day.ClosedAt(absl::StrFormat("学院%02d", c))) close(absl::StrFormat("学院%02d", c), "the day ended");
  }
  v1::AdminRequest end;
  end.mutable_checkpoint();
  v1::AdminReply reply;
  Check(admin.Handle(end, "bench", context, &reply), "day-end checkpoint");
}

// Peak resident memory (MB) of a fresh process of this program replaying
// `db` up to record `until` (--replay_only): it reports its own VmHWM, which
// — unlike a child's rusage — does not count the pages it shared with this
// process before exec.
double PeakMbOfReplay(const std::string& db, uint64_t until) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string command = absl::StrCat(self, " --replay_only='", db, "' --until=", until);
  FILE* child = ::popen(command.c_str(), "r");
  if (child == nullptr) return -1;
  char line[256] = {0};
  double kb = -1;
  while (std::fgets(line, sizeof line, child) != nullptr) std::sscanf(line, "VmHWM: %lf", &kb);
  if (::pclose(child) != 0) std::fprintf(stderr, "audit_bench: the measured replay failed\n");
  return kb / 1024;
}

// --replay_only: replay, then print this process's peak memory.
int ReplayOnly(const std::string& db, uint64_t until) {
  if (!ReplayAudit(db, ReplayOptions{until}).ok()) return 1;
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) std::printf("%s\n", line.c_str());
  }
  return 0;
}

void ReplayBench(const std::string& db, int events, int colleges, int booths) {
  if (std::filesystem::exists(db + "/CURRENT")) {
    std::printf("the synthetic day in %s is measured again\n", db.c_str());
  } else {
    auto log = EventLog::Open(db, SystemClock::Get());
    Check(log.status(), "open");
    const auto t = Steady::now();
    // About 3.9 records a student: scan, a signature for half, photo, verdict, 15 % retaken, noise.
    const int students = std::max(colleges, static_cast<int>(events / 3.8));
    WriteDay(**log, students, events, colleges, booths, [](int v) { return absl::StrCat("photo ", v); });
    std::printf("synthetic day: %llu records, %d students, %d colleges, %d booths, written in %.1f s\n",
                static_cast<unsigned long long>((*log)->last_log_seq()), students, colleges, booths,
                Since(t));
  }
  if (absl::GetFlag(FLAGS_generate_only)) return;
  // Baseline: every key and value of the events column, touched, nothing else.
  double plain = 1e9;
  uint64_t records = 0, bytes = 0;
  for (int run = 0; run < 3; ++run) {
    const auto t = Steady::now();  // opening counts: the replay opens the database too
    auto store = KvStore::Open(db, LogColumns(), OpenMode::kReadOnly);
    Check(store.status(), "open");
    records = bytes = 0;
    auto cursor = (*store)->NewCursor(kEventsColumn);
    for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
      ++records;
      bytes += cursor->key().size() + cursor->value().size() + static_cast<uint8_t>(cursor->value()[40]);
    }
    plain = std::min(plain, Since(t));
  }
  // Between the two: each record hash-checked and parsed; then the state rebuilt without the audit's checks.
  double parsed = 1e9, rebuilt = 1e9;
  for (int run = 0; run < 3; ++run) {
    auto t = Steady::now();
    auto log = EventLog::OpenReadOnly(db);
    Check(log.status(), "open");
    Check((*log)->ForEachSealedRecord([](const v1::LogRecord&, const Digest&) { return absl::OkStatus(); }),
          "walk");
    parsed = std::min(parsed, Since(t));
    log->reset();
    t = Steady::now();
    absl::StatusOr<AuditDb> audit_db = OpenAuditDb(db);
    Check(audit_db.status(), "open");
    CaptureDay day(audit_db->registry.get());
    Check(ReplayChecked(*audit_db, &day), "replay");
    rebuilt = std::min(rebuilt, Since(t));
  }
  double replay = 1e9;
  v1::ReplayReport report;
  for (int run = 0; run < 3; ++run) {
    const auto t = Steady::now();
    absl::StatusOr<v1::ReplayReport> r = ReplayAudit(db);
    Check(r.status(), "replay");
    replay = std::min(replay, Since(t));
    report = *std::move(r);
  }
  std::printf(
      "plain RocksDB iteration (open, then every key and value): %llu records (%.0f MB) in %.2f s = %.0f "
      "records/s\n",
      static_cast<unsigned long long>(records), bytes / 1e6, plain, records / plain);
  std::printf("  + each record hash-checked and parsed: %.2f s = %.0f records/s = %.2f x\n", parsed,
              records / parsed, plain / parsed);
  std::printf(
      "  + the state rebuilt (the one replay, with the chain checked): %.2f s = %.0f records/s = %.2f x\n",
      rebuilt, records / rebuilt, plain / rebuilt);
  std::printf(
      "audit replay (whole, every check): %.2f s = %.0f records/s = %.2f x the plain iteration; %s, %u "
      "differences\n",
      replay, records / replay, plain / replay, report.ok() ? "ok" : "NOT OK", report.differences_total());
  const uint64_t head = report.records();
  std::printf(
      "peak memory of `audit replay --until N`, each in a fresh process (%.0f MB with N = 1: the database "
      "open, the roster in memory):\n",
      PeakMbOfReplay(db, 1));
  for (const uint64_t until : {head / 4, head / 2, head}) {
    size_t seen = 0;
    const double mb = PeakMbOfReplay(db, until);
    absl::StatusOr<v1::ReplayReport> r = ReplayAudit(db, ReplayOptions{until});
    for (const auto& s : r->students()) seen += s.status() != "not_seen";
    std::printf("  %9llu records: %7.0f MB (%zu students seen)\n", static_cast<unsigned long long>(until), mb,
                seen);
  }
}

// A distinct 480 × 640 JPEG per student: one photo with the student's own
// comment segment (a real capture compresses to about this size).
std::function<std::string(int)> Photos() {
  cv::Mat img(640, 480, CV_8UC3);
  cv::randu(img, cv::Scalar::all(60), cv::Scalar::all(200));
  cv::GaussianBlur(img, img, cv::Size(0, 0), 3);
  std::vector<uchar> bytes;
  cv::imencode(".jpg", img, bytes, {cv::IMWRITE_JPEG_QUALITY, 85});
  const std::string base(bytes.begin(), bytes.end());
  return [base](int v) {
    const std::string text = absl::StrCat("photo ", v);
    std::string com = "\xFF\xFE";
    com.push_back(static_cast<char>((text.size() + 2) >> 8));
    com.push_back(static_cast<char>((text.size() + 2) & 0xFF));
    return base.substr(0, 2) + com + text + base.substr(2);
  };
}

void ExportBench(const std::string& db, const std::string& work, int students) {
  {
    auto log = EventLog::Open(db, SystemClock::Get());
    Check(log.status(), "open");
    // No noise, no failures: every student passes (one verdict each).
    const int colleges = 10;
    const auto t = Steady::now();
    WriteDay(**log, students, students * 10, colleges, colleges * 4, Photos(), /*clean=*/true);
    std::printf("export day: %llu records, written in %.1f s\n",
                static_cast<unsigned long long>((*log)->last_log_seq()), Since(t));
  }
  // Baseline: each photo on file read from RocksDB and written to a file.
  auto t = Steady::now();
  uint64_t copied = 0, copied_bytes = 0;
  {
    auto store = KvStore::Open(db, LogColumns(), OpenMode::kReadOnly);
    Check(store.status(), "open");
    std::filesystem::create_directories(work + "/copy");
    auto cursor = (*store)->NewCursor(kPhotosColumn);
    for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
      std::ofstream(absl::StrCat(work, "/copy/", ++copied, ".jpg"), std::ios::binary)
          .write(cursor->value().data(), static_cast<std::streamsize>(cursor->value().size()));
      copied_bytes += cursor->value().size();
    }
  }
  const double copy = Since(t);
  t = Steady::now();
  ExportOptions options;
  options.out_dir = work + "/upload";
  absl::StatusOr<ExportSummary> summary = ExportPhotos(db, options);
  Check(summary.status(), "export");
  const double exported = Since(t);
  int n = 0;
  for (const auto& [college, c] : summary->colleges) n += c.exported;
  std::printf("plain copy of the %llu photos out of RocksDB (%.0f MB): %.1f s\n",
              static_cast<unsigned long long>(copied), copied_bytes / 1e6, copy);
  std::printf(
      "export of %d students (%d passing photos, manifests, 补拍 lists): %.1f s = %.0f photos/s = %.2f x the "
      "plain copy's time\n",
      students, n, exported, n / exported, exported / copy);
}

}  // namespace
}  // namespace gradcap

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace gradcap;
  Check(InitCrypto(), "crypto");
  if (const std::string db = absl::GetFlag(FLAGS_replay_only); !db.empty()) {
    return ReplayOnly(db, static_cast<uint64_t>(absl::GetFlag(FLAGS_until)));
  }
  TempDir temp;
  const std::string dir = absl::GetFlag(FLAGS_dir).empty() ? temp.path() : absl::GetFlag(FLAGS_dir);
  ReplayBench(dir + "/day", absl::GetFlag(FLAGS_events), absl::GetFlag(FLAGS_colleges),
              absl::GetFlag(FLAGS_booths));
  if (absl::GetFlag(FLAGS_export_students) > 0) {
    ExportBench(dir + "/export-day", dir, absl::GetFlag(FLAGS_export_students));
  }
  return 0;
}
