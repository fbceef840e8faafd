#!/usr/bin/env bash
# Hostile requests (wide and deep bodies, costly checks, a cancelled check, nonsense values,
# protocol slips), replayed against the release server started here on a free port of 127.0.0.1
# (SystemTests/hostile.py sends them and measures). One line per attack:
# name, HTTP status (or conn-error/timeout), wall time, server CPU seconds, server peak VmRSS, and
# whether the server survived. A server that dies (or is killed for passing 6 GB of VmRSS) is noted
# CRASHED and restarted, so one finding does not hide the next. Every process started here is
# stopped by its PID; the whole run is bounded by `timeout`.
#
#   SystemTests/hostile.sh                                   # build the release server, run every attack
#   SKIP_BUILD=1 SystemTests/hostile.sh                      # reuse .build/release/gradcheck-server
#   SERVER_FLAGS="--max-memory 268435456 --max-work 1e10" SystemTests/hostile.sh
#   HOSTILE_SCRATCH=1 SystemTests/hostile.sh                 # build in .build-hostile (leaves .build alone)
#   ATTACKS="cancel deep-tanh" SystemTests/hostile.sh        # a subset (names: SystemTests/hostile.py --list)
#   TOTAL_TIMEOUT=1800 ATTACK_TIMEOUT=150 RSS_LIMIT_MB=6000 SystemTests/hostile.sh
#
# Exit status: 0 when the run completed (whatever it found: this script reports, it does not
# judge), 2 when the server does not start with SERVER_FLAGS, 124 when TOTAL_TIMEOUT ran out.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$(dirname "$0")/../dev/lib-server.sh"

TOTAL_TIMEOUT=${TOTAL_TIMEOUT:-1800}
ATTACK_TIMEOUT=${ATTACK_TIMEOUT:-150}
# Past this VmRSS the helper SIGKILLs the server: the machine has 24 GiB and other work on it.
RSS_LIMIT_MB=${RSS_LIMIT_MB:-6000}
HELPER=$ROOT/SystemTests/hostile.py
# A separate scratch path, so this release build never collides with someone's debug builds in .build.
if [ -n "${HOSTILE_SCRATCH:-}" ]; then
    SCRATCH=$ROOT/.build-hostile
    SERVER_BIN=$SCRATCH/release/gradcheck-server
fi

# Outer half: build once (outside the time budget: a cold release build alone takes minutes), then
# run the attacks again under `timeout`, which bounds everything below, restarts included.
if [ -z "${HOSTILE_UNDER_TIMEOUT:-}" ]; then
    if [ -n "${HOSTILE_SCRATCH:-}" ] && [ "${SKIP_BUILD:-0}" != 1 ]; then
        swift build -c release --product gradcheck-server --package-path "$ROOT" --scratch-path "$SCRATCH" >&2
    else
        build_server
    fi
    HOSTILE_UNDER_TIMEOUT=1 exec timeout -k 30 "$TOTAL_TIMEOUT" "$0" "$@"
fi

# SERVER_FLAGS is split on whitespace on purpose: it is a list of flags.
read -r -a FLAGS <<<"${SERVER_FLAGS:-}"
# Enough descriptors for 1024 idle connections on both ends (the server inherits this limit).
ulimit -n 4096 2>/dev/null || true
# A crashing multi-GB server must not write a multi-GB core file.
ulimit -c 0 2>/dev/null || true

# server_alive: running, not a zombie (a crashed server stays one until it is waited for).
server_alive() {
    local state
    state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$SERVER_PID/stat" 2>/dev/null) || return 1
    [ "$state" != Z ] && [ "$state" != X ]
}

# stop_or_reap: stop_server for a live server; a dead one is only reaped (stop_server would spend
# its 15 s grace on a zombie, which kill -0 still finds).
stop_or_reap() {
    if [ -n "$SERVER_PID" ] && ! server_alive; then
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
    stop_server || true
}

trap stop_or_reap EXIT
# `timeout` sends TERM; exit through the EXIT trap so the server is stopped by its PID.
trap 'echo "# stopped by a signal: TOTAL_TIMEOUT (${TOTAL_TIMEOUT} s) ran out, or interrupted"; exit 124' TERM INT

start() {
    if ! start_server ${FLAGS[@]+"${FLAGS[@]}"}; then
        echo "server failed to start with SERVER_FLAGS='${SERVER_FLAGS:-}' (see its log above)"
        exit 2
    fi
}

# reap_crashed: the server died on its own (or hostile.py SIGKILLed it at 6 GB). Collect its exit
# status and last log lines; stop_server would wait 15 s on a zombie, so it is reaped here.
reap_crashed() {
    local status=0
    wait "$SERVER_PID" 2>/dev/null || status=$?
    echo "    server pid $SERVER_PID exited with status $status; its log says:"
    # The reason (a Swift "Fatal error: ..." line) comes before a long backtrace.
    { grep -m 3 -iE 'fatal|error|crash|abort|signal' "$SERVER_LOG" || head -n 3 "$SERVER_LOG"; } | cut -c1-300 | sed 's/^/    | /'
    rm -f "$SERVER_LOG"
    SERVER_PID=""
    SERVER_LOG=""
}

start
echo "# gradcheck-server $SERVER_BIN pid $SERVER_PID on 127.0.0.1:$SERVER_PORT flags: ${SERVER_FLAGS:-(none)}"
echo "# $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), nofile $(ulimit -n)," \
    "clock ticks $(getconf CLK_TCK); budget ${TOTAL_TIMEOUT} s in all, ${ATTACK_TIMEOUT} s per attack"
if [ -n "${ATTACKS:-}" ]; then
    read -r -a NAMES <<<"$ATTACKS"
else
    mapfile -t NAMES < <(python3 "$HELPER" --list)
fi

began=$SECONDS
for name in "${NAMES[@]}"; do
    status=0
    # --foreground: the helper stays in this process group, so the outer `timeout` reaches it too.
    timeout --foreground -k 5 "$ATTACK_TIMEOUT" python3 "$HELPER" --port "$SERVER_PORT" --pid "$SERVER_PID" \
        --rss-limit-mb "$RSS_LIMIT_MB" "$name" \
        || status=$?
    case $status in
        0 | 3) ;;
        124 | 137) echo "$name: the helper ran out of its ${ATTACK_TIMEOUT} s" ;;
        *) echo "$name: the helper failed with status $status" ;;
    esac
    if ! server_alive; then
        [ "$status" = 3 ] || echo "$name: server=CRASHED (found dead after the helper)"
        reap_crashed
        start
        echo "    restarted: pid $SERVER_PID on 127.0.0.1:$SERVER_PORT"
    fi
done
echo "# ${#NAMES[@]} attacks in $((SECONDS - began)) s"

status=0
stop_server || status=$?
trap - EXIT
echo "# server exit status on SIGTERM: $status"
