#include "validator/calibrate_inputs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/codes.h"
#include "common/csv.h"
#include "common/export_layout.h"
#include "common/sha256.h"

namespace gradcap::validator {
namespace {

namespace fs = std::filesystem;

bool ReadBytes(const fs::path& path, std::string* bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();  // an empty file reads as empty: image_format names it
  *bytes = s.str();
  return true;
}

// The entries of `dir` in name order, hidden ones (.DS_Store, editor files) left out.
std::vector<fs::path> Entries(const std::string& dir, std::error_code* ec) {
  std::vector<fs::path> out;
  for (fs::directory_iterator it(dir, *ec), end; !*ec && it != end; it.increment(*ec)) {
    if (it->path().filename().string().front() == '.') continue;
    out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool HasManifest(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / export_layout::kManifest, ec);
}

bool LooksLikeJpeg(const fs::path& p) {
  const std::string ext = absl::AsciiStrToLower(p.extension().string());
  return ext == ".jpg" || ext == ".jpeg";
}

// One college's folder: its manifest's rows, by verdict.
void ReadCollege(const fs::path& dir, ExportPhotos* out, std::vector<SkippedPhoto>* skipped) {
  const fs::path manifest = dir / export_layout::kManifest;
  absl::StatusOr<CsvTable> table = ReadCsvFile(manifest.string());
  if (!table.ok()) {
    skipped->push_back({manifest.string(),
                        absl::StrCat("清单无法读取 / cannot read the manifest: ", table.status().message())});
    return;
  }
  absl::StatusOr<std::map<std::string, int>> col =
      MapColumns(*table, {{"file", {"file"}}, {"verdict", {"verdict"}}, {"sha256_file", {"sha256_file"}}},
                 /*optional=*/{"sha256_file"});
  if (!col.ok()) {
    skipped->push_back(
        {manifest.string(), absl::StrCat("不是导出清单 / not an export manifest: ", col.status().message())});
    return;
  }
  out->manifests.push_back(manifest.string());
  std::set<std::string> listed;
  for (const CsvRow& row : table->rows) {
    const std::string where = absl::StrCat(manifest.string(), ":", row.line);
    const std::string& name = row.fields[col->at("file")];
    const std::string& verdict = row.fields[col->at("verdict")];
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
      skipped->push_back(
          {where, absl::StrCat("文件名无效 / not a file name in this folder: \"", name, "\"")});
      continue;
    }
    listed.insert(name);
    const bool by_operator = verdict == export_layout::kPassedByOperator;
    const std::optional<v1::Verdict> v = ParseVerdict(verdict);
    if (!by_operator && (!v || *v == v1::VERDICT_PENDING)) {
      skipped->push_back(
          {(dir / name).string(),
           v ? std::string("尚无结论，不算合格也不算不合格 / no verdict yet: neither good nor bad")
             : absl::StrCat("结论无法识别 / unknown verdict \"", verdict, "\" (", where, ")")});
      continue;
    }
    PhotoFile photo{(dir / name).string(), "", by_operator};
    if (!ReadBytes(dir / name, &photo.bytes)) {
      skipped->push_back(
          {photo.file, absl::StrCat("清单列出但文件无法读取 / listed in ", where, " but cannot be read")});
      continue;
    }
    const std::string want =
        col->count("sha256_file") ? absl::AsciiStrToLower(row.fields[col->at("sha256_file")]) : std::string();
    if (!want.empty() && ToHex(Sha256(photo.bytes)) != want) {
      skipped->push_back(
          {photo.file, absl::StrCat("内容与清单的 sha256_file 不符（导出后被改动？）/ its bytes do not "
                                    "hash to the manifest's sha256_file (changed after the export?), ",
                                    where)});
      continue;
    }
    if (by_operator) {
      ++out->by_operator;
      out->good.push_back(std::move(photo));
    } else if (*v == v1::VERDICT_PASS) {
      ++out->passed;
      out->good.push_back(std::move(photo));
    } else {
      ++out->failed;
      out->bad.push_back(std::move(photo));
    }
  }
  std::error_code ec;
  for (const fs::path& p : Entries(dir.string(), &ec)) {
    if (LooksLikeJpeg(p) && !listed.count(p.filename().string()))
      skipped->push_back({p.string(), "清单中没有，未使用 / not in the manifest: not used"});
  }
}

}  // namespace

std::vector<PhotoFile> ReadFolder(const std::string& dir, std::vector<SkippedPhoto>* skipped) {
  std::vector<PhotoFile> out;
  std::error_code ec;
  const std::vector<fs::path> files = Entries(dir, &ec);
  if (ec) {
    skipped->push_back({dir, absl::StrCat("文件夹无法读取 / cannot read the folder: ", ec.message())});
    return out;
  }
  if (files.empty()) skipped->push_back({dir, "文件夹为空 / the folder is empty"});
  for (const fs::path& path : files) {
    if (fs::is_directory(path, ec)) {
      skipped->push_back({path.string(), "是文件夹，不递归 / a folder (not searched)"});
      continue;
    }
    PhotoFile photo{path.string(), "", false};
    if (!ReadBytes(path, &photo.bytes)) {
      skipped->push_back({path.string(), "文件无法读取 / cannot read the file"});
      continue;
    }
    out.push_back(std::move(photo));
  }
  return out;
}

bool IsExport(const std::string& dir) {
  if (HasManifest(dir)) return true;
  std::error_code ec;
  for (const fs::path& p : Entries(dir, &ec)) {
    if (fs::is_directory(p, ec) && HasManifest(p)) return true;
  }
  return false;
}

void ReadExport(const std::string& dir, ExportPhotos* out, std::vector<SkippedPhoto>* skipped) {
  if (HasManifest(dir)) {
    ReadCollege(dir, out, skipped);
    return;
  }
  std::error_code ec;
  for (const fs::path& p : Entries(dir, &ec)) {
    if (!fs::is_directory(p, ec)) continue;  // EXPORT.txt and the like
    if (HasManifest(p)) {
      ReadCollege(p, out, skipped);
    } else {
      skipped->push_back(
          {p.string(), "导出中的文件夹没有 manifest.csv / a folder of the export without manifest.csv"});
    }
  }
}

}  // namespace gradcap::validator
