#!/usr/bin/env bash
# Installs what is missing, builds, and runs a local capture day on loopback
# with the pieces that exist so far:
#   1. the registrar imports the sample roster, payment ledger and schedule
#      (deploy/sample/), makes a code-sealing key and issues one collection
#      code (a phone-screen QR PNG) per student;
#   2. a coordinator starts on a rehearsal clock (2024-09-21 09:00, inside
#      the sample schedule) with CURVE transport keys;
#   3. two booth agents (B1, B2) take codes as a keyboard-wedge scanner
#      types them (one per line), plus a few that must be refused; midway the
#      coordinator is killed with SIGKILL and restarted, as a power cut would;
#   4. the registrar works on the running coordinator through its admin
#      socket (CURVE, an enrolled admin key): a head count while booths scan,
#      a late payment that lets S2021008's next scan through, a close refused
#      while students wait and one with an override, a student's state;
#      then `gradcap audit verify` proves every event arrived once, in order;
#   5. the supervisor view (supervisor, a web page) watches it all live:
#      its URL and a generated login are printed at the start;
#   6. photo checks: `validator check` explains a good and two bad photos
#      (made from package sample photos by tests/photos/make-corpus.sh), and
#      `gradcap drill` rehearses a booth with photos, two validators (one
#      killed midway), verdicts and the head count;
#   6. after the day, on the rehearsal's database: `audit replay`, one
#      student's story, the college's signed checkpoint proved with its public
#      key, the upload folder with the 补拍 list, and the HTML report.
#
#   deploy/quickstart.sh                 run the day, verify, stop
#   deploy/quickstart.sh --keep-running  leave the coordinator and the supervisor view up afterwards
# State goes to ${GRADCAP_DAY_DIR:-./capture-day} (wiped at the start).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KEEP=0
[ "${1:-}" = "--keep-running" ] && KEEP=1

deploy/install-deps.sh
deploy/build.sh
BIN=$ROOT/${GRADCAP_BUILD_DIR:-build}
GRADCAP=$BIN/admin/gradcap
DAY=${GRADCAP_DAY_DIR:-$ROOT/capture-day}
PORT=${GRADCAP_PORT:-5555}
ENDPOINT=tcp://127.0.0.1:$PORT
ADMIN=tcp://127.0.0.1:${GRADCAP_ADMIN_PORT:-$((PORT + 3))}
LIVE=tcp://127.0.0.1:${GRADCAP_LIVE_PORT:-$((PORT + 4))}
VIEW=127.0.0.1:${GRADCAP_VIEW_PORT:-8080}
CLOCK=2024-09-21T09:00+08:00

rm -rf "$DAY"
mkdir -p "$DAY/logs"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

echo "== registrar: roster, payments, schedule, code key, collection codes"
"$GRADCAP" roster import --db "$DAY/coordinator-db" deploy/sample/roster.csv
"$GRADCAP" payments import --db "$DAY/coordinator-db" deploy/sample/payments.csv
"$GRADCAP" schedule import --db "$DAY/coordinator-db" deploy/sample/schedule.csv
"$GRADCAP" keys init --db "$DAY/coordinator-db"
"$GRADCAP" codes issue --db "$DAY/coordinator-db" --out "$DAY/codes"

echo "== transport keys: coordinator pair and one CURVE pair per booth in $DAY/keys"
"$GRADCAP" transport-keys init --keys "$DAY/keys" >/dev/null
for b in B1 B2 B3; do
  "$GRADCAP" transport-keys enroll --keys "$DAY/keys" --booth "$b" >/dev/null
done
"$GRADCAP" transport-keys enroll --keys "$DAY/keys" --admin registrar >/dev/null
"$GRADCAP" transport-keys enroll --keys "$DAY/keys" --admin supervisor >/dev/null
# The registrar's commands on the running coordinator (enrolled admin key).
admin() { "$GRADCAP" "$@" --coordinator "$ADMIN" --keys "$DAY/keys" --as registrar; }

