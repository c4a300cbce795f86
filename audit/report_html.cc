#include "audit/report_html.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/codes.h"
#include "common/local_time.h"

namespace gradcap {
namespace {

std::string Esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Page(const std::string& title, const std::string& body) {
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>", Esc(title),
      "</"
      "title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;"
      "margin:1em 0}"
      "td,th{border:1px solid #bbb;padding:3px 8px;text-align:left}th{background:#eef}td.n{text-align:right}"
      ".bad{color:#b00}.ok{color:#070}svg text{font-size:12px}img{height:80px}</style></head>\n<body>\n<h1>",
      Esc(title), "</h1>\n", body, "</body></html>\n");
}

// Horizontal bars, one per (label, value).
std::string BarChart(const std::vector<std::pair<std::string, double>>& bars) {
  if (bars.empty()) return "<p>(none)</p>\n";
  double top = 1;
  for (const auto& [label, v] : bars) top = std::max(top, v);
  const int row = 20, label_w = 220, bar_w = 400;
  std::string svg = absl::StrFormat("<svg width=\"%d\" height=\"%d\" role=\"img\">\n", label_w + bar_w + 60,
                                    row * static_cast<int>(bars.size()) + 4);
  for (size_t i = 0; i < bars.size(); ++i) {
    const int y = static_cast<int>(i) * row;
    const int w = static_cast<int>(bars[i].second / top * bar_w);
    absl::StrAppendFormat(
        &svg,
        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text><rect x=\"%d\" y=\"%d\" width=\"%d\" "
        "height=\"%d\" fill=\"#4a7bd0\"/><text x=\"%d\" y=\"%d\">%g</text>\n",
        label_w - 6, y + 14, Esc(bars[i].first), label_w, y + 3, std::max(w, 1), row - 6, label_w + w + 4,
        y + 14, bars[i].second);
  }
  return svg + "</svg>\n";
}

// Columns over the hours of the day, one chart per booth.
std::string HourChart(const std::string& booth, const std::vector<std::pair<std::string, double>>& hours,
                      double top) {
  const int col = 34, height = 100, above = 34;  // room for the booth's name and the tallest column's value
  std::string svg = absl::StrFormat("<svg width=\"%d\" height=\"%d\" role=\"img\"><text x=\"0\" y=\"12\">%s</text>\n",
                                    col * static_cast<int>(hours.size()) + 10, above + height + 18, Esc(booth));
  for (size_t i = 0; i < hours.size(); ++i) {
    const int h = static_cast<int>(hours[i].second / std::max(top, 1.0) * height);
    const int x = static_cast<int>(i) * col + 4;
    absl::StrAppendFormat(&svg,
                          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#4a7bd0\"/>"
                          "<text x=\"%d\" y=\"%d\">%g</text><text x=\"%d\" y=\"%d\">%s</text>\n",
                          x, above + height - h, col - 8, std::max(h, 1), x, above + height - h - 4, hours[i].second,
                          x, above + height + 14, Esc(hours[i].first.substr(11)) + "h");
  }
  return svg + "</svg>\n";
}

std::string Row(const std::vector<std::string>& cells, bool header = false) {
  std::string out = "<tr>";
  for (const std::string& c : cells) {
    const bool number = !c.empty() && c.find_first_not_of("0123456789") == std::string::npos;
    absl::StrAppend(&out,
                    header   ? "<th>"
                    : number ? "<td class=\"n\">"
                             : "<td>",
                    Esc(c), header ? "</th>" : "</td>");
  }
  return out + "</tr>\n";
}

const std::vector<std::string>& CountHeader() {
  static const std::vector<std::string> header = {
      "名单 roster",   "已缴费 paid",    "已刷码 scanned", "已拍摄 photographed", "合格 passed",
      "人工放行 passed by operator", "待重拍 failed", "待审核 pending", "缺席 absent",    "排队中 waiting",      "未刷码 not scanned"};
  return header;
}

std::string ReconciliationTable(const DayReport& r) {
  std::vector<std::string> header = {"学院 college"};
  header.insert(header.end(), CountHeader().begin(), CountHeader().end());
  header.push_back("signed at close");
  std::string out = "<table>\n" + Row(header, true);
  for (size_t i = 0; i < r.colleges.size(); ++i) {
    const CollegeReport& c = r.colleges[i];
    std::vector<std::string> cells = {c.now.college()};
    const std::vector<std::string> counts = CountCells(c.now);
    cells.insert(cells.end(), counts.begin(), counts.end());
    cells.push_back(c.signed_close
                        ? absl::StrCat("record ", c.signed_close->log_seq, " by ", c.signed_close->actor)
                        : "not closed");
    std::string row = Row(cells);
    const std::string link =
        absl::StrCat("<a href=\"", CollegePageName(i), "\">", Esc(c.now.college()), "</a>");
    row.replace(row.find(Esc(c.now.college())), Esc(c.now.college()).size(), link);
    out += row;
  }
  return out + "</table>\n";
}

}  // namespace

