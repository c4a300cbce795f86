#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through CTest.
#   tests/run.sh                 everything
#   tests/run.sh -L fault        only tests with a CTest label
#   GRADCAP_SANITIZE=1 tests/run.sh   build with ASan+UBSan (in build-asan/)
#   tests/run.sh -L fuzz         only the fuzzers (20 s each; fuzz/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/fetch-test-data.sh
tests/faces/fetch-face-sets.sh
if [ "${GRADCAP_SANITIZE:-0}" = 1 ]; then
  export GRADCAP_BUILD_DIR=${GRADCAP_BUILD_DIR:-build-asan}
  deploy/build.sh -DGRADCAP_SANITIZE=ON
else
  deploy/build.sh
fi
# The libFuzzer targets, with clang in a build directory of their own (the
# `fuzz` tests run each for a bounded time; skipped when this built nothing).
deploy/build-fuzz.sh
cd "${GRADCAP_BUILD_DIR:-build}"
ctest -j"$(nproc)" --output-on-failure --timeout 900 "$@"
