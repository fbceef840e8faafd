#!/usr/bin/env bash
# Graceful stop under load: wrk drives POST /gradcheck on the release server (started here on a free
# port of 127.0.0.1), then SystemTests/inflight_probe.py writes heavy /gradcheck requests, waits until
# the server has read them, and sends SIGTERM. Passes when every in-flight request gets its full
# answer, wrk sees no read errors or timeouts (no response cut off), and the server exits 0 within
# its drain timeout.
#
#   SystemTests/shutdown-under-load.sh
#   SKIP_BUILD=1 DRAIN_TIMEOUT=20 SystemTests/shutdown-under-load.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$(dirname "$0")/../dev/lib-server.sh"

DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-20}
PROBE_DIMS=${PROBE_DIMS:-256,128,64,1}
PROBE_M=${PROBE_M:-128}
WRK_OUT=$(mktemp /tmp/gradcheck-wrk.XXXXXX)
WRK_PID=""

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ -n "$WRK_PID" ]; then kill "$WRK_PID" 2>/dev/null || true; fi
    stop_server || true
    rm -f "$WRK_OUT"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
build_server
start_server --drain-timeout "$DRAIN_TIMEOUT"
echo "# gradcheck-server pid $SERVER_PID on 127.0.0.1:$SERVER_PORT, drain timeout $DRAIN_TIMEOUT s"

# 48 wrk connections + 8 probe requests stay under the pool's queue (2 workers + 64 waiting).
BODY_FILE=$ROOT/scripts/examples/notebook.json wrk -t2 -c48 -d8s --timeout 30s -s "$ROOT/Benchmarks/wrk/request.lua" \
    "http://127.0.0.1:$SERVER_PORT/gradcheck" >"$WRK_OUT" 2>&1 &
WRK_PID=$!
sleep 2  # let the load build up; the probe then signals the server itself
status=0
probe_start=$(date +%s%N)
timeout 60 python3 "$ROOT/SystemTests/inflight_probe.py" --port "$SERVER_PORT" --pid "$SERVER_PID" \
    --dims "$PROBE_DIMS" --m "$PROBE_M" || status=1

exit_status=0
for _ in $(seq $((DRAIN_TIMEOUT * 10 + 50))); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "FAIL: server still running $((DRAIN_TIMEOUT + 5)) s after SIGTERM" >&2
    status=1
else
    wait "$SERVER_PID" || exit_status=$?
    elapsed_ms=$((($(date +%s%N) - probe_start) / 1000000))
    SERVER_PID=""
    echo "server exited with status $exit_status within ${elapsed_ms} ms of the probe's start (drain timeout ${DRAIN_TIMEOUT} s)"
    [ "$exit_status" -eq 0 ] || status=1
    [ "$elapsed_ms" -le $((DRAIN_TIMEOUT * 1000)) ] || status=1
fi

wait "$WRK_PID" || true
WRK_PID=""
result=$(sed -n 's/^RESULT //p' "$WRK_OUT")
read -r _ _ _ _ requests _ non2xx read_errors timeouts <<<"$result"
echo "wrk during the stop: $requests answers, non-2xx $non2xx, read errors $read_errors, timeouts $timeouts" \
    "(connect errors after the listener closed are expected)"
if [ "$non2xx" != 0 ] || [ "$read_errors" != 0 ] || [ "$timeouts" != 0 ]; then status=1; fi
if [ "$status" -eq 0 ]; then echo "OK"; else echo "FAIL" >&2; fi
exit "$status"
