// libFuzzer: any text a photographer can save as a rules file. ParseRules
// must never crash; a bad file is an error naming it; a good one must
// survive FormatRules and parse back to the same rules.
#include <cstdint>
#include <string>
#include <string_view>

#include "validator/rules_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gradcap::validator;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<RuleSet> rules = ParseRules(text, "fuzz.rules");
  if (!rules.ok()) {
    if (rules.status().message().find("fuzz.rules") == std::string::npos) __builtin_trap();
    return 0;
  }
  const std::string formatted = FormatRules(*rules, "");
  absl::StatusOr<RuleSet> again = ParseRules(formatted, "formatted.rules");
  if (!again.ok() || !RuleDifferences(*rules, *again).empty()) __builtin_trap();
  return 0;
}
