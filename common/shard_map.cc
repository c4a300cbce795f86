#include "common/shard_map.h"

#include <map>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/file_util.h"

namespace gradcap {
namespace {

constexpr int kMaxShards = 256;

absl::Status Bad(absl::string_view source, int line, absl::string_view key, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(source, ":", line, key.empty() ? "" : absl::StrCat(": ", key), ": ",
                                                 what));
}

// "tcp://host:port" (port 1–65535), "ipc://path" or "inproc://name".
std::string EndpointProblem(absl::string_view endpoint) {
  if (absl::StartsWith(endpoint, "ipc://") || absl::StartsWith(endpoint, "inproc://")) {
    return endpoint.size() > endpoint.find("//") + 2 ? "" : "names no path";
  }
  if (!absl::StartsWith(endpoint, "tcp://")) {
    return absl::StrCat("\"", endpoint, "\" is not a ZeroMQ endpoint like tcp://10.0.1.10:5555");
  }
  absl::string_view rest = endpoint.substr(6);
  const size_t colon = rest.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || colon == 0 || !absl::SimpleAtoi(rest.substr(colon + 1), &port) || port < 1 ||
      port > 65535) {
    return absl::StrCat("\"", endpoint, "\" needs a host and a port 1–65535, like tcp://10.0.1.10:5555");
  }
  if (rest.substr(0, colon) == "*") return absl::StrCat("\"", endpoint, "\": name the address others connect to, not *");
  return "";
}

}  // namespace

std::vector<std::string> SplitColleges(std::string_view value_in) {
  const absl::string_view value(value_in.data(), value_in.size());
  const std::string ascii = absl::StrReplaceAll(value, {{"，", ","}, {"、", ","}});
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(ascii, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

absl::StatusOr<ShardMap> ShardMap::Parse(std::string_view text_in, std::string_view source_in) {
  const absl::string_view text(text_in.data(), text_in.size());
  const absl::string_view source(source_in.data(), source_in.size());
  ShardMap map;
  map.source_ = std::string(source);
  std::map<std::string, std::pair<int, int>> college_at;   // college → (shard, line)
  std::map<std::string, std::pair<int, int>> endpoint_at;  // endpoint → (shard, line)
  std::set<std::string> seen_keys;                          // in the current block
  int map_line = 0;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) return Bad(source, line_no, "", "expected `key = value`");
    const std::string key(absl::StripAsciiWhitespace(line.substr(0, eq)));
    const std::string value(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    if (value.empty()) return Bad(source, line_no, key, "has no value");
    if (key == "map") {
      if (map_line != 0) return Bad(source, line_no, key, absl::StrCat("given twice (first on line ", map_line, ")"));
      if (!map.shards_.empty()) return Bad(source, line_no, key, "must come before the first shard");
      map.name_ = value;
      map_line = line_no;
      continue;
    }
    if (key == "shard") {
      int index = -1;
      if (!absl::SimpleAtoi(value, &index) || index < 0 || index >= kMaxShards) {
        return Bad(source, line_no, key, absl::StrCat("\"", value, "\" is not a shard number 0–", kMaxShards - 1));
      }
      if (index != static_cast<int>(map.shards_.size())) {
        return Bad(source, line_no, key,
                   absl::StrCat("shards are numbered 0, 1, 2, ... in order: expected ", map.shards_.size(), ", got ",
                                index));
      }
      ShardEntry entry;
      entry.index = index;
      entry.line = line_no;
      map.shards_.push_back(std::move(entry));
      seen_keys.clear();
      continue;
    }
    if (map.shards_.empty()) return Bad(source, line_no, key, "comes before the first `shard = 0`");
    ShardEntry& shard = map.shards_.back();
    if (!seen_keys.insert(key).second) {
      return Bad(source, line_no, key, absl::StrCat("given twice for shard ", shard.index));
    }
    if (key == "colleges") {
      shard.colleges = SplitColleges(value);
      for (const std::string& college : shard.colleges) {
        auto [it, fresh] = college_at.emplace(college, std::make_pair(shard.index, line_no));
        if (!fresh) {
          return Bad(source, line_no, key,
                     absl::StrCat(college, " is already shard ", it->second.first, "'s (line ", it->second.second,
                                  "): a college belongs to one shard"));
        }
      }
      if (shard.colleges.empty()) return Bad(source, line_no, key, "names no college");
      continue;
    }
    std::string* endpoint = key == "booth"        ? &shard.booth
                            : key == "validators" ? &shard.validators
                            : key == "live"       ? &shard.live
                            : key == "admin"      ? &shard.admin
                                                  : nullptr;
    if (endpoint == nullptr) {
      return Bad(source, line_no, key, "unknown key (map, shard, booth, validators, live, admin, colleges)");
    }
    if (std::string problem = EndpointProblem(value); !problem.empty()) return Bad(source, line_no, key, problem);
    auto [it, fresh] = endpoint_at.emplace(value, std::make_pair(shard.index, line_no));
    if (!fresh) {
      return Bad(source, line_no, key,
                 absl::StrCat(value, " is already used on line ", it->second.second, " (shard ", it->second.first,
                              "): every socket needs its own endpoint"));
    }
    *endpoint = value;
  }
  if (map_line == 0) return Bad(source, 1, "map", "missing: name the map (`map = spring-2027`)");
  if (map.shards_.empty()) return Bad(source, map_line, "shard", "the map has no shard");
  for (const ShardEntry& s : map.shards_) {
    const std::pair<const char*, const std::string*> required[] = {
        {"booth", &s.booth}, {"validators", &s.validators}, {"live", &s.live}, {"admin", &s.admin}};
    for (const auto& [key, value] : required) {
      if (value->empty()) return Bad(source, s.line, key, absl::StrCat("missing for shard ", s.index));
    }
    if (s.colleges.empty()) return Bad(source, s.line, "colleges", absl::StrCat("missing for shard ", s.index));
  }
  return map;
}

absl::StatusOr<ShardMap> ShardMap::Load(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read the shard map ", path, ": ", text.status().message()));
  }
  return Parse(*text, path);
}

