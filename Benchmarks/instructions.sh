#!/usr/bin/env bash
# Instructions the server executes per request, by endpoint, counted by valgrind's callgrind
# (deterministic, unlike req/s on a shared machine: a change to the hot path shows here first,
# then in loadtest.sh). For each endpoint: start the release server under callgrind, send
# WARMUP requests over one kept-alive connection, zero the counters, send COUNT more, dump, and
# divide the instructions of every thread by COUNT. Kernel time is not counted.
#
#   Benchmarks/instructions.sh                        # all endpoints, COUNT=2000
#   COUNT=500 Benchmarks/instructions.sh healthz forward
#   SERVER_BIN=/tmp/old/gradcheck-server Benchmarks/instructions.sh   # another build
#   KEEP=1 Benchmarks/instructions.sh forward         # keep the profile for callgrind_annotate
#   SERVER_FLAGS="--workers 1" ...                    # flags for a build without --io-threads
#
# Endpoints: healthz (GET, access log on, as deployed), healthz-nolog, forward, backward,
# gradcheck (notebook body), forward-big (the 251 KB body).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$(dirname "$0")/../dev/lib-server.sh"

COUNT=${COUNT:-2000}
WARMUP=${WARMUP:-200}
# One loop and one worker: valgrind runs one thread at a time anyway, and fewer threads idle less.
read -r -a SERVER_FLAGS <<<"${SERVER_FLAGS:---workers 1 --io-threads 1}"
NOTEBOOK=$ROOT/scripts/examples/notebook.json
BIG=$ROOT/Tests/Fixtures/100-50-20-1_m64.json
CLIENT=$ROOT/Benchmarks/keepalive_requests.py
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind" >&2; exit 1; }

endpoints=("$@")
[ ${#endpoints[@]} -eq 0 ] && endpoints=(healthz healthz-nolog forward backward gradcheck forward-big)
build_server
WORK=$(mktemp -d /tmp/gradcheck-instructions.XXXXXX)
VALGRIND_PID=""
cleanup() {
    if [ -n "$VALGRIND_PID" ] && kill -0 "$VALGRIND_PID" 2>/dev/null; then
        kill -KILL "$VALGRIND_PID" 2>/dev/null || true
        wait "$VALGRIND_PID" 2>/dev/null || true
    fi
    if [ "${KEEP:-0}" = 1 ]; then echo "# profiles kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# count endpoint: prints "endpoint instructions-per-request".
count() {
    local endpoint=$1 path body="" flags=(--no-access-log) log=$WORK/$1.log port="" _
    case "$endpoint" in
        healthz) path=/healthz; flags=() ;;
        healthz-nolog) path=/healthz ;;
        forward | backward | gradcheck) path=/$endpoint; body=$NOTEBOOK ;;
        forward-big) path=/forward; body=$BIG ;;
        *) echo "unknown endpoint $endpoint" >&2; return 2 ;;
    esac
    valgrind --tool=callgrind --callgrind-out-file="$WORK/$endpoint.%p.out" \
        "$SERVER_BIN" --host 127.0.0.1 --port 0 "${SERVER_FLAGS[@]}" "${flags[@]}" >"$log" 2>&1 &
    VALGRIND_PID=$!
    for _ in $(seq 600); do
        # The log appears when valgrind has started: until then there is nothing to read.
        port=$(sed -nE 's#^gradcheck-server listening on http://[^ ]+:([0-9]+)$#\1#p' "$log" 2>/dev/null || true)
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "server did not start under valgrind; log:" >&2; cat "$log" >&2; return 1; }
    python3 "$CLIENT" "$port" "$path" "$WARMUP" ${body:+"$body"}
    callgrind_control -z "$VALGRIND_PID" >/dev/null 2>&1
    python3 "$CLIENT" "$port" "$path" "$COUNT" ${body:+"$body"}
    callgrind_control -d "$VALGRIND_PID" >/dev/null 2>&1
    kill -KILL "$VALGRIND_PID" 2>/dev/null || true
    wait "$VALGRIND_PID" 2>/dev/null || true
    VALGRIND_PID=""
    # The dump after zeroing holds only the measured requests; sum its totals over every thread.
    local total
    total=$(cat "$WORK/$endpoint".*.out.* 2>/dev/null | awk '/^totals:/ {sum += $2} END {printf "%.0f\n", sum}')
    printf '%-14s %12.0f\n' "$endpoint" "$(echo "$total / $COUNT" | bc -l)"
}

echo "# instructions per request (callgrind, $COUNT requests after $WARMUP warm-up; flags ${SERVER_FLAGS[*]})"
echo "# server: $SERVER_BIN"
for endpoint in "${endpoints[@]}"; do count "$endpoint"; done
