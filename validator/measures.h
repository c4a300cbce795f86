// The measures checks record beside their pass/fail (CheckResult.measures)
// and the rules-file key each is held against, for `validator calibrate`.
// A check records a measure only when it measured it (not when undetermined).
#pragma once

#include <string>
#include <vector>

#include "validator/rules.h"

namespace gradcap::validator {

enum class LimitKind {
  kUpper,        // fails above key (× scale)
  kUpperStrict,  // fails at or above key
  kLower,        // fails below key
  kBand,         // fails below key or above key_max
};

struct MeasureSpec {
  const char* name;
  const char* check_id;
  LimitKind kind;
  const char* key;
  const char* key_max = nullptr;  // kBand only
  double scale = 1;               // the limit is scale × the key's value
};

// Every measure, in report order.
const std::vector<MeasureSpec>& AllMeasures();
const MeasureSpec* FindMeasure(const std::string& name);

// The limit(s) `spec` is held against under `rules`: {lo, hi} for a band,
// {limit, limit} otherwise.
std::pair<double, double> MeasureLimits(const MeasureSpec& spec, const RuleSet& rules);
// Whether `value` fails against limits {lo, hi} from MeasureLimits.
bool MeasureFails(const MeasureSpec& spec, double value, std::pair<double, double> limits);

}  // namespace gradcap::validator
