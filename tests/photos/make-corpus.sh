#!/usr/bin/env bash
# Builds the labelled photo corpus for the validator into OUTDIR:
#   tests/photos/make-corpus.sh OUTDIR
# Fetches the source photographs (fetch-photo-sources.sh; cached under
# ${GRADCAP_TEST_DATA:-/var/cache/gradcap/test-data}/photo-sources), then runs
# corpus_maker (env CORPUS_MAKER, default build/tests/photos/corpus_maker; build
# it with `cmake --build build --target corpus_maker`). Writes OUTDIR/*.jpg and
# OUTDIR/labels.json. Deterministic: same sources and binary, same bytes.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
maker=${CORPUS_MAKER:-$root/build/tests/photos/corpus_maker}
if [ ! -x "$maker" ]; then
  echo "make-corpus: $maker not found; build it: cmake --build build --target corpus_maker" >&2
  exit 1
fi
"$here/fetch-photo-sources.sh"
sources=${GRADCAP_TEST_DATA:-/var/cache/gradcap/test-data}/photo-sources
mkdir -p "$out"
# Only what corpus_maker writes is replaced; stale images from an older run go.
rm -f "$out"/*.jpg "$out"/labels.json
"$maker" --sources "$sources" --out "$out"
