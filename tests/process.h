// Test helpers around real child processes (common/subprocess.h).
#pragma once

#include <string>
#include <vector>

#include "common/subprocess.h"

namespace gradcap::testing {

using ::gradcap::ChildProcess;

using ::gradcap::FreeLoopbackPort;

// Waits until `path` exists and is non-empty; returns its first line.
std::string WaitForFile(const std::string& path, int timeout_ms);

// Runs a command to completion; returns its exit status and captures stdout.
int RunCommand(const std::vector<std::string>& argv, std::string* out, int timeout_ms = 60000);

std::string ReadFile(const std::string& path);

}  // namespace gradcap::testing
