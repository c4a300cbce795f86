#!/usr/bin/env bash
# What a keyboard-wedge scanner types at one quickstart booth: the codes of
# COLLEGE's students in roster order, one line each, about 4 per second
# (SCAN_INTERVAL_S, default 0.25), then three the booth must refuse: a
# payment QR, a repeated code, and a code of OTHER_COLLEGE.
#   deploy/scanner-feed.sh CODES_CSV COLLEGE OTHER_COLLEGE | booth-agent --stdin_scans ...
# Exits 0 once everything is typed; it is one side of a pipeline run under
# pipefail, so nothing in it may end early by a SIGPIPE of its own.
set -euo pipefail
codes=$1 college=$2 other=$3
interval=${SCAN_INTERVAL_S:-0.25}
first=""
while IFS=, read -r _ _ col _ _ _ payload; do
  [ "$col" = "$college" ] || continue
  [ -n "$first" ] || first=$payload
  echo "$payload"
  sleep "$interval"
done < <(tail -n +2 "$codes")
echo "https://qr.alipay.com/fkx12345"
echo "$first"
# awk reads the file itself and stops at the first match. `grep | head -1`
# here let head exit while grep was still writing (the sample's other college
# is ~6 KB of lines, two writes): grep died of SIGPIPE, pipefail made the
# feed exit 141, and quickstart reported "a booth failed" about one run in
# five although the booth itself had exited 0.
awk -F, -v college="$other" '$3 == college { print $7; exit }' "$codes"
