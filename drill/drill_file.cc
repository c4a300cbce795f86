// Loading and checking drill files (see drill.h).
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/booth_id.h"
#include "drill/drill.h"

namespace gradcap {
namespace {

namespace fs = std::filesystem;

absl::Status StepError(int index, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("step ", index, ": ", why));
}

}  // namespace

absl::StatusOr<v1::DrillFile> LoadDrill(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read drill file ", path));
  std::stringstream text;
  text << in.rdbuf();
  v1::DrillFile drill;
  google::protobuf::util::JsonParseOptions options;
  auto parsed = google::protobuf::util::JsonStringToMessage(text.str(), &drill, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a valid drill file: ", parsed.message().as_string()));
  }
  const fs::path dir = fs::path(path).parent_path();
  auto resolve = [&dir](std::string* p) {
    if (!p->empty()) *p = (dir / *p).lexically_normal().string();
  };
  for (std::string* file : {drill.mutable_roster(), drill.mutable_payments(), drill.mutable_schedule(),
                            drill.mutable_codes()}) {
    resolve(file);
  }
  if (drill.roster().empty() || drill.payments().empty() || drill.schedule().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": roster, payments and schedule are required"));
  }
  for (const std::string& f : {drill.roster(), drill.payments(), drill.schedule(), drill.codes()}) {
    if (!f.empty() && !fs::is_regular_file(f)) return absl::NotFoundError(absl::StrCat(path, ": no such file ", f));
  }
  if (drill.booths().empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": \"booths\" is empty"));
  if (drill.shards_size() > 8) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": \"shards\": ", drill.shards_size(), " is more than 8"));
  }
  std::map<std::string, int> shard_of;
  for (int i = 0; i < drill.shards_size(); ++i) {
    if (drill.shards(i).colleges().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": shard ", i, " names no college"));
    }
    for (const std::string& college : drill.shards(i).colleges()) {
      if (auto [it, fresh] = shard_of.emplace(college, i); !fresh) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": college \"", college, "\" is in shards ", it->second, " and ", i));
      }
    }
  }
  std::set<std::string> booths;
  for (const std::string& b : drill.booths()) {
    if (absl::Status id = CheckBoothId(b); !id.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": booth \"", b, "\": ", id.message()));
    }
    if (!booths.insert(b).second) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": booth \"", b, "\" is listed twice"));
    }
  }
  for (int i = 0; i < drill.steps_size(); ++i) {
    v1::DrillStep& s = *drill.mutable_steps(i);
    resolve(s.mutable_photo());
    resolve(s.mutable_retake());
    resolve(s.mutable_import_payments());
    const int actions = !s.scan().empty() + !s.scan_payload().empty() + s.sign() + !s.photo().empty() +
                        !s.retake().empty() + s.absent() + !s.kill().empty() + !s.start().empty() +
                        !s.offline().empty() + !s.online().empty() + (s.wait_ms() > 0) + !s.close().empty() +
                        !s.import_payments().empty() + !s.head_count().empty() + !s.ok().empty() +
                        !s.hold().empty();
    if (actions != 1) return StepError(i, absl::StrCat("a step does exactly one thing; this one does ", actions));
    const bool at_booth = !s.scan().empty() || !s.scan_payload().empty() || s.sign() || !s.photo().empty() ||
                          !s.retake().empty() || s.absent() || !s.ok().empty();
    if (at_booth && !booths.count(s.booth())) {
      return StepError(i, s.booth().empty() ? "which booth?" : absl::StrCat("unknown booth \"", s.booth(), "\""));
    }
    for (const std::string* f : {&s.photo(), &s.retake(), &s.import_payments()}) {
      if (!f->empty() && !fs::is_regular_file(*f)) return StepError(i, absl::StrCat("no such file ", *f));
    }
    for (const std::string* target : {&s.kill(), &s.start()}) {
      if (target->empty() || *target == "coordinator" || *target == "validator") continue;
      int shard = -1;
      if (target->rfind("coordinator:", 0) == 0) {
        if (!absl::SimpleAtoi(target->substr(12), &shard) || shard < 0 || shard >= std::max(1, drill.shards_size())) {
          return StepError(i, absl::StrCat("\"", *target, "\": the drill has shards 0–",
                                           std::max(1, drill.shards_size()) - 1));
        }
        continue;
      }
      if (target->rfind("booth:", 0) != 0 || !booths.count(target->substr(6))) {
        return StepError(i, absl::StrCat("unknown process \"", *target,
                                         "\" (coordinator, coordinator:N, validator or booth:ID)"));
      }
    }
    for (const std::string* b : {&s.offline(), &s.online()}) {
      if (!b->empty() && !booths.count(*b)) return StepError(i, absl::StrCat("unknown booth \"", *b, "\""));
    }
  }
  return drill;
}

}  // namespace gradcap
