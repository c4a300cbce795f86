// The calibration report: a table for the photographer, JSON for programs.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/json_text.h"
#include "validator/calibrate.h"
#include "validator/checks.h"

namespace gradcap::validator {
namespace {

std::string Num(double v) { return absl::StrFormat("%.4g", v); }

// "30..88", "<= 24", ">= 0.72", "< 1": what passes.
std::string LimitText(const MeasureSpec& spec, std::pair<double, double> l) {
  switch (spec.kind) {
    case LimitKind::kUpper:
      return absl::StrCat("<= ", Num(l.second));
    case LimitKind::kUpperStrict:
      return absl::StrCat("< ", Num(l.second));
    case LimitKind::kLower:
      return absl::StrCat(">= ", Num(l.first));
    case LimitKind::kBand:
      return absl::StrCat(Num(l.first), "..", Num(l.second));
  }
  return "";
}

std::string Share(int k, int n) {
  return n ? absl::StrFormat("%d (%.0f%%)", k, 100.0 * k / n) : std::string("-");
}

// Pads to `width` terminal columns (a CJK character takes two).
std::string Pad(std::string_view s, size_t width) {
  size_t cols = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char b = s[i];
    if ((b & 0xC0) == 0x80) continue;  // continuation byte
    cols += b >= 0xE3 && b <= 0xED ? 2 : 1;
  }
  return std::string(s) + std::string(cols < width ? width - cols : 0, ' ');
}

std::string Percent(int k, int n) {
  return n ? absl::StrFormat("%d/%d (%.1f%%)", k, n, 100.0 * k / n) : "0/0";
}

std::string ExportJson(const Calibration& c) {
  if (c.export_manifests.empty()) return "";
  std::string out = ",\"export\":{\"manifests\":[";
  for (size_t i = 0; i < c.export_manifests.size(); ++i)
    absl::StrAppend(&out, i ? "," : "", JsonQuote(c.export_manifests[i]));
  absl::StrAppend(&out,
                  absl::StrFormat("],\"passed\":%d,\"passed_by_operator\":%d,\"failed\":%d,\"overruled\":{",
                                  c.export_passed, c.export_by_operator, c.export_failed));
  bool first = true;
  for (const auto& [check, n] : c.overruled) {
    absl::StrAppend(&out, first ? "" : ",", JsonQuote(check), ":", n);
    first = false;
  }
  return out + "}}";
}

}  // namespace

std::string CalibrationText(const Calibration& c) {
  std::string out = absl::StrFormat(
      "Calibration 校准: rule set 规则集 %s; %d good photos 合格照片, %d bad 不合格照片, %zu skipped 跳过\n"
      "Target 目标: each measure flags at most %.0f%% of the good photos 每项误判不超过 %.0f%%\n"
      "flagged = the measure alone fails the photo 该项单独判为不合格; sev reject = retake 重拍, warn = "
      "operator "
      "decides 操作员决定\n\n",
      c.rule_set, c.good_photos, c.bad_photos, c.skipped.size(), 100 * c.max_false_retake,
      100 * c.max_false_retake);
  if (!c.export_manifests.empty()) {
    absl::StrAppend(
        &out, absl::StrFormat("From the export 来自导出 (%zu manifest%s 清单): %d passed 合格, %d passed by "
                              "the operator 人工放行 (good 计为合格), %d failed 不合格 (bad 计为不合格)\n",
                              c.export_manifests.size(), c.export_manifests.size() == 1 ? "" : "s",
                              c.export_passed, c.export_by_operator, c.export_failed));
    if (!c.overruled.empty()) {
      std::vector<std::string> parts;
      for (const auto& [check, n] : c.overruled) parts.push_back(absl::StrCat(check, " ", n));
      absl::StrAppend(&out, "Checks operators overruled that still fail under ", c.rule_set,
                      " 操作员放行但按当前规则仍不合格的检查项: ", absl::StrJoin(parts, ", "), "\n");
    }
    absl::StrAppend(&out, "\n");
  }
  const int room = static_cast<int>(c.max_false_retake * c.good_photos + 1e-9);
  if (room == 0) {
    absl::StrAppend(&out, absl::StrFormat("Note 注意: %.0f%% of %d photos is less than one photo, so a "
                                          "suggestion lets every good photo through; "
                                          "shoot at least %.0f 照片太少，建议至少 %.0f 张\n\n",
                                          100 * c.max_false_retake, c.good_photos,
                                          std::ceil(1 / std::max(c.max_false_retake, 1e-3)),
                                          std::ceil(1 / std::max(c.max_false_retake, 1e-3))));
  }
  absl::StrAppend(&out,
                  absl::StrFormat("%-19s %-19s %-6s %4s %8s %8s %8s %8s %8s  %-14s %-9s  %-14s %-9s %s\n",
                                  "measure", "check", "sev", "n", "min", "p5", "p50", "p95", "max", "limit",
                                  "flagged", "suggested", "flagged", c.bad_photos ? "bad caught" : ""));
  absl::StrAppend(&out, Pad("测量项", 20), Pad("检查项", 20), Pad("", 7 + 4 + 45 + 2), Pad("当前限值", 15),
                  Pad("误判", 11), Pad("建议限值", 15), Pad("误判", 10), c.bad_photos ? "不合格检出" : "",
                  "\n");
  for (const MeasureCalibration& m : c.measures) {
    const MeasureSpec& s = *m.spec;
    std::string row =
        absl::StrFormat("%-19s %-19s %-6s %4d", s.name, s.check_id, m.warn ? "warn" : "reject", m.good.n);
    if (m.good.n == 0) {
      absl::StrAppend(&row, absl::StrFormat(" %8s %8s %8s %8s %8s  %-14s %-9s  %-14s %-9s", "-", "-", "-",
                                            "-", "-", LimitText(s, m.limit), "-", "(no data)", "-"));
    } else {
      absl::StrAppend(&row,
                      absl::StrFormat(" %8s %8s %8s %8s %8s  %-14s %-9s  ", Num(m.good.min), Num(m.good.p5),
                                      Num(m.good.p50), Num(m.good.p95), Num(m.good.max),
                                      LimitText(s, m.limit), Share(m.good_flagged, m.good.n)),
                      Pad(m.changed() ? LimitText(s, m.suggested) : "keep 保持", 15),
                      absl::StrFormat("%-9s", Share(m.good_flagged_suggested, m.good.n)));
    }
    if (c.bad_photos) {
      absl::StrAppend(
          &row, absl::StrFormat(" %d/%d -> %d/%d", m.bad_flagged, m.bad_n, m.bad_flagged_suggested, m.bad_n));
    }
    absl::StrAppend(&out, row, "\n");
  }
  absl::StrAppend(&out, "\nGood photos sent to retake 合格照片被判重拍: now 现在 ",
                  Percent(c.good_retake_now, c.good_photos), "; with the suggested limits 按建议限值 ",
                  Percent(c.good_retake_suggested, c.good_photos), "\n");
  if (c.bad_photos) {
    absl::StrAppend(&out, "Bad photos caught 不合格照片检出: now 现在 ",
                    Percent(c.bad_caught_now, c.bad_photos), "; with the suggested limits 按建议限值 ",
                    Percent(c.bad_caught_suggested, c.bad_photos), "\n");
  }
  for (const SkippedPhoto& s : c.skipped)
    absl::StrAppend(&out, "Skipped 跳过: ", s.file, ": ", s.reason, "\n");
  if (!c.written_rules.empty()) {
    absl::StrAppend(&out, "Suggested rules written 建议规则已写入: ", c.written_rules, " (version 版本 ",
                    c.suggested.version, ")\n");
  }
  return out;
}

