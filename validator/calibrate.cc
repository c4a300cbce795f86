#include "validator/calibrate.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/sha256.h"
#include "validator/rules_file.h"

namespace gradcap::validator {
namespace {

using Values = std::map<std::string, std::vector<double>>;  // measure name -> values, one per photo

Values Collect(const std::vector<v1::ValidationResult>& results) {
  Values out;
  for (const v1::ValidationResult& r : results) {
    for (const v1::CheckResult& c : r.checks()) {
      for (const v1::Measure& m : c.measures()) out[m.name()].push_back(m.value());
    }
  }
  return out;
}

bool WarnCheck(const std::vector<v1::ValidationResult>& results, std::string_view id) {
  for (const v1::ValidationResult& r : results) {
    for (const v1::CheckResult& c : r.checks()) {
      if (c.id() == id) return c.severity() == v1::SEVERITY_WARN;
    }
  }
  return false;
}

// A limit's key value rounded away from the photos it must let through, to
// about three significant digits (whole numbers for integer keys).
double RoundOutward(double v, bool up, bool integer) {
  double step = 1;
  if (!integer) step = v == 0 ? 0.001 : std::pow(10.0, std::floor(std::log10(std::abs(v))) - 2);
  auto clean = [](double x) { return std::stod(absl::StrFormat("%.12g", x)); };  // no 0.30000000000000004
  double r = clean((up ? std::ceil(v / step - 1e-9) : std::floor(v / step + 1e-9)) * step);
  if (up ? r < v : r > v) r = clean(r + (up ? step : -step));
  return r;
}

// The key value that lets through every value but the `allowed` most extreme.
double Loosened(const MeasureSpec& spec, const std::vector<double>& sorted, int allowed, bool upper,
                const char* key) {
  const int n = static_cast<int>(sorted.size());
  const double edge = upper ? sorted[n - 1 - allowed] : sorted[allowed];
  const bool integer = IsIntegerRule(key);
  double k = RoundOutward(edge / spec.scale, upper, integer);
  if (spec.kind == LimitKind::kUpperStrict && k * spec.scale <= edge)
    k += integer ? 1 : std::max(1e-3, k * 0.01);
  return k * spec.scale;
}

int Flagged(const MeasureSpec& spec, const std::vector<double>& values, std::pair<double, double> limits) {
  return static_cast<int>(
      std::count_if(values.begin(), values.end(), [&](double v) { return MeasureFails(spec, v, limits); }));
}

// The suggestion for one measure: the current limits, loosened on the side(s)
// that flag more than `budget` good photos.
std::pair<double, double> Suggest(const MeasureSpec& spec, std::vector<double> v,
                                  std::pair<double, double> limit, int budget) {
  std::sort(v.begin(), v.end());
  if (Flagged(spec, v, limit) <= budget) return limit;
  auto out = limit;
  if (spec.kind == LimitKind::kLower) {
    out.first = out.second = std::min(limit.first, Loosened(spec, v, budget, false, spec.key));
  } else if (spec.kind != LimitKind::kBand) {
    out.first = out.second = std::max(limit.second, Loosened(spec, v, budget, true, spec.key));
  } else {
    const int low =
        static_cast<int>(std::count_if(v.begin(), v.end(), [&](double x) { return x < limit.first; }));
    const int high =
        static_cast<int>(v.size()) - low -
        static_cast<int>(std::count_if(v.begin(), v.end(), [&](double x) { return x <= limit.second; }));
    int allow_low = budget / 2, allow_high = budget - budget / 2;
    if (low <= allow_low) {
      allow_low = low, allow_high = budget - low;
    } else if (high <= allow_high) {
      allow_high = high, allow_low = budget - high;
    }
    if (low > allow_low) out.first = std::min(limit.first, Loosened(spec, v, allow_low, false, spec.key));
    if (high > allow_high)
      out.second = std::max(limit.second, Loosened(spec, v, allow_high, true, spec.key_max));
  }
  return out;
}

// Writes a measure's suggestion into `rules`, never tightening what another
// measure on the same key (earring and necklace share one) has loosened.
void Apply(const MeasureSpec& spec, std::pair<double, double> s, RuleSet* rules) {
  auto set = [&](const char* key, double limit, bool upper) {
    const double now = RuleValue(*rules, key).value_or(0);
    const double want = limit / spec.scale;
    SetRuleValue(rules, key, upper ? std::max(now, want) : std::min(now, want));
  };
  switch (spec.kind) {
    case LimitKind::kLower:
      set(spec.key, s.first, false);
      break;
    case LimitKind::kBand:
      set(spec.key, s.first, false);
      set(spec.key_max, s.second, true);
      break;
    default:
      set(spec.key, s.second, true);
  }
}

}  // namespace

Distribution Describe(std::vector<double> v) {
  Distribution d;
  d.n = static_cast<int>(v.size());
  if (v.empty()) return d;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    const double pos = q * (v.size() - 1);
    const size_t i = static_cast<size_t>(std::floor(pos));
    return i + 1 < v.size() ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[i];
  };
  d.min = v.front();
  d.max = v.back();
  d.p5 = at(0.05);
  d.p50 = at(0.5);
  d.p95 = at(0.95);
  return d;
}

