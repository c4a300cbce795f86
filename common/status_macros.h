// Early-return helpers for absl::Status. Abseil 20220623 (Debian 12) ships no
// RETURN_IF_ERROR / ASSIGN_OR_RETURN, so gradcap defines its own, once.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define GRADCAP_CONCAT_INNER(a, b) a##b
#define GRADCAP_CONCAT(a, b) GRADCAP_CONCAT_INNER(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define GRADCAP_RETURN_IF_ERROR(expr)            \
  do {                                           \
    ::absl::Status gradcap_status_ = (expr);     \
    if (!gradcap_status_.ok()) return gradcap_status_; \
  } while (0)

// `lhs = value of expr` or return its status. `lhs` may declare a variable.
#define GRADCAP_ASSIGN_OR_RETURN(lhs, expr) \
  GRADCAP_ASSIGN_OR_RETURN_IMPL(GRADCAP_CONCAT(gradcap_statusor_, __LINE__), lhs, expr)

#define GRADCAP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()
