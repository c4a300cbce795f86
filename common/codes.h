// The names people read for the protocol's codes (proto/gradcap.proto:
// Reason, ErrorCode, AlertKind, Verdict, CheckStatus, Severity, QueueState,
// CheckpointReason):
// each value's name lower-cased without its prefix — REASON_UNPAID is
// "unpaid", ALERT_SCAN_BURST "scan_burst", VERDICT_PASS "pass". Programs
// compare the enums; reports, logs and JSON print these names. Parse*()
// reads a name back (nullopt for one that is not a code).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "proto/gradcap.pb.h"

namespace gradcap {

const std::string& CodeName(v1::Reason code);
const std::string& CodeName(v1::ErrorCode code);
const std::string& CodeName(v1::AlertKind code);
const std::string& CodeName(v1::Verdict code);
const std::string& CodeName(v1::CheckStatus code);
const std::string& CodeName(v1::Severity code);
const std::string& CodeName(v1::QueueState code);
const std::string& CodeName(v1::CheckpointReason code);

std::optional<v1::Reason> ParseReason(std::string_view name);
std::optional<v1::AlertKind> ParseAlertKind(std::string_view name);
std::optional<v1::Verdict> ParseVerdict(std::string_view name);
std::optional<v1::CheckStatus> ParseCheckStatus(std::string_view name);
std::optional<v1::Severity> ParseSeverity(std::string_view name);
std::optional<v1::CheckpointReason> ParseCheckpointReason(std::string_view name);

}  // namespace gradcap