std::string CalibrationJson(const Calibration& c) {
  std::string out = absl::StrCat(
      "{\"rule_set\":", JsonQuote(c.rule_set), ",\"suggested_rule_set\":", JsonQuote(c.suggested.version),
      absl::StrFormat(
          ",\"max_false_retake\":%g,\"good\":{\"photos\":%d,\"retake_now\":%d,\"retake_suggested\":%d}",
          c.max_false_retake, c.good_photos, c.good_retake_now, c.good_retake_suggested),
      absl::StrFormat(",\"bad\":{\"photos\":%d,\"caught_now\":%d,\"caught_suggested\":%d}", c.bad_photos,
                      c.bad_caught_now, c.bad_caught_suggested),
      ExportJson(c), ",\"measures\":[");
  for (size_t i = 0; i < c.measures.size(); ++i) {
    const MeasureCalibration& m = c.measures[i];
    absl::StrAppend(
        &out, i ? "," : "", "{\"name\":", JsonQuote(m.spec->name), ",\"check\":", JsonQuote(m.spec->check_id),
        ",\"severity\":", JsonQuote(m.warn ? "warn" : "reject"), ",\"key\":", JsonQuote(m.spec->key));
    if (m.spec->key_max) absl::StrAppend(&out, ",\"key_max\":", JsonQuote(m.spec->key_max));
    absl::StrAppend(&out, absl::StrFormat(",\"n\":%d", m.good.n));
    if (m.good.n) {
      absl::StrAppend(&out,
                      absl::StrFormat(",\"min\":%.6g,\"p5\":%.6g,\"p50\":%.6g,\"p95\":%.6g,\"max\":%.6g",
                                      m.good.min, m.good.p5, m.good.p50, m.good.p95, m.good.max));
    }
    absl::StrAppend(&out,
                    absl::StrFormat(",\"limit\":[%.6g,%.6g],\"suggested\":[%.6g,%.6g],\"changed\":%s",
                                    m.limit.first, m.limit.second, m.suggested.first, m.suggested.second,
                                    m.changed() ? "true" : "false"),
                    absl::StrFormat(",\"good_flagged\":%d,\"good_flagged_suggested\":%d", m.good_flagged,
                                    m.good_flagged_suggested),
                    absl::StrFormat(",\"bad_n\":%d,\"bad_flagged\":%d,\"bad_flagged_suggested\":%d}", m.bad_n,
                                    m.bad_flagged, m.bad_flagged_suggested));
  }
  absl::StrAppend(&out, "],\"skipped\":[");
  for (size_t i = 0; i < c.skipped.size(); ++i) {
    absl::StrAppend(&out, i ? "," : "", "{\"file\":", JsonQuote(c.skipped[i].file),
                    ",\"reason\":", JsonQuote(c.skipped[i].reason), "}");
  }
  absl::StrAppend(&out, "]");
  if (!c.written_rules.empty()) absl::StrAppend(&out, ",\"written_rules\":", JsonQuote(c.written_rules));
  return out + "}";
}

}  // namespace gradcap::validator
