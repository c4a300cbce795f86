// The photos `validator calibrate` works from: a plain folder of JPEGs a
// photographer marked good (or bad), or a day's export (`gradcap export`),
// whose manifest says what became of each photo at the booth — passed, let
// through by the operator with a reason (/ok: the operator judged the check
// wrong, which is what calibration learns from), or failed and sent to
// retake (a --force export). Files that cannot be used are named with why.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "validator/calibrate.h"

namespace gradcap::validator {

struct PhotoFile {
  std::string file, bytes;
  bool by_operator = false;  // an export's failed photo the operator let through
};

// The readable files of `dir`, in name order (sub-folders and unreadable
// files go to `skipped`; whether a file is a photo is the validator's call).
std::vector<PhotoFile> ReadFolder(const std::string& dir, std::vector<SkippedPhoto>* skipped);

// Whether `dir` is a day's export: it holds a manifest.csv (one college's
// folder) or a sub-folder does (the export's root).
bool IsExport(const std::string& dir);

struct ExportPhotos {
  std::vector<PhotoFile> good;  // verdict pass or passed_by_operator
  std::vector<PhotoFile> bad;   // verdict fail (only in a --force export)
  int passed = 0, by_operator = 0, failed = 0;
  std::vector<std::string> manifests;  // the manifest files read
};

// Reads the export at `dir` (a college's folder, or the root with one per
// college) into `out`. A manifest that cannot be parsed or lacks a column, a
// row whose photo is missing or whose bytes no longer hash to its
// sha256_file, a photo without a verdict yet, and a JPEG the manifest does
// not list are named in `skipped`; the rest is read.
void ReadExport(const std::string& dir, ExportPhotos* out, std::vector<SkippedPhoto>* skipped);

}  // namespace gradcap::validator
