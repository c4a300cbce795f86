#include "common/codes.h"

#include <google/protobuf/descriptor.h>

#include <map>
#include <vector>

#include "absl/strings/ascii.h"

namespace gradcap {
namespace {

// Names of one enum, indexed by value, made once from its descriptor.
class Names {
 public:
  Names(const google::protobuf::EnumDescriptor* e, std::string_view prefix) {
    int highest = 0;
    for (int i = 0; i < e->value_count(); ++i) highest = std::max(highest, e->value(i)->number());
    by_value_.resize(highest + 1);
    for (int i = 0; i < e->value_count(); ++i) {
      std::string name = e->value(i)->name();
      if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
      name = absl::AsciiStrToLower(name);
      by_value_[e->value(i)->number()] = name;
      by_name_[name] = e->value(i)->number();
    }
  }
  const std::string& Name(int value) const {
    static const std::string kUnknown = "unknown";
    return value >= 0 && value < static_cast<int>(by_value_.size()) && !by_value_[value].empty() ? by_value_[value]
                                                                                                 : kUnknown;
  }
  std::optional<int> Value(std::string_view name) const {
    auto it = by_name_.find(std::string(name));
    if (it == by_name_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::vector<std::string> by_value_;
  std::map<std::string, int> by_name_;
};

const Names& ReasonNames() {
  static const Names names(v1::Reason_descriptor(), "REASON_");
  return names;
}
const Names& ErrorNames() {
  static const Names names(v1::ErrorCode_descriptor(), "ERROR_");
  return names;
}
const Names& AlertNames() {
  static const Names names(v1::AlertKind_descriptor(), "ALERT_");
  return names;
}
const Names& VerdictNames() {
  static const Names names(v1::Verdict_descriptor(), "VERDICT_");
  return names;
}
const Names& StatusNames() {
  static const Names names(v1::CheckStatus_descriptor(), "CHECK_");
  return names;
}
const Names& SeverityNames() {
  static const Names names(v1::Severity_descriptor(), "SEVERITY_");
  return names;
}
const Names& QueueNames() {
  static const Names names(v1::QueueState_descriptor(), "QUEUE_");
  return names;
}

const Names& CheckpointNames() {
  static const Names names(v1::CheckpointReason_descriptor(), "CHECKPOINT_");
  return names;
}

template <typename E>
std::optional<E> Parse(const Names& names, std::string_view name) {
  std::optional<int> v = names.Value(name);
  if (!v.has_value()) return std::nullopt;
  return static_cast<E>(*v);
}

}  // namespace

const std::string& CodeName(v1::Reason code) { return ReasonNames().Name(code); }
const std::string& CodeName(v1::ErrorCode code) { return ErrorNames().Name(code); }
const std::string& CodeName(v1::AlertKind code) { return AlertNames().Name(code); }
const std::string& CodeName(v1::Verdict code) { return VerdictNames().Name(code); }
const std::string& CodeName(v1::CheckStatus code) { return StatusNames().Name(code); }
const std::string& CodeName(v1::Severity code) { return SeverityNames().Name(code); }
const std::string& CodeName(v1::QueueState code) { return QueueNames().Name(code); }
const std::string& CodeName(v1::CheckpointReason code) { return CheckpointNames().Name(code); }

std::optional<v1::Reason> ParseReason(std::string_view name) { return Parse<v1::Reason>(ReasonNames(), name); }
std::optional<v1::AlertKind> ParseAlertKind(std::string_view name) {
  return Parse<v1::AlertKind>(AlertNames(), name);
}
std::optional<v1::Verdict> ParseVerdict(std::string_view name) { return Parse<v1::Verdict>(VerdictNames(), name); }
std::optional<v1::CheckStatus> ParseCheckStatus(std::string_view name) {
  return Parse<v1::CheckStatus>(StatusNames(), name);
}
std::optional<v1::Severity> ParseSeverity(std::string_view name) {
  return Parse<v1::Severity>(SeverityNames(), name);
}
std::optional<v1::CheckpointReason> ParseCheckpointReason(std::string_view name) {
  return Parse<v1::CheckpointReason>(CheckpointNames(), name);
}

}  // namespace gradcap
