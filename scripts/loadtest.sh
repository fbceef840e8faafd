#!/usr/bin/env bash
# Throughput and latency of the service alone: builds the release server, starts it on a free port
# of 127.0.0.1, drives each endpoint with wrk, prints requests/s, p50, p99, socket errors and non-2xx
# per endpoint, and stops the server by its PID. Exits non-zero on any socket error or non-2xx.
#
#   scripts/loadtest.sh                       # wrk -t2 -c64 -d10s per endpoint (~50 s)
#   DURATION=3s CONNECTIONS=32 scripts/loadtest.sh
#   SKIP_BUILD=1 scripts/loadtest.sh          # use the existing .build/release binary
#   SERVER_BIN=/tmp/old-gradcheck-server scripts/loadtest.sh   # another build, e.g. a baseline
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib-server.sh
. "$(dirname "$0")/lib-server.sh"

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-1s}
NOTEBOOK=$ROOT/Tests/Fixtures/notebook.json
BIG=$ROOT/Tests/Fixtures/100-50-20-1_m64.json
SCRIPT=$ROOT/scripts/wrk/request.lua

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
trap 'stop_server || true' EXIT
build_server
# shellcheck disable=SC2119 # no extra server flags here
start_server
echo "# gradcheck-server pid $SERVER_PID on 127.0.0.1:$SERVER_PORT; wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
printf '%-28s %10s %9s %9s %9s %8s\n' endpoint req/s p50_ms p99_ms errors non2xx

failures=0
# endpoint label, path, body file ("" = GET)
run() {
    local label=$1 path=$2 body=$3 line
    BODY_FILE=$body wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$SCRIPT" \
        "http://127.0.0.1:$SERVER_PORT$path" >/dev/null
    line=$(BODY_FILE=$body wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$SCRIPT" \
        "http://127.0.0.1:$SERVER_PORT$path" | sed -n 's/^RESULT //p')
    [ -n "$line" ] || { echo "$label: wrk printed no result" >&2; failures=$((failures + 1)); return; }
    local rps p50_ms p99_ms socket_errors non2xx
    read -r rps p50_ms p99_ms _ _ socket_errors non2xx _ <<<"$line"
    printf '%-28s %10s %9s %9s %9s %8s\n' "$label" "$rps" "$p50_ms" "$p99_ms" "$socket_errors" "$non2xx"
    if [ "$socket_errors" != 0 ] || [ "$non2xx" != 0 ]; then failures=$((failures + 1)); fi
}

run "GET /healthz" /healthz ""
run "POST /forward notebook" /forward "$NOTEBOOK"
run "POST /backward notebook" /backward "$NOTEBOOK"
run "POST /gradcheck notebook" /gradcheck "$NOTEBOOK"
run "POST /forward big (251 KB)" /forward "$BIG"

stop_server
trap - EXIT
if [ "$failures" -ne 0 ]; then echo "FAIL: $failures endpoint(s) had errors or non-2xx answers" >&2; exit 1; fi
echo "OK"
