#!/usr/bin/env bash
# Builds the real Dockerfile and checks the image the way an operator runs it. Uses docker when
# a daemon answers, else podman (dev/setup.sh installs it, with runc and mmdebstrap). When the
# official bases (swift:6.3-noble, ubuntu:noble) are neither present nor pullable, local
# stand-ins are built once and reused: a Debian 12 minbase runtime (mmdebstrap) and a builder of
# that plus the Swift image's packages and the host's toolchain. Checks, failing loudly:
#   /healthz and a notebook /gradcheck through the published port; the server runs as UID 10001;
#   the health check is healthy with the defaults, with --port 9000 and with -e PORT=9000;
#   `stop -t 10` with a stalled upload connected exits 0 within the grace period;
#   under --memory 512m a burst of large bodies is answered 200/503 and nothing is OOM-killed.
# Prints each step's time and the image size. Containers it starts are removed on exit.
#
#   SystemTests/container-test.sh
#   ENGINE=podman SWIFT_IMAGE=... RUNTIME_IMAGE=... SystemTests/container-test.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

IMAGE=${IMAGE:-gradcheck:container-test}
PREFIX=gradcheck-ct-$$
WORK=$(mktemp -d /tmp/gradcheck-container.XXXXXX)
STALLED_PID=""
STARTED=$(date +%s.%N)

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ -n "$STALLED_PID" ]; then kill "$STALLED_PID" 2>/dev/null || true; fi
    for name in default port env memory run; do
        "$ENGINE" rm -f "$PREFIX-$name" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}

fail() { echo "FAIL: $*" >&2; exit 1; }

# Seconds since START (a `date +%s.%N` value), to a tenth.
since() { awk -v now="$(date +%s.%N)" -v start="$1" 'BEGIN { printf "%.1f", now - start }'; }

# timed LABEL COMMAND...: runs one step and prints how long it took.
timed() {
    local label=$1 start
    shift
    start=$(date +%s.%N)
    "$@"
    printf '  [%6s s] %s\n' "$(since "$start")" "$label"
}

# --- the engine and the bases: the settings scripts/container.sh uses too -----------------------
# shellcheck source-path=SCRIPTDIR/../scripts source=lib-container.sh
. "$ROOT/scripts/lib-container.sh"
if ! choose_engine; then
    echo "SKIP: container test: no docker daemon answers and podman is not installed (dev/setup.sh installs it)"
    exit 0
fi
trap cleanup EXIT
if ! timeout 30 "$ENGINE" info >/dev/null 2>"$WORK/info.err"; then
    echo "SKIP: container test: '$ENGINE info' fails on this machine:" >&2
    cat "$WORK/info.err" >&2
    exit 0
fi
echo "== container test with $ENGINE ($("$ENGINE" --version))"

timed "runtime base" choose_runtime_base
timed "builder base" choose_swift_base
echo "  bases: SWIFT_IMAGE=$SWIFT_IMAGE RUNTIME_IMAGE=$RUNTIME_IMAGE"
export ENGINE SWIFT_IMAGE RUNTIME_IMAGE

# The build a newcomer runs (the README's command), on the bases chosen above.
build_as_documented() { IMAGE=$IMAGE scripts/container.sh build >/dev/null; }
timed "scripts/container.sh build (the real Dockerfile)" build_as_documented
SIZE=$("$ENGINE" image inspect --format '{{.Size}}' "$IMAGE")
echo "  image $IMAGE: $SIZE bytes ($((SIZE / 1000000)) MB)"

# --- the checks -------------------------------------------------------------------------------
# start NAME CONTAINER_PORT [run options...] -- [server arguments...]: publishes CONTAINER_PORT
# on a free port of 127.0.0.1, waits (bounded) for /healthz, and sets URL.
URL=""
start() {
    local name=$PREFIX-$1 container_port=$2 options=() arguments=() seen=0
    shift 2
    for word in "$@"; do
        if [ "$word" = -- ]; then seen=1; continue; fi
        if [ "$seen" = 0 ]; then options+=("$word"); else arguments+=("$word"); fi
    done
    # podman without systemd complains that it cannot schedule health checks (we run them
    # ourselves): its stderr is shown only if the run fails.
    "$ENGINE" run -d --name "$name" -p "127.0.0.1::$container_port" "${options[@]}" "$IMAGE" "${arguments[@]}" \
        >/dev/null 2>"$WORK/run.err" || { cat "$WORK/run.err" >&2; fail "$ENGINE run $name"; }
    URL="http://$("$ENGINE" port "$name" "$container_port" | head -n 1)"
    for _ in $(seq 100); do
        curl -fsS -o /dev/null "$URL/healthz" 2>/dev/null && return 0
        sleep 0.1
    done
    "$ENGINE" logs "$name" >&2 || true
    fail "$name did not answer /healthz at $URL within 10 s"
}

