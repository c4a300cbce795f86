#!/usr/bin/env bash
# deploy/scanner-feed.sh under pipefail, as quickstart runs it, with a roster
# whose other college fills far more than a pipe (64 KiB): every line comes
# out in order and the feed exits 0. An early-exiting reader inside the feed
# (`grep | head -1`) makes this fail every time, not one run in five.
#   tests/deploy/scanner_feed_test.sh [FEED_SCRIPT]
set -uo pipefail
FEED=${1:-$(dirname "$0")/../../deploy/scanner-feed.sh}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
{
  echo "student_no,masked_name,college,file,key_id,expires_at,payload"
  for i in $(seq 1 5); do echo "A$i,x,CollegeA,A$i.png,k1,2030,CODE-A-$i"; done
  for i in $(seq 1 3000); do
    echo "B$i,x,CollegeB,B$i.png,k1,2030,CODE-B-$i-$(printf '%080d' "$i")"
  done
} >"$dir/codes.csv"
SCAN_INTERVAL_S=0 "$FEED" "$dir/codes.csv" CollegeA CollegeB | cat >"$dir/typed"
status=("${PIPESTATUS[@]}")
expected=$(printf 'CODE-A-%d\n' 1 2 3 4 5; echo "https://qr.alipay.com/fkx12345"; echo CODE-A-1
  echo "CODE-B-1-$(printf '%080d' 1)")
if [ "${status[0]}" != 0 ]; then
  echo "FAIL: the feed exited ${status[0]} (141 = SIGPIPE)" >&2
  exit 1
fi
if [ "$(cat "$dir/typed")" != "$expected" ]; then
  echo "FAIL: typed lines differ:" >&2
  diff <(echo "$expected") "$dir/typed" >&2
  exit 1
fi
echo "ok: ${FEED##*/} typed $(wc -l <"$dir/typed") lines and exited 0"
