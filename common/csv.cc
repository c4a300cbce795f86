#include "common/csv.h"

#include <iconv.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace gradcap {
namespace {

absl::StatusOr<std::string> Gb18030ToUtf8(const std::string& in, const std::string& name) {
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1)) return absl::InternalError("iconv has no GB18030 converter");
  std::string out(in.size() * 2 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  size_t r = iconv(cd, &src, &src_left, &dst, &dst_left);
  const int err = errno;
  iconv_close(cd);
  if (r == static_cast<size_t>(-1)) {
    const size_t at = in.size() - src_left;
    return absl::InvalidArgumentError(absl::StrCat(name, ": neither UTF-8 nor GB18030 text (bad byte at offset ", at,
                                                   err == EINVAL ? ", file ends inside a character)" : ")"));
  }
  out.resize(out.size() - dst_left);
  return out;
}

std::string Trim(std::string s) {
  // Full-width spaces (U+3000) come with pasted Chinese text; trim them too.
  auto strip = [&s](bool front) {
    while (!s.empty()) {
      if (front && s.rfind("\xE3\x80\x80", 0) == 0) { s.erase(0, 3); continue; }
      if (!front && s.size() >= 3 && s.compare(s.size() - 3, 3, "\xE3\x80\x80") == 0) { s.resize(s.size() - 3); continue; }
      const unsigned char c = front ? s.front() : s.back();
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
      if (front) {
        s.erase(0, 1);
      } else {
        s.pop_back();
      }
    }
  };
  strip(true);
  strip(false);
  return s;
}

char DetectDelimiter(const std::string& text) {
  size_t commas = 0, tabs = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') break;
    if (c == ',') ++commas;
    if (c == '\t') ++tabs;
  }
  return tabs > commas ? '\t' : ',';
}

}  // namespace

bool IsValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    const unsigned char next = s[i + 1 < s.size() ? i + 1 : i];
    if (len == 2 && c < 0xc2) return false;                   // overlong
    if (len == 3 && c == 0xe0 && next < 0xa0) return false;  // overlong
    if (len == 3 && c == 0xed && next >= 0xa0) return false;  // a UTF-16 surrogate (U+D800–DFFF)
    if (len == 4 && c == 0xf0 && next < 0x90) return false;  // overlong
    if (len == 4 && (c > 0xf4 || (c == 0xf4 && next >= 0x90))) return false;  // past U+10FFFF
    i += len;
  }
  return true;
}

absl::StatusOr<CsvTable> ParseCsv(const std::string& bytes, const std::string& name) {
  CsvTable table;
  table.name = name;
  std::string text;
  if (bytes.rfind("\xEF\xBB\xBF", 0) == 0) {
    text = bytes.substr(3);
    table.encoding = "UTF-8 (BOM)";
    if (!IsValidUtf8(text)) return absl::InvalidArgumentError(absl::StrCat(name, ": has a UTF-8 BOM but is not valid UTF-8"));
  } else if (IsValidUtf8(bytes)) {
    text = bytes;
    table.encoding = "UTF-8";
  } else {
    absl::StatusOr<std::string> converted = Gb18030ToUtf8(bytes, name);
    if (!converted.ok()) return converted.status();
    text = std::move(*converted);
    table.encoding = "GB18030";
  }
  if (Trim(text).empty()) return absl::InvalidArgumentError(absl::StrCat(name, ": the file is empty"));
  table.delimiter = DetectDelimiter(text);

  std::vector<CsvRow> records;
  CsvRow row;
  std::string field;
  bool quoted = false, field_was_quoted = false;
  int line = 1;
  row.line = 1;
  int quote_line = 0;
  auto end_field = [&] {
    row.fields.push_back(field_was_quoted ? field : Trim(field));
    field.clear();
    field_was_quoted = false;
  };
  auto end_row = [&] {
    end_field();
    bool blank = true;
    for (const auto& f : row.fields) blank = blank && f.empty();
    if (!blank) records.push_back(std::move(row));
    row = CsvRow();
    row.line = line;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && Trim(field).empty()) {
      field.clear();
      quoted = true;
      field_was_quoted = true;
      quote_line = line;
    } else if (c == table.delimiter) {
      end_field();
    } else if (c == '\n') {
      ++line;
      end_row();
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  if (quoted) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " line ", quote_line, ": a quoted field is never closed (missing \")"));
  }
  end_row();
  if (records.empty()) return absl::InvalidArgumentError(absl::StrCat(name, ": the file is empty"));
  for (std::string& h : records.front().fields) table.header.push_back(Trim(h));
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].fields.size() != table.header.size()) {
      return absl::InvalidArgumentError(absl::StrCat(name, " line ", records[r].line, ": ", records[r].fields.size(),
                                                     " fields, but the header has ", table.header.size()));
    }
    table.rows.push_back(std::move(records[r]));
  }
  return table;
}

absl::StatusOr<CsvTable> ReadCsvFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  constexpr size_t kMaxCsvBytes = 256u << 20;
  if (ss.str().size() > kMaxCsvBytes) return absl::InvalidArgumentError(absl::StrCat(path, ": larger than 256 MiB"));
  return ParseCsv(ss.str(), path);
}

absl::StatusOr<std::map<std::string, int>> MapColumns(
    const CsvTable& table, const std::vector<std::pair<std::string, std::vector<std::string>>>& columns,
    const std::vector<std::string>& optional) {
  std::map<std::string, int> found;
  std::vector<std::string> missing;
  for (const auto& [canonical, names] : columns) {
    for (size_t i = 0; i < table.header.size(); ++i) {
      const std::string h = absl::AsciiStrToLower(table.header[i]);
      bool match = false;
      for (const std::string& n : names) match = match || h == absl::AsciiStrToLower(n);
      if (!match) continue;
      if (found.count(canonical)) {
        return absl::InvalidArgumentError(absl::StrCat(table.name, " line 1: column \"", canonical,
                                                       "\" appears twice (columns ", found[canonical] + 1,
                                                       " and ", i + 1, ")"));
      }
      found[canonical] = static_cast<int>(i);
    }
    bool is_optional = false;
    for (const auto& o : optional) is_optional = is_optional || o == canonical;
    if (!found.count(canonical) && !is_optional) {
      missing.push_back(absl::StrCat(canonical, " (", absl::StrJoin(names, " / "), ")"));
    }
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(table.name, " line 1: missing column",
                                                   missing.size() > 1 ? "s " : " ", absl::StrJoin(missing, ", "),
                                                   "; the header has: ", absl::StrJoin(table.header, ", ")));
  }
  return found;
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += '"';
  }
  return out + "\r\n";
}

}  // namespace gradcap