start_coordinator() {
  rm -f "$DAY/coordinator.ready"
  "$BIN/coordinator/coordinator" --db "$DAY/coordinator-db" --listen "$ENDPOINT" --admin "$ADMIN" --live "$LIVE" \
    --keys "$DAY/keys" \
    --clock_start "$CLOCK" --ready_file "$DAY/coordinator.ready" --stats_interval_ms 5000 \
    >>"$DAY/logs/coordinator.log" 2>&1 &
  COORD=$!
  pids+=("$COORD")
  for _ in $(seq 1 200); do
    [ -s "$DAY/coordinator.ready" ] && return 0
    kill -0 "$COORD" 2>/dev/null || break
    sleep 0.05
  done
  echo "quickstart: the coordinator did not start; see $DAY/logs/coordinator.log" >&2
  tail -5 "$DAY/logs/coordinator.log" >&2
  exit 1
}

echo "== coordinator on $ENDPOINT, admin socket $ADMIN, live feed $LIVE (all CURVE), rehearsal clock $CLOCK"
start_coordinator

# The supervisor view: an office login with a generated password, the page
# served on $VIEW, signed in to the coordinator with the enrolled supervisor key.
VIEW_PASSWORD=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 12)
printf '%s\n' "$VIEW_PASSWORD" | "$GRADCAP" users add --users "$DAY/users.json" --name office --role office >/dev/null
rm -f "$DAY/supervisor.ready"
"$BIN/supervisor/supervisor" --coordinator "$LIVE" --listen "$VIEW" --users "$DAY/users.json" --keys "$DAY/keys" \
  --as supervisor --ready_file "$DAY/supervisor.ready" >>"$DAY/logs/supervisor.log" 2>&1 &
SUPERVISOR=$!
pids+=("$SUPERVISOR")
for _ in $(seq 200); do [ -s "$DAY/supervisor.ready" ] && break; sleep 0.05; done
if [ ! -s "$DAY/supervisor.ready" ]; then
  echo "quickstart: the supervisor did not start; see $DAY/logs/supervisor.log" >&2
  tail -5 "$DAY/logs/supervisor.log" >&2
  exit 1
fi
echo "== supervisor view: $(cat "$DAY/supervisor.ready")  log in as office / $VIEW_PASSWORD (more users: gradcap users add)"
booths=()
run_booth() {
  local booth=$1 college=$2 other=$3
  # The scanner types a college's codes, then a few that must be refused
  # (deploy/scanner-feed.sh); the booth exits once its stdin has ended and
  # everything it sent is acked.
  deploy/scanner-feed.sh "$DAY/codes/codes.csv" "$college" "$other" |
    "$BIN/booth-agent/booth-agent" --booth "$booth" --outbox "$DAY/outbox-$booth" \
    --coordinator "$ENDPOINT" --keys "$DAY/keys" --stdin_scans --exit_when_delivered --status_interval_ms 2000 \
    >>"$DAY/logs/booth-$booth.log" 2>&1 &
  booths+=($!)
  pids+=($!)
  echo "== booth $booth scanning $college's codes (log: $DAY/logs/booth-$booth.log)"
}
run_booth B1 信息工程学院 经济管理学院
run_booth B2 经济管理学院 信息工程学院

sleep 3
echo "== power cut: kill -9 the coordinator mid-stream (booths keep scanning into their outboxes)"
kill -9 "$COORD"
wait "$COORD" 2>/dev/null || true
sleep 2
echo "== coordinator restarted from its log"
start_coordinator
echo "== head count while the booths scan: gradcap reconcile --coordinator $ADMIN"
admin reconcile --college 信息工程学院

for b in "${booths[@]}"; do
  # Under pipefail this is the scanner feed's status or the booth's; 141 is
  # a SIGPIPE (the feed writing after the booth has gone).
  status=0
  wait "$b" || status=$?
  if [ "$status" != 0 ]; then
    echo "quickstart: a booth or its scanner feed failed (exit $status); see $DAY/logs/" >&2
    exit 1
  fi
done
for b in B1 B2; do
  echo "-- booth $b: $(grep -c ' accepted: number' "$DAY/logs/booth-$b.log") students numbered; refusals:"
  grep -o 'refused: [a-z_]*: .*' "$DAY/logs/booth-$b.log" | sort | uniq | sed 's/^/   /'
done

echo "== a late payment at 10:05, through the running coordinator; S2021008's next scan goes through"
admin student S2021008
printf '学号,金额,缴费时间,交易号\nS2021008,15,2024-09-21 10:05,TXN-LATE-0008\n' > "$DAY/late-payment.csv"
admin payments import "$DAY/late-payment.csv"
awk -F, '$1 == "S2021008" { print $7 }' "$DAY/codes/codes.csv" |
  "$BIN/booth-agent/booth-agent" --booth B1 --outbox "$DAY/outbox-B1" --coordinator "$ENDPOINT" --keys "$DAY/keys" \
    --stdin_scans --exit_when_delivered --status_interval_ms 0 >>"$DAY/logs/booth-B1.log" 2>&1