std::optional<int> ShardMap::ShardOf(std::string_view college) const {
  for (const ShardEntry& s : shards_) {
    for (const std::string& c : s.colleges) {
      if (std::string_view(c) == college) return s.index;
    }
  }
  return std::nullopt;
}

absl::StatusOr<int> ShardMap::ShardOfAll(const std::vector<std::string>& colleges) const {
  if (colleges.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("with the shard map ", source_, " a booth must name its college(s) (--colleges)"));
  }
  std::optional<int> found;
  for (const std::string& college : colleges) {
    std::optional<int> shard = ShardOf(college);
    if (!shard.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(college, " is in no shard of ", source_, " (map ", name_, ")"));
    }
    if (found.has_value() && *found != *shard) {
      return absl::InvalidArgumentError(absl::StrCat(colleges.front(), " is shard ", *found, "'s and ", college,
                                                     " shard ", *shard, "'s in ", source_,
                                                     ": a booth serves the colleges of one shard"));
    }
    found = shard;
  }
  return *found;
}

v1::ShardAssignment ShardMap::Assignment(int shard) const {
  v1::ShardAssignment a;
  a.set_shard(static_cast<uint32_t>(shard));
  a.set_shard_count(static_cast<uint32_t>(shards_.size()));
  a.set_map(name_);
  for (const ShardEntry& s : shards_) {
    for (const std::string& c : s.colleges) (*a.mutable_college_shard())[c] = static_cast<uint32_t>(s.index);
  }
  return a;
}

std::string ShardKeyPrefix(int shard) { return absl::StrCat("s", shard, "-"); }

std::optional<int> ShardOfKeyId(std::string_view key_id_in) {
  absl::string_view key_id(key_id_in.data(), key_id_in.size());
  if (!absl::ConsumePrefix(&key_id, "s")) return std::nullopt;
  const size_t dash = key_id.find('-');
  int shard = -1;
  if (dash == absl::string_view::npos || !absl::SimpleAtoi(key_id.substr(0, dash), &shard) || shard < 0) {
    return std::nullopt;
  }
  return shard;
}

std::vector<std::string> AssignmentDifferences(const v1::ShardAssignment& was, const v1::ShardAssignment& now) {
  std::vector<std::string> out;
  if (was.shard() != now.shard()) {
    out.push_back(absl::StrCat("this database is shard ", was.shard(), "'s, not shard ", now.shard(), "'s"));
    return out;
  }
  std::map<std::string, uint32_t> a(was.college_shard().begin(), was.college_shard().end());
  std::map<std::string, uint32_t> b(now.college_shard().begin(), now.college_shard().end());
  for (const auto& [college, shard] : a) {
    auto it = b.find(college);
    if (it == b.end()) {
      out.push_back(absl::StrCat(college, " was shard ", shard, "'s and is in no shard now"));
    } else if (it->second != shard) {
      out.push_back(absl::StrCat(college, " was shard ", shard, "'s and is shard ", it->second, "'s now"));
    }
  }
  for (const auto& [college, shard] : b) {
    if (!a.contains(college)) out.push_back(absl::StrCat(college, " is new, shard ", shard, "'s"));
  }
  return out;
}

}  // namespace gradcap