healthy() {
    local name=$PREFIX-$1
    # podman has no timer for health checks without systemd: run one now. docker runs them on
    # its own (every second here, see start's --health-interval); wait for the verdict.
    if [ "$ENGINE" = podman ]; then
        podman healthcheck run "$name" >/dev/null || fail "$name: health check unhealthy"
    else
        for _ in $(seq 50); do
            [ "$(docker inspect --format '{{.State.Health.Status}}' "$name")" = healthy ] && return 0
            sleep 0.2
        done
        fail "$name: health check not healthy: $(docker inspect --format '{{json .State.Health}}' "$name")"
    fi
}
HEALTH_FLAGS=()
[ "$ENGINE" = docker ] && HEALTH_FLAGS=(--health-interval 1s --health-start-period 1s)

serves() {
    [ "$(curl -fsS "$URL/healthz")" = '{"status":"ok"}' ] || fail "/healthz through $URL"
    curl -fsS -d @scripts/examples/notebook.json "$URL/gradcheck" >"$WORK/gradcheck.json"
    python3 -c 'import json, sys; a = json.load(open(sys.argv[1])); assert a["passed"] is True and a["checked"] == 47, a' \
        "$WORK/gradcheck.json" || fail "notebook /gradcheck through $URL"
    echo "  ok: /healthz and a notebook /gradcheck (passed, 47 coordinates) through $URL"
}

runs_as_10001() {
    local uid
    uid=$("$ENGINE" exec "$PREFIX-default" sh -c "sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' /proc/1/status")
    [ "$uid" = 10001 ] || fail "the server runs as UID '$uid', not 10001"
    echo "  ok: the server (PID 1) runs as UID $uid"
}

# The run a newcomer starts (the README's command): serves on the port PORT names, stops on SIGINT.
run_as_documented() {
    local port pid status=0
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    CONTAINER_NAME=$PREFIX-run PORT=$port IMAGE=$IMAGE scripts/container.sh run >"$WORK/run-documented.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
        sleep 0.1
    done
    URL=http://127.0.0.1:$port
    serves
    kill -INT "$pid"
    wait "$pid" || status=$?
    # 0, or 130 when the engine reports the interrupt itself.
    { [ "$status" = 0 ] || [ "$status" = 130 ]; } || { cat "$WORK/run-documented.log" >&2; fail "scripts/container.sh run exited $status on Ctrl-C"; }
    echo "  ok: scripts/container.sh run served on 127.0.0.1:$port and stopped on Ctrl-C (exit $status)"
}
timed "scripts/container.sh run" run_as_documented

timed "run with defaults" start default 8080 "${HEALTH_FLAGS[@]}" --
timed "healthz + notebook gradcheck" serves
timed "UID" runs_as_10001
timed "health check, defaults" healthy default
echo "  ok: healthy with the defaults"
timed "run with --port 9000" start port 9000 "${HEALTH_FLAGS[@]}" -- --host 0.0.0.0 --port 9000
timed "health check, --port 9000" healthy port
echo "  ok: healthy with --port 9000 as arguments"
timed "run with -e PORT=9000" start env 9000 "${HEALTH_FLAGS[@]}" -e PORT=9000 --
timed "health check, PORT=9000" healthy env
echo "  ok: healthy with -e PORT=9000"

