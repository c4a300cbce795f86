// validator: checks diploma photos against PHOTO-SPEC.md.
//   validator check FILE... [--json] [--all] [--debug_dir DIR]   offline checks, one result per file
//   validator frame IN.jpg OUT.jpg                                the 480 × 640 crop of a larger capture
//   validator calibrate DIR... [--bad DIR] [--json]                limits against folders of good photos
//   validator --coordinator ENDPOINT --store DIR                   a worker in the coordinator's pool
// Every mode takes --rules FILE (default: the compiled chsi2017-r16 limits).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <opencv2/core.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/shard_map.h"
#include "validator/calibrate_command.h"
#include "validator/compare_command.h"
#include "validator/debug_overlay.h"
#include "validator/framing.h"
#include "validator/photo_input.h"
#include "validator/photo_validator.h"
#include "validator/rules_file.h"
#include "validator/worker.h"

ABSL_FLAG(std::string, model, gradcap::validator::kDefaultLandmarkModel,
          "dlib 68-point landmark model (Debian package libdlib-data).");
ABSL_FLAG(std::string, face_model, gradcap::validator::kDefaultFaceModelDir,
          "The face-recognition network's weights (deploy/install-face-model.sh): face_match and the descriptor "
          "for face_duplicate. Empty: no identity checks (face_match undetermined). A damaged model stops the "
          "process before it starts.");
ABSL_FLAG(bool, json, false, "check: print one JSON object per file; calibrate: one JSON report; compare: one object.");
ABSL_FLAG(std::string, enrolment, "", "check: the student's enrolment photo, for face_match.");
ABSL_FLAG(bool, all, false, "check: list passed checks too (text output).");
ABSL_FLAG(std::string, debug_dir, "", "check: write an overlay PNG per file (landmarks, masks, limits) here.");
ABSL_FLAG(std::string, rules, "",
          "The rules file (limits and their version, e.g. validator/rules/chsi2017-r16.rules); default: the "
          "compiled chsi2017-r16 limits. A bad file stops the process before it starts.");
ABSL_FLAG(int, min_kb, -1, "file_size: warn below this many KB (default: the rules file's min_file_kb).");
ABSL_FLAG(
    int, max_kb, -1,
    "file_size: warn above this many KB (default: the rules file's max_file_kb; frame also keeps its output "
    "below it).");
ABSL_FLAG(std::string, bad, "", "calibrate: a folder of photos marked bad (how many the limits catch).");
ABSL_FLAG(std::string, write_rules, "", "calibrate: write the suggested rules file here.");
ABSL_FLAG(std::string, rules_version, "",
          "calibrate: the suggested rules' version (default: <current>-cal-<digest of the limits>).");
ABSL_FLAG(double, max_false_retake, 0.05, "calibrate: the share of good photos one measure may flag.");
ABSL_FLAG(std::string, coordinator, "",
          "Worker mode: the coordinator's validator endpoint (ZeroMQ); several, comma-separated, to serve several.");
ABSL_FLAG(std::string, shard_map, "", "Worker mode: serve every shard of this shard map (instead of --coordinator).");
ABSL_FLAG(std::string, store, "", "Worker mode: this worker's RocksDB result store (created if missing).");
ABSL_FLAG(std::string, name, "", "Worker mode: this worker's name (default: host and pid).");
ABSL_FLAG(
    int, heartbeat_ms, 1000,
    "Worker mode: how often to tell the coordinator this worker is ready (idle) or busy (a long check), "
    "and how often to retry a result that could not be sent.");
ABSL_FLAG(std::string, keys, "",
          "Worker mode: transport keys directory holding coordinator.public and booths/<name>.secret (enrol with "
          "`gradcap transport-keys enroll <name>`; the name must start with \"validator\").");