Calibration Calibrate(const std::vector<v1::ValidationResult>& good,
                      const std::vector<v1::ValidationResult>& bad, const RuleSet& rules,
                      double max_false_retake) {
  Calibration c;
  c.rule_set = rules.version;
  c.max_false_retake = max_false_retake;
  c.good_photos = static_cast<int>(good.size());
  c.bad_photos = static_cast<int>(bad.size());
  c.suggested = rules;
  const Values good_values = Collect(good), bad_values = Collect(bad);
  static const std::vector<double> kNone;
  auto values = [&](const Values& all, const MeasureSpec& spec) -> const std::vector<double>& {
    const auto it = all.find(spec.name);
    return it == all.end() ? kNone : it->second;
  };
  // Each measure may flag its share of the good photos it saw; then, while the
  // measures together flag more good photos than the target allows (each
  // within its share, but different photos), the measure flagging the most of
  // them gives up one more photo of its share.
  const std::vector<MeasureSpec>& specs = AllMeasures();
  std::vector<int> budget(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    budget[i] = static_cast<int>(max_false_retake * values(good_values, specs[i]).size() + 1e-9);
  }
  auto suggest = [&](size_t i) {
    const std::vector<double>& gv = values(good_values, specs[i]);
    const auto limit = MeasureLimits(specs[i], rules);
    return gv.empty() ? limit : Suggest(specs[i], gv, limit, budget[i]);
  };
  const int total_budget = static_cast<int>(max_false_retake * good.size() + 1e-9);
  for (;;) {
    std::vector<std::pair<double, double>> limits(specs.size());
    for (size_t i = 0; i < specs.size(); ++i) limits[i] = suggest(i);
    std::vector<int> flagging(specs.size(), 0);
    int flagged_photos = 0;
    for (const v1::ValidationResult& r : good) {
      std::vector<size_t> by;
      for (const v1::CheckResult& ch : r.checks()) {
        if (ch.severity() == v1::SEVERITY_WARN) continue;  // a warning is no retake
        for (const v1::Measure& m : ch.measures()) {
          for (size_t i = 0; i < specs.size(); ++i) {
            if (m.name() == specs[i].name && MeasureFails(specs[i], m.value(), limits[i])) by.push_back(i);
          }
        }
      }
      flagged_photos += !by.empty();
      for (size_t i : by) ++flagging[i];
    }
    if (flagged_photos <= total_budget) break;
    size_t worst = specs.size();
    for (size_t i = 0; i < specs.size(); ++i) {
      if (budget[i] > 0 && flagging[i] > 0 && (worst == specs.size() || flagging[i] > flagging[worst])) worst = i;
    }
    if (worst == specs.size()) break;  // every flagging measure already lets all good photos through
    --budget[worst];
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    const MeasureSpec& spec = specs[i];
    const std::vector<double>& gv = values(good_values, spec);
    const std::vector<double>& bv = values(bad_values, spec);
    MeasureCalibration m;
    m.spec = &spec;
    m.warn = WarnCheck(good, spec.check_id);
    m.good = Describe(gv);
    m.limit = MeasureLimits(spec, rules);
    // The budget is of the photos this measure saw (a check that could not
    // measure a photo did not flag it either).
    m.suggested = suggest(i);
    m.good_flagged = Flagged(spec, gv, m.limit);
    m.good_flagged_suggested = Flagged(spec, gv, m.suggested);
    m.bad_n = static_cast<int>(bv.size());
    m.bad_flagged = Flagged(spec, bv, m.limit);
    m.bad_flagged_suggested = Flagged(spec, bv, m.suggested);
    if (m.changed()) Apply(spec, m.suggested, &c.suggested);
    c.measures.push_back(m);
  }
  KeepBandsOrdered(rules, &c.suggested);
  return c;
}

std::string SuggestedVersion(const RuleSet& current, const RuleSet& suggested) {
  RuleSet unnamed = suggested;
  unnamed.version = "x";
  const std::string digest = ToHex(DigestBytes(Sha256(FormatRules(unnamed, ""))));
  std::string base = current.version.substr(0, 50);  // the name stays under the 64 a rules file allows
  if (const size_t cal = base.find("-cal-"); cal != std::string::npos) base.resize(cal);  // no -cal-…-cal-…
  return absl::StrCat(base, "-cal-", digest.substr(0, 8));
}

}  // namespace gradcap::validator