# A client that sent its headers and one byte of a 1000-byte body, then stalls.
stop_with_stalled_client() {
    local name=$PREFIX-default address elapsed code open=0
    address=$("$ENGINE" port "$name" 8080 | head -n 1)
    python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /forward HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n{")
time.sleep(60)' "${address##*:}" &
    STALLED_PID=$!
    # Wait (bounded) until the server holds it: two open connections, the scrape's and the client's.
    for _ in $(seq 100); do
        open=$(curl -fsS "http://$address/metrics" | sed -n 's/^http_connections_open //p')
        [ "${open:-0}" -ge 2 ] && break
        sleep 0.1
    done
    [ "${open:-0}" -ge 2 ] || fail "the stalled client never reached the server"
    local start
    start=$(date +%s.%N)
    "$ENGINE" stop -t 10 "$name" >/dev/null 2>"$WORK/stop.err" || { cat "$WORK/stop.err" >&2; fail "$ENGINE stop"; }
    elapsed=$(since "$start")
    kill "$STALLED_PID" 2>/dev/null || true
    wait "$STALLED_PID" 2>/dev/null || true
    STALLED_PID=""
    code=$("$ENGINE" inspect --format '{{.State.ExitCode}}' "$name")
    [ "$code" = 0 ] || fail "stop -t 10 with a stalled client: exit code $code after $elapsed s"
    awk -v s="$elapsed" 'BEGIN { exit !(s < 10) }' || fail "stop -t 10 took $elapsed s"
    # It must have waited for the stalled upload (up to --drain-timeout, 8 s), not dropped it.
    awk -v s="$elapsed" 'BEGIN { exit !(s > 5) }' || fail "stop -t 10 returned after $elapsed s: the stalled client was not connected"
    echo "  ok: stop -t 10 with a stalled upload: exit code 0 after $elapsed s (the drain deadline cut it)"
}
timed "stop -t 10 with a stalled client" stop_with_stalled_client

# Bodies of about 12 MB (a 100-50-20-1 network, 12000 examples): each is priced at several times
# its size, so 24 at once do not fit in a 512 MiB container's budget (3/4 of it, minus 48 MiB).
memory_burst() {
    local name=$PREFIX-memory statuses oom running logs
    # The logs in a variable first: grep -q stops reading early, and under pipefail the writer's
    # SIGPIPE would fail the pipeline even when the line is there.
    logs=$("$ENGINE" logs "$name" 2>&1)
    grep -q 'cgroup memory limit 536870912 B' <<<"$logs" \
        || fail "under --memory 512m the memory budget did not come from the cgroup limit: $logs"
    python3 - "$WORK/big.json" <<'PY'
import json, random, sys
random.seed(1)
widths, m = [100, 50, 20, 1], 12000
p = {}
for l in range(1, len(widths)):
    p[f"W{l}"] = [[round(random.gauss(0, 0.1), 6) for _ in range(widths[l - 1])] for _ in range(widths[l])]
    p[f"b{l}"] = [[0.0] for _ in range(widths[l])]
body = {"X": [[round(random.random(), 6) for _ in range(m)] for _ in range(widths[0])],
        "Y": [[random.randint(0, 1) for _ in range(m)]], "parameters": p}
json.dump(body, open(sys.argv[1], "w"))
PY
    seq 24 | xargs -P 24 -I{} curl -sS -o /dev/null -w '%{http_code}\n' --max-time 60 \
        -d @"$WORK/big.json" "$URL/forward" >"$WORK/statuses" || true
    statuses=$(sort "$WORK/statuses" | uniq -c | tr -s ' ' | tr '\n' ';')
    grep -qvE '^(200|503)$' "$WORK/statuses" && fail "burst under --memory 512m: statuses other than 200/503: $statuses"
    grep -qx 200 "$WORK/statuses" || fail "burst under --memory 512m: no request succeeded: $statuses"
    grep -qx 503 "$WORK/statuses" || fail "burst under --memory 512m: no 503, so the burst did not press the budget: $statuses"
    oom=$("$ENGINE" inspect --format '{{.State.OOMKilled}}' "$name")
    running=$("$ENGINE" inspect --format '{{.State.Running}}' "$name")
    { [ "$oom" = false ] && [ "$running" = true ]; } || fail "under --memory 512m: OOMKilled=$oom running=$running"
    curl -fsS -o /dev/null "$URL/healthz" || fail "under --memory 512m: /healthz after the burst"
    echo "  ok: 24 bodies of $(($(wc -c <"$WORK/big.json") / 1000)) KB at once under --memory 512m: $statuses not OOM-killed, still serving"
}
timed "run with --memory 512m" start memory 8080 --memory 512m --
timed "burst of large bodies under --memory 512m" memory_burst

printf '== container test passed with %s in %s s; image %s is %s MB\n' "$ENGINE" "$(since "$STARTED")" "$IMAGE" "$((SIZE / 1000000))"
