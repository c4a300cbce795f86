// Calibration: the measures of photos a photographer marked good (and,
// optionally, bad) against the current limits, and the limits that would
// keep false retakes under a target — per measure, and for all measures
// together (two measures each within the target may flag different photos:
// the one flagging most then lets more through). A suggestion only ever
// loosens a limit that flags more good photos than allowed; a limit that
// already meets it is kept (the distribution shows how much room it has).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "proto/gradcap.pb.h"
#include "validator/measures.h"
#include "validator/rules.h"

namespace gradcap::validator {

struct Distribution {
  int n = 0;
  double min = 0, p5 = 0, p50 = 0, p95 = 0, max = 0;
};

struct MeasureCalibration {
  const MeasureSpec* spec = nullptr;
  bool warn = false;  // the check's severity: warn (the operator decides) or reject (a retake)
  Distribution good;
  std::pair<double, double> limit;                   // {lo, hi} as MeasureLimits gives them
  std::pair<double, double> suggested;               // equal to `limit` when it is kept
  int good_flagged = 0, good_flagged_suggested = 0;  // good photos this measure alone fails
  int bad_n = 0, bad_flagged = 0, bad_flagged_suggested = 0;
  bool changed() const { return suggested != limit; }
};

struct SkippedPhoto {
  std::string file, reason;
};

struct Calibration {
  std::string rule_set;
  double max_false_retake = 0.05;
  int good_photos = 0, bad_photos = 0;
  std::vector<MeasureCalibration> measures;
  RuleSet suggested;  // the current rules with every changed limit; version named by the caller
  // Whole verdicts (every check, not one measure), filled in by the caller
  // that can re-run the photos under the suggested rules.
  int good_retake_now = 0, good_retake_suggested = 0;
  int bad_caught_now = 0, bad_caught_suggested = 0;
  std::vector<SkippedPhoto> skipped;
  // From a day's export (calibrate_inputs.h): the manifests read, and its
  // photos by what the booth made of them. Photos the operator let through
  // are good photos here: `overruled` counts the checks that still send them
  // back under the current rules (check id → photos).
  std::vector<std::string> export_manifests;
  int export_passed = 0, export_by_operator = 0, export_failed = 0;
  std::map<std::string, int> overruled;
  std::string written_rules;  // the path --write_rules wrote, if any
};

// `good` and `bad` are results of readable photos (image_format passed).
Calibration Calibrate(const std::vector<v1::ValidationResult>& good,
                      const std::vector<v1::ValidationResult>& bad, const RuleSet& rules,
                      double max_false_retake);

// Percentiles by linear interpolation between order statistics.
Distribution Describe(std::vector<double> values);

// A new version name for changed rules: "<current>-cal-<8 hex digits of the
// values>", the same for the same limits (no clock involved).
std::string SuggestedVersion(const RuleSet& current, const RuleSet& suggested);

// The report for people (Chinese and English labels) and for programs.
std::string CalibrationText(const Calibration& c);
std::string CalibrationJson(const Calibration& c);

}  // namespace gradcap::validator
