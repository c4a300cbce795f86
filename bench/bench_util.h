// Small helpers every benchmark here needs: quantiles, whole files, a
// process's resident memory, and roster ID numbers that pass the checksum.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"

namespace gradcap::bench {

// The p-quantile (0..1) of `v`; 0 when empty.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Resident memory of a process in KB (VmRSS), -1 when gone.
inline long RssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// A valid resident ID number for student i: region, birth date, sequence
// (17 digits), then the check character.
inline std::string IdNumber(int i) {
  std::string body = absl::StrFormat("%06d20010101%03d", 360102 + i / 1000, i % 1000);
  const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int k = 0; k < 17; ++k) sum += (body[k] - '0') * weights[k];
  return body + "10X98765432"[sum % 11];
}

}  // namespace gradcap::bench
