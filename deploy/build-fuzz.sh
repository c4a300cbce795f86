#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with Debian's clang into
# ${GRADCAP_FUZZ_BUILD_DIR:-build-fuzz}: a build directory of its own, so the
# main g++ build stays as it is. Skips (exit 0, with a message) when clang or
# libFuzzer is not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${GRADCAP_FUZZ_BUILD_DIR:-build-fuzz}
CLANG=${CLANGXX:-$(command -v clang++ || command -v clang++-14 || true)}
if [ -z "$CLANG" ] || ! "$CLANG" -print-file-name=libclang_rt.fuzzer-x86_64.a | grep -q /; then
  echo "build-fuzz: clang++ with libFuzzer (Debian: clang libclang-rt-14-dev) not found: fuzzers not built"
  exit 0
fi
GENERATOR=()
command -v ninja >/dev/null && GENERATOR=(-G Ninja)
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$CLANG" \
    -DGRADCAP_FUZZ=ON
fi
cmake --build "$BUILD_DIR" -j"${GRADCAP_BUILD_JOBS:-$(nproc)}"
