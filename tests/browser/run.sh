#!/usr/bin/env bash
# CTest entry for the browser test: skips (exit 77) with a clear message only
# when Debian's chromium is absent; playwright-core comes from the project's
# install step (deploy/install-deps.sh runs npm ci here).
#   run.sh GRADCAP_BIN ARTIFACTS_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x /usr/bin/chromium ]; then
  echo "SKIP: /usr/bin/chromium is not installed (deploy/install-deps.sh installs it): the browser test cannot run"
  exit 77
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "tests/browser: playwright-core is missing: run deploy/install-deps.sh (npm ci in tests/browser)" >&2
  exit 1
fi
mkdir -p "$2"
GRADCAP_BIN="$1" ARTIFACTS_DIR="$2" exec node --test --test-reporter=spec "$here/supervisor.test.mjs"
