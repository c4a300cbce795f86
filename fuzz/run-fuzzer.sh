#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time, as a test.
#   fuzz/run-fuzzer.sh FUZZER SEED_DIR SECONDS WORK_DIR
# New inputs go to WORK_DIR/corpus (the seeds in the repository stay as
# they are); a crash leaves WORK_DIR/crash-* and fails the test — turn it
# into a unit test case beside the parser and keep the input. Exits 77
# (skipped) when the fuzz build is absent (deploy/build-fuzz.sh makes it).
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=$3 work=$4
if [ ! -x "$fuzzer" ]; then
  echo "skipped: $fuzzer is not built (deploy/build-fuzz.sh builds the fuzzers with clang)"
  exit 77
fi
mkdir -p "$work/corpus"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -error_exitcode=1 -timeout_exitcode=1 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$seeds"
