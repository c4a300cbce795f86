#!/usr/bin/env bash
# Installs what is missing, builds, and runs a local capture day on loopback
# with the pieces that exist so far: a coordinator and two booth agents (B1,
# B2) delivering scan events through their durable outboxes. Midway the
# coordinator is killed with SIGKILL and restarted, as a power cut would;
# afterwards `gradcap audit verify` proves every event arrived once, in order.
#
#   deploy/quickstart.sh                 run the day, verify, stop
#   deploy/quickstart.sh --keep-running  leave the coordinator up afterwards
#                                        (type codes into a scanner booth:
#                                        see the hint printed at the end)
# State goes to ${GRADCAP_DAY_DIR:-./capture-day} (wiped at the start).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KEEP=0
[ "${1:-}" = "--keep-running" ] && KEEP=1

deploy/install-deps.sh
deploy/build.sh
BIN=$ROOT/${GRADCAP_BUILD_DIR:-build}
DAY=${GRADCAP_DAY_DIR:-$ROOT/capture-day}
PORT=${GRADCAP_PORT:-5555}
ENDPOINT=tcp://127.0.0.1:$PORT
EVENTS=${GRADCAP_QUICKSTART_EVENTS:-300}

rm -rf "$DAY"
mkdir -p "$DAY/logs"
echo "== transport keys: coordinator pair and one CURVE pair per booth in $DAY/keys"
"$BIN/coordinator/gradcap" transport-keys init --keys "$DAY/keys" >/dev/null
for b in B1 B2 B3; do
  "$BIN/coordinator/gradcap" transport-keys enroll --keys "$DAY/keys" --booth "$b" >/dev/null
done
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

start_coordinator() {
  rm -f "$DAY/coordinator.ready"
  "$BIN/coordinator/coordinator" --db "$DAY/coordinator-db" --listen "$ENDPOINT" \
    --ready_file "$DAY/coordinator.ready" --keys "$DAY/keys" --stats_interval_ms 2000 >>"$DAY/logs/coordinator.log" 2>&1 &
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

echo "== coordinator on $ENDPOINT, log in $DAY/coordinator-db"
start_coordinator
booths=()
for b in B1 B2; do
  "$BIN/booth-agent/booth-agent" --booth "$b" --outbox "$DAY/outbox-$b" --coordinator "$ENDPOINT" --keys "$DAY/keys" \
    --synthetic_scans "$EVENTS" --synthetic_rate 100 --exit_when_delivered --status_interval_ms 1000 \
    >>"$DAY/logs/booth-$b.log" 2>&1 &
  booths+=($!)
  pids+=($!)
  echo "== booth $b: $EVENTS scan events at 100/s through $DAY/outbox-$b"
done

sleep 1.2
echo "== power cut: kill -9 the coordinator mid-stream (booths keep scanning into their outboxes)"
kill -9 "$COORD"
wait "$COORD" 2>/dev/null || true
sleep 1
echo "== coordinator restarted from its log"
start_coordinator

for b in "${booths[@]}"; do
  if ! wait "$b"; then
    echo "quickstart: a booth failed; see $DAY/logs/" >&2
    exit 1
  fi
done
for b in B1 B2; do tail -1 "$DAY/logs/booth-$b.log"; done

kill "$COORD"
wait "$COORD" 2>/dev/null || true
echo "== gradcap audit verify --db $DAY/coordinator-db"
"$BIN/coordinator/gradcap" audit verify --db "$DAY/coordinator-db"

if [ "$KEEP" = 1 ]; then
  start_coordinator
  trap - EXIT
  echo
  echo "coordinator still running (pid $COORD) on $ENDPOINT. To run a scanner booth, type codes, one per line:"
  echo "  $BIN/booth-agent/booth-agent --booth B3 --outbox $DAY/outbox-B3 --coordinator $ENDPOINT --keys $DAY/keys --stdin_scans"
  echo "Stop it with: kill $COORD; then verify with: $BIN/coordinator/gradcap audit verify --db $DAY/coordinator-db"
fi