std::vector<std::string> CountCells(const v1::Reconciliation& r) {
  return {absl::StrCat(r.roster()),          absl::StrCat(r.paid()),
          absl::StrCat(r.scanned()),         absl::StrCat(r.photographed()),
          absl::StrCat(r.passed()),          absl::StrCat(r.passed_by_operator()),
          absl::StrCat(r.failed_pending_retake()),
          absl::StrCat(r.verdict_pending()), absl::StrCat(r.absent()),
          absl::StrCat(r.waiting()),         absl::StrCat(r.not_scanned())};
}

std::string CollegePageName(size_t index) { return absl::StrCat("college-", index + 1, ".html"); }

std::string IndexHtml(const DayReport& r) {
  const DayFacts& f = r.facts;
  std::string body =
      absl::StrCat("<p>From the log alone, up to record ", f.log_head, " (hash ", f.head_hash.substr(0, 16),
                   "…); booth events from ", LocalTimeText(f.first_ms), " to ", LocalTimeText(f.last_ms),
                   ". Names are masked.</p>\n<h2>核对 Head count per college</h2>\n", ReconciliationTable(r));
  std::map<std::string, double> by_reason;
  for (const auto& [key, n] : f.refusals) by_reason[key.first] += n;
  std::vector<std::pair<std::string, double>> reasons(by_reason.begin(), by_reason.end());
  std::sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  absl::StrAppend(&body, "<h2>拒绝 Refusals by reason</h2>\n", BarChart(reasons));
  absl::StrAppend(&body, "<h2>拍摄量 Throughput per booth per hour (photos and retakes)</h2>\n");
  std::map<std::string, std::vector<std::pair<std::string, double>>> per_booth;
  double top = 1;
  for (const auto& [key, h] : f.throughput) {
    per_booth[key.first].push_back({key.second, static_cast<double>(h.photos + h.retakes)});
    top = std::max(top, static_cast<double>(h.photos + h.retakes));
  }
  for (const auto& [booth, hours] : per_booth) absl::StrAppend(&body, HourChart(booth, hours, top));
  std::vector<std::pair<std::string, double>> failed;
  for (const auto& [check, c] : f.checks) {
    if (c.failed > 0)
      failed.push_back({absl::StrCat(check, c.reject ? "" : " (warn)"), static_cast<double>(c.failed)});
  }
  std::sort(failed.begin(), failed.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  absl::StrAppend(&body, "<h2>未通过的检查 Failed checks by type (", f.verdicts, " verdicts, ",
                  f.failed_verdicts, " failed)</h2>\n", BarChart(failed));
  absl::StrAppend(&body, "<h2>人工放行 Operator overrides (", f.overrides.size(), ")</h2>\n");
  if (!f.overrides.empty()) {
    std::vector<std::pair<std::string, double>> by_check;
    for (const auto& [check, n] : f.overrides_by_check) by_check.push_back({check, static_cast<double>(n)});
    std::sort(by_check.begin(), by_check.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    absl::StrAppend(&body, "<p>By check overruled (for the next calibration):</p>\n", BarChart(by_check),
                    "<table>\n", Row({"record", "time", "booth", "number", "operator", "checks", "reason"}, true));
    for (const OverrideFact& o : f.overrides) {
      body += Row({absl::StrCat(o.log_seq), LocalTimeText(o.at_ms), o.booth, absl::StrCat(o.shooting_no),
                   o.operator_name, absl::StrJoin(o.checks, ", "), o.reason});
    }
    body += "</table>\n";
  }
  absl::StrAppend(&body, "<h2>预警 Alerts (", r.alerts.size(), ")</h2>\n<table>\n",
                  Row({"record", "time", "booth", "kind", "numbers", "detail"}, true));
  for (const CaptureDay::AlertEntry& a : r.alerts) {
    body += Row({absl::StrCat(a.log_seq), LocalTimeText(a.at_ms), a.alert.booth(), CodeName(a.alert.kind()),
                 absl::StrJoin(a.alert.shooting_nos(), ", "), a.alert.detail()});
  }
  absl::StrAppend(
      &body,
      "</table>\n<p>CSV: <a href=\"reconciliation.csv\">reconciliation</a>, <a "
      "href=\"refusals.csv\">refusals</a>, <a href=\"refused_messages.csv\">refused messages</a>, <a "
      "href=\"alerts.csv\">alerts</a>, <a "
      "href=\"throughput.csv\">throughput</a>, <a href=\"failed_checks.csv\">failed checks</a>, <a "
      "href=\"overrides.csv\">overrides</a>.</p>\n");
  return Page("毕业生图像采集 Capture day report", body);
}

std::string CollegeHtml(const DayReport& r, size_t index) {
  const CollegeReport& c = r.colleges[index];
  std::string body = "<p><a href=\"index.html\">← the day</a></p>\n<h2>核对 Head count</h2>\n<table>\n";
  std::vector<std::string> header = {""};
  header.insert(header.end(), CountHeader().begin(), CountHeader().end());
  body += Row(header, true);
  std::vector<std::string> now = {"at the end of the log"};
  for (const std::string& n : CountCells(c.now)) now.push_back(n);
  body += Row(now);
  if (c.signed_close) {
    std::vector<std::string> signed_row = {absl::StrCat("signed at record ", c.signed_close->log_seq, " by ",
                                                        c.signed_close->actor, ", ",
                                                        LocalTimeText(c.signed_close->at_ms))};
    for (const std::string& n : CountCells(c.signed_close->head_count)) signed_row.push_back(n);
    body += Row(signed_row);
  }
  body += "</table>\n";
  if (c.signed_close && !c.signed_close->override_reason.empty()) {
    absl::StrAppend(&body, "<p>Closed with students waiting: ", Esc(c.signed_close->override_reason),
                    "</p>\n");
  }
  std::vector<std::string> makeup;
  for (const v1::StudentReport& s : c.students) {
    if (s.status() != "photographed" || s.verdict() != "pass") makeup.push_back(s.student_no());
  }
  absl::StrAppend(&body, "<h2>补拍 Make-up list (", makeup.size(), ": no passing photo)</h2>\n<p>",
                  Esc(absl::StrJoin(makeup, ", ")), "</p>\n<h2>学生 Students</h2>\n<table>\n");
  std::vector<std::string> cols = {"学号 student", "姓名 name",     "status",  "booth", "#",
                                   "verdict",      "failed checks", "versions"};
  const bool thumbs =
      std::any_of(c.thumbnails.begin(), c.thumbnails.end(), [](const auto& t) { return !t.empty(); });
  if (thumbs) cols.push_back("photo");
  body += Row(cols, true);
  for (size_t i = 0; i < c.students.size(); ++i) {
    const v1::StudentReport& s = c.students[i];
    std::string row = Row({s.student_no(), s.masked_name(), s.status(), s.booth(),
                           s.shooting_no() ? absl::StrCat(s.shooting_no()) : "", s.verdict(),
                           absl::StrJoin(s.failed_checks(), ", "),
                           s.photo_versions() ? absl::StrCat(s.photo_versions()) : ""});
    if (thumbs) {
      row.insert(row.size() - 6, c.thumbnails[i].empty()
                                     ? "<td></td>"
                                     : absl::StrCat("<td><img src=\"", Esc(c.thumbnails[i]), "\" alt=\"",
                                                    Esc(s.student_no()), "\"></td>"));
    }
    body += row;
  }
  body += "</table>\n";
  return Page(absl::StrCat(c.now.college(), " — capture day"), body);
}

}  // namespace gradcap