namespace {

using namespace gradcap;
using namespace gradcap::validator;

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

RuleSet g_rules;  // loaded once in main, before any mode starts

// --rules, then --min_kb/--max_kb on top. A file-size band from the flags
// is part of the version (…+kb15-50), so cached results never mix bands.
absl::StatusOr<RuleSet> LoadRules() {
  RuleSet r;
  if (!absl::GetFlag(FLAGS_rules).empty()) {
    auto loaded = LoadRulesFile(absl::GetFlag(FLAGS_rules));
    if (!loaded.ok()) return loaded.status();
    r = *std::move(loaded);
  }
  const int min_kb = absl::GetFlag(FLAGS_min_kb), max_kb = absl::GetFlag(FLAGS_max_kb);
  if (min_kb >= 0) r.min_file_kb = min_kb;
  if (max_kb >= 0) r.max_file_kb = max_kb;
  if (r.min_file_kb > r.max_file_kb) {
    return absl::InvalidArgumentError(
        absl::StrCat("file-size band ", r.min_file_kb, "–", r.max_file_kb, " KB is empty"));
  }
  if (min_kb >= 0 || max_kb >= 0) absl::StrAppend(&r.version, "+kb", r.min_file_kb, "-", r.max_file_kb);
  return r;
}

const RuleSet& Rules() { return g_rules; }

int Check(const std::vector<std::string>& files) {
  auto validator = PhotoValidator::Create(absl::GetFlag(FLAGS_model), Rules(), {}, absl::GetFlag(FLAGS_face_model));
  if (!validator.ok()) {
    std::fprintf(stderr, "validator: %s\n", std::string(validator.status().message()).c_str());
    return 2;
  }
  int failed = 0, unreadable = 0;
  std::string enrolment;
  if (!absl::GetFlag(FLAGS_enrolment).empty() && !ReadFile(absl::GetFlag(FLAGS_enrolment), &enrolment)) {
    std::fprintf(stderr, "validator: cannot read enrolment photo %s\n", absl::GetFlag(FLAGS_enrolment).c_str());
    return 2;
  }
  for (const std::string& file : files) {
    std::string bytes;
    if (!ReadFile(file, &bytes)) {
      std::fprintf(stderr, "validator: cannot read %s\n", file.c_str());
      ++unreadable;
      continue;
    }
    const v1::ValidationResult r = (*validator)->Validate(bytes, enrolment);
    failed += r.verdict() != v1::VERDICT_PASS;
    if (absl::GetFlag(FLAGS_json)) {
      std::printf("%s\n", ResultJson(r, file).c_str());
    } else {
      std::printf("%s", ResultText(r, file, absl::GetFlag(FLAGS_all)).c_str());
    }
    if (!absl::GetFlag(FLAGS_debug_dir).empty()) {
      auto status = WriteDebugOverlay(bytes, (*validator)->landmarker(), (*validator)->rules(), file,
                                      absl::GetFlag(FLAGS_debug_dir));
      if (!status.ok()) std::fprintf(stderr, "validator: %s\n", std::string(status.message()).c_str());
    }
    std::fflush(stdout);
  }
  return unreadable ? 2 : (failed ? 1 : 0);
}

int Frame(const std::string& in, const std::string& out) {
  std::string bytes;
  if (!ReadFile(in, &bytes)) {
    std::fprintf(stderr, "validator frame: cannot read %s\n", in.c_str());
    return 2;
  }
  auto photo = DecodePhoto(bytes);
  if (!photo.ok()) {
    std::fprintf(stderr, "validator frame: %s: %s\n", in.c_str(), std::string(photo.status().message()).c_str());
    return 2;
  }
  auto validator = PhotoValidator::Create(absl::GetFlag(FLAGS_model), Rules(), {}, absl::GetFlag(FLAGS_face_model));
  if (!validator.ok()) {
    std::fprintf(stderr, "validator: %s\n", std::string(validator.status().message()).c_str());
    return 2;
  }
  auto framing = FramePhoto(photo->bgr, (*validator)->landmarker(), (*validator)->rules());
  if (!framing.ok()) {
    std::fprintf(stderr, "validator frame: %s: no crop fits: %s\n", in.c_str(),
                 std::string(framing.status().message()).c_str());
    return 1;
  }
  std::ofstream o(out, std::ios::binary | std::ios::trunc);
  o.write(framing->jpeg.data(), framing->jpeg.size());
  if (!o.flush()) {
    std::fprintf(stderr, "validator frame: cannot write %s\n", out.c_str());
    return 2;
  }
  const v1::ValidationResult r = (*validator)->Validate(framing->jpeg);
  std::printf("%s: crop x=%d y=%d %d×%d of %d×%d (scale %.3f, JPEG quality %d, %zu KB); predicted eye line %.0f, "
              "face width %.0f, top of head %.0f px\n",
              out.c_str(), framing->crop.x, framing->crop.y, framing->crop.width, framing->crop.height,
              photo->bgr.cols, photo->bgr.rows, framing->scale, framing->quality, framing->jpeg.size() / 1024,
              framing->eye_line, framing->face_width, framing->head_top);
  if (absl::GetFlag(FLAGS_json)) {
    std::printf("%s\n", ResultJson(r, out).c_str());
  } else {
    std::printf("%s", ResultText(r, out, false).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "checks diploma photos against PHOTO-SPEC.md\n"
      "  validator check FILE... [--json] [--all] [--debug_dir DIR]\n"
      "  validator frame CAPTURE.jpg OUT.jpg [--json]\n"
      "  validator calibrate GOOD_DIR... [--bad DIR] [--json] [--write_rules FILE [--rules_version NAME]]\n"
      "      a GOOD_DIR may be a day's export (gradcap export): its manifest.csv decides good (passed,\n"
      "      passed_by_operator) and bad (failed, in a --force export)\n"
      "  validator compare A.jpg B.jpg [--json]                same person? distance, thresholds, answer\n"
      "  validator --coordinator tcp://HOST:PORT --store DIR [--name NAME] [--keys DIR]\n"
      "Every mode takes --rules FILE (limits and their version).\n"
      "check exits 0 when every photo passes, 1 when any fails, 2 when a file cannot be read.");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (!InitCrypto().ok()) return 2;
  cv::setNumThreads(1);
  if (auto rules = LoadRules(); !rules.ok()) {
    std::fprintf(stderr, "validator: bad rules: %s\n", std::string(rules.status().message()).c_str());
    return 2;
  } else {
    g_rules = *std::move(rules);
  }
  if (args.size() >= 2 && std::string(args[1]) == "compare") {
    if (args.size() != 4) {
      std::fprintf(stderr, "usage: validator compare A.jpg B.jpg [--json]\n");
      return 2;
    }
    return RunCompare({absl::GetFlag(FLAGS_model), absl::GetFlag(FLAGS_face_model), args[2], args[3],
                       absl::GetFlag(FLAGS_json)});
  }
  if (args.size() >= 2 && std::string(args[1]) == "check") {
    if (args.size() < 3) {
      std::fprintf(stderr, "usage: validator check FILE... [--json]\n");
      return 2;
    }
    return Check(std::vector<std::string>(args.begin() + 2, args.end()));
  }
  if (args.size() >= 2 && std::string(args[1]) == "frame") {
    if (args.size() != 4) {
      std::fprintf(stderr, "usage: validator frame CAPTURE.jpg OUT.jpg\n");
      return 2;
    }
    return Frame(args[2], args[3]);
  }
  if (args.size() >= 2 && std::string(args[1]) == "calibrate") {
    CalibrateOptions options;
    options.model = absl::GetFlag(FLAGS_model);
    options.rules = Rules();
    options.good_dirs.assign(args.begin() + 2, args.end());
    options.bad_dir = absl::GetFlag(FLAGS_bad);
    options.json = absl::GetFlag(FLAGS_json);
    options.write_rules = absl::GetFlag(FLAGS_write_rules);
    options.rules_version = absl::GetFlag(FLAGS_rules_version);
    options.max_false_retake = absl::GetFlag(FLAGS_max_false_retake);
    return RunCalibrate(options);
  }
  if (args.size() == 1 && (!absl::GetFlag(FLAGS_coordinator).empty() || !absl::GetFlag(FLAGS_shard_map).empty())) {
    WorkerOptions options;
    if (!absl::GetFlag(FLAGS_coordinator).empty() && !absl::GetFlag(FLAGS_shard_map).empty()) {
      std::fprintf(stderr, "validator: give --coordinator or --shard_map, not both\n");
      return 2;
    }
    if (const std::string path = absl::GetFlag(FLAGS_shard_map); !path.empty()) {
      auto map = ShardMap::Load(path);
      if (!map.ok()) {
        std::fprintf(stderr, "validator: %s\n", std::string(map.status().message()).c_str());
        return 2;
      }
      for (const ShardEntry& shard : map->shards()) options.endpoints.push_back(shard.validators);
    } else {
      options.endpoints = absl::StrSplit(absl::GetFlag(FLAGS_coordinator), ',', absl::SkipWhitespace());
    }
    options.store_dir = absl::GetFlag(FLAGS_store);
    options.name = absl::GetFlag(FLAGS_name);
    options.keys_dir = absl::GetFlag(FLAGS_keys);
    options.model = absl::GetFlag(FLAGS_model);
    options.face_model = absl::GetFlag(FLAGS_face_model);
    options.rules = Rules();
    options.heartbeat_ms = std::max(10, absl::GetFlag(FLAGS_heartbeat_ms));
    return RunWorker(options);
  }
  std::fprintf(stderr, "%s\n", std::string(absl::ProgramUsageMessage()).c_str());
  return 2;
}
