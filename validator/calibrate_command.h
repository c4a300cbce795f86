// `validator calibrate GOOD_DIR... [--bad DIR] [--json] [--write_rules FILE]`:
// checks every photo in the folders, reports the calibration (calibrate.h),
// re-checks the photos under the suggested limits for the whole-verdict
// counts, and writes the suggested rules file if asked. A file that is not a
// readable JPEG is named on stderr and skipped; it never stops the run.
#pragma once

#include <string>
#include <vector>

#include "validator/rules.h"

namespace gradcap::validator {

struct CalibrateOptions {
  std::string model;  // dlib landmark model
  RuleSet rules;      // the current limits
  std::vector<std::string> good_dirs;
  std::string bad_dir;  // optional
  bool json = false;
  std::string write_rules;    // optional: path for the suggested rules file
  std::string rules_version;  // optional: its version (default SuggestedVersion)
  double max_false_retake = 0.05;
};

// Returns the exit status: 0 done, 2 no good photo to calibrate on or a bad
// argument or the rules file could not be written.
int RunCalibrate(const CalibrateOptions& options);

}  // namespace gradcap::validator
