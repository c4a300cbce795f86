// The validator's limits as a versioned text file a photographer can edit:
//
//   # comments run from '#' to the end of the line
//   version = chsi2017-r16
//   face_l_min = 30          # median L* of the face
//   background_rgb = 100, 197, 255
//
// Every key of RuleSet must appear exactly once, with `version` (the name
// every verdict carries and worker caches are keyed on). A bad file is an
// InvalidArgument naming the file, the line and the key: unknown key, bad
// number, duplicate, missing key or version, value out of its sane range, a
// band whose min is above its max. The shipped default is
// validator/rules/chsi2017-r16.rules and equals RuleSet{}.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "validator/rules.h"

namespace gradcap::validator {

// `source` names the text in error messages (a path).
absl::StatusOr<RuleSet> ParseRules(std::string_view text, std::string_view source);
absl::StatusOr<RuleSet> LoadRulesFile(const std::string& path);

// The rules as a file ParseRules reads back to the same RuleSet, one key a
// line with its meaning as a comment; `header` (may be empty) goes first as
// comment lines.
std::string FormatRules(const RuleSet& rules, std::string_view header);

// The numeric limits by key (background_rgb is not one: it is a colour).
// Used by calibration, which moves one limit at a time.
std::optional<double> RuleValue(const RuleSet& rules, std::string_view key);
bool SetRuleValue(RuleSet* rules, std::string_view key, double value);
// Whether `key` holds whole numbers (pixels of the image size, KB, quality).
bool IsIntegerRule(std::string_view key);

// Where a limit moved past its band's partner (calibration loosening a warn
// edge such as min_eye_aspect below its retake edge reject_eye_aspect), the
// partner follows it, so the rules stay loadable: the moved key is the one
// that differs from `before`.
void KeepBandsOrdered(const RuleSet& before, RuleSet* rules);

// Keys (and "version") whose values differ between the two, in file order.
std::vector<std::string> RuleDifferences(const RuleSet& a, const RuleSet& b);

}  // namespace gradcap::validator
