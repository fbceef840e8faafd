#!/usr/bin/env bash
# A local fleet: N release servers (default 3) on free ports of 127.0.0.1 behind HAProxy, which
# health-checks GET /readyz and retries and redispatches failed requests. wrk drives the fleet
# while one replica is killed with SIGKILL and restarted; the run fails on any non-2xx answer or
# socket error at the client. Then one replica alone, for comparison: requests/s, p50, p99.
# Bounded in time; everything started here is stopped by its PID.
#
#   SystemTests/fleet.sh                      # 3 replicas, 10 s per wrk run, /gradcheck on the notebook
#   REPLICAS=4 DURATION=20 SKIP_BUILD=1 SystemTests/fleet.sh
#   SHARDED_BODY=big.json SystemTests/fleet.sh   # also: one full check of big.json split into
#                                               # REPLICAS shards through HAProxy, vs one replica
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$(dirname "$0")/../dev/lib-server.sh"

REPLICAS=${REPLICAS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
BODY=${BODY:-$ROOT/scripts/examples/notebook.json}
SCRIPT=$ROOT/Benchmarks/wrk/request.lua

for tool in haproxy wrk; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
    fi
done

WORK=$(mktemp -d /tmp/gradcheck-fleet.XXXXXX)
PIDS=()
HAPROXY_PID=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    for pid in "${PIDS[@]}" $HAPROXY_PID; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}" $HAPROXY_PID; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

build_server
# One shard key for the whole fleet, so partials are signed and a merge verifies them.
GRADCHECK_SHARD_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export GRADCHECK_SHARD_KEY
# replica INDEX PORT: starts one server on PORT (0: a free one), records its PID and port.
PORTS=()
replica() {
    local index=$1 port=$2 log=$WORK/replica-$1.log found="" _
    "$SERVER_BIN" --host 127.0.0.1 --port "$port" --no-access-log --drain-timeout 2 >"$log" 2>&1 &
    PIDS[index]=$!
    for _ in $(seq 100); do
        found=$(sed -nE 's#^gradcheck-server listening on http://[^ ]+:([0-9]+)$#\1#p' "$log")
        [ -n "$found" ] && break
        sleep 0.05
    done
    [ -n "$found" ] || { echo "replica $index did not start" >&2; cat "$log" >&2; exit 1; }
    PORTS[index]=$found
}
for i in $(seq 0 $((REPLICAS - 1))); do replica "$i" 0; done

# A free port for HAProxy's front: bind port 0 in Python, read it, release it.
FRONT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
{
    cat <<CFG
global
    maxconn 4096
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    # The endpoints are pure computations of the request body: a POST that reached a replica
    # which died can be sent again to another one with the same result, so retrying is safe.
    retries 3
    option redispatch 1
    retry-on all-retryable-errors
    # L7 retries keep the request to resend it: notebook-sized bodies fit in the buffer.
    option http-server-close
frontend front
    bind 127.0.0.1:$FRONT
    default_backend replicas
backend replicas
    balance leastconn
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 250ms fall 1 rise 2 observe layer4 error-limit 1 on-error mark-down
CFG
    for i in $(seq 0 $((REPLICAS - 1))); do echo "    server r$i 127.0.0.1:${PORTS[i]} check"; done
} >"$WORK/haproxy.cfg"
haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
HAPROXY_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$FRONT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "# $REPLICAS replicas on ports ${PORTS[*]}; HAProxy on 127.0.0.1:$FRONT; wrk -c$CONNECTIONS -d${DURATION}s POST /gradcheck $(basename "$BODY")"

# measure URL: wrk's RESULT line (req/s p50 p99 max requests socket_errors non2xx ...).
measure() {
    BODY_FILE=$BODY timeout $((DURATION + 30)) wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$SCRIPT" "$1" \
        | sed -n 's/^RESULT //p'
}

# The fleet, with replica 0 killed a third of the way in and restarted on its port.
(
    sleep "$(python3 -c "print($DURATION / 3)")"
    echo "# SIGKILL replica 0 (pid ${PIDS[0]})" >&2
    kill -KILL "${PIDS[0]}"
) &
killer=$!
fleet=$(measure "http://127.0.0.1:$FRONT/gradcheck")
wait "$killer" || true
wait "${PIDS[0]}" 2>/dev/null || true
replica 0 "${PORTS[0]}"
echo "# replica 0 restarted (pid ${PIDS[0]})"
single=$(measure "http://127.0.0.1:${PORTS[1]}/gradcheck")

printf '%-34s %10s %9s %9s %9s %8s\n' run req/s p50_ms p99_ms errors non2xx
status=0
for row in "fleet of $REPLICAS, one killed:$fleet" "one replica alone:$single"; do
    label=${row%%:*}
    read -r rps p50 p99 _ _ errors non2xx _ <<<"${row#*:}"
    printf '%-34s %10s %9s %9s %9s %8s\n' "$label" "$rps" "$p50" "$p99" "$errors" "$non2xx"
    if [ "$errors" != 0 ] || [ "$non2xx" != 0 ]; then status=1; fi
done
[ "$status" = 0 ] && echo "OK: no client saw an error while a replica died" || echo "FAIL: errors at the client" >&2

# elapsed COMMAND...: runs it quietly, prints its wall time in seconds (fails with it).
elapsed() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || return
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.2f}')"
}
if [ -n "${SHARDED_BODY:-}" ]; then
    echo "# one full check of $(basename "$SHARDED_BODY"), the best of two runs each"
    sharded=$ROOT/scripts/gradcheck-sharded.sh
    best() { local a b; a=$(elapsed "$@") && b=$(elapsed "$@") && python3 -c "print(min($a, $b))"; }
    whole=$(best curl -sf --data-binary @"$SHARDED_BODY" "http://127.0.0.1:${PORTS[1]}/gradcheck") || status=1
    alone=$(best "$sharded" "$SHARDED_BODY" "http://127.0.0.1:${PORTS[1]}" "$REPLICAS") || status=1
    spread=$(best "$sharded" "$SHARDED_BODY" "http://127.0.0.1:$FRONT" "$REPLICAS") || status=1
    printf '%-52s %8s s\n' "unsharded, one replica" "$whole" "$REPLICAS shards on one replica, merged" "$alone" \
        "$REPLICAS shards through HAProxy on $REPLICAS replicas, merged" "$spread"
fi
exit "$status"