admin student S2021008
echo "== closing 信息工程学院: refused while students wait, then signed off with an override"
admin close --college 信息工程学院 || true
admin close --college 信息工程学院 --override "rehearsal: nobody was photographed"
admin status

kill "$COORD"
wait "$COORD" 2>/dev/null || true
echo "== gradcap audit verify --db $DAY/coordinator-db"
"$GRADCAP" audit verify --db "$DAY/coordinator-db"

echo "== photo checks: validator check (sample photos made from package images)"
CORPUS_MAKER=$BIN/tests/photos/corpus_maker tests/photos/make-corpus.sh "$DAY/photos" >/dev/null
"$BIN/validator/validator" check "$DAY/photos/pos_franck_04035.jpg" "$DAY/photos/clothing_color_franck_02045_blue2.jpg" \
  "$DAY/photos/glasses_glare_franck_02221.jpg" || true
echo "== a rehearsal with photos and two validators (one killed midway): gradcap drill"
mkdir -p "$DAY/drill"
cp deploy/sample/*.csv "$DAY/photos/pos_franck_01829.jpg" "$DAY/photos/pos_franck_04035.jpg" \
  "$DAY/photos/clothing_pattern_franck_02159_vstripes.jpg" "$DAY/photos/exposure_dark_franck_02159.jpg" "$DAY/drill/"
cat > "$DAY/drill/drill.json" <<'JSON'
{
  "roster": "roster.csv", "payments": "payments.csv", "schedule": "schedule.csv",
  "booths": ["B1"], "validators": 2,
  "steps": [
    {"booth": "B1", "scan": "S2021001"}, {"booth": "B1", "sign": true},
    {"booth": "B1", "photo": "pos_franck_01829.jpg"},
    {"booth": "B1", "scan": "S2021002"}, {"booth": "B1", "sign": true},
    {"booth": "B1", "photo": "clothing_pattern_franck_02159_vstripes.jpg"},
    {"kill": "validator"},
    {"booth": "B1", "retake": "pos_franck_04035.jpg"},
    {"booth": "B1", "scan": "S2021003"}, {"booth": "B1", "sign": true},
    {"booth": "B1", "photo": "exposure_dark_franck_02159.jpg"},
    {"close": "信息工程学院", "override": "the rehearsal ends here"}
  ]
}
JSON
"$GRADCAP" drill "$DAY/drill/drill.json" --db "$DAY/drill/db" 2>>"$DAY/logs/drill.log"

echo "== after the day, from the rehearsal's log alone"
"$GRADCAP" audit replay --db "$DAY/drill/db" | tail -1
"$GRADCAP" audit student --db "$DAY/drill/db" S2021002
"$GRADCAP" keys public --db "$DAY/drill/db" --out "$DAY/checkpoint.pub"
"$GRADCAP" audit checkpoint export --db "$DAY/drill/db" --college 信息工程学院 --out "$DAY/信息工程学院.checkpoint"
"$GRADCAP" audit verify --db "$DAY/drill/db" --checkpoint "$DAY/信息工程学院.checkpoint" --public_key "$DAY/checkpoint.pub"
"$GRADCAP" export --db "$DAY/drill/db" --out "$DAY/upload"
"$GRADCAP" report --db "$DAY/drill/db" --out "$DAY/report"

if [ "$KEEP" = 1 ]; then
  start_coordinator
  trap - EXIT
  echo
  echo "supervisor view still at $(cat "$DAY/supervisor.ready") (office / $VIEW_PASSWORD; pid $SUPERVISOR);"
  echo "in a terminal: $GRADCAP watch --coordinator $LIVE --keys $DAY/keys --as supervisor"
  echo "coordinator still running (pid $COORD) on $ENDPOINT. Run a scanner booth and type or scan codes"
  echo "(payloads are in $DAY/codes/codes.csv; the PNGs are what phones show):"
  echo "  $BIN/booth-agent/booth-agent --booth B3 --outbox $DAY/outbox-B3 --coordinator $ENDPOINT --keys $DAY/keys --stdin_scans"
  echo "Stop them with: kill $COORD $SUPERVISOR; then verify with: $GRADCAP audit verify --db $DAY/coordinator-db"
fi
