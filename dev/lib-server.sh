# shellcheck shell=bash
# Sourced (not run) by the scripts that drive a server of their own (dev/html-check.sh, SystemTests/,
# Benchmarks/): build the release server, start it on a free port of 127.0.0.1, stop it
# by its PID. Sets SERVER_PID and SERVER_PORT.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source-path=SCRIPTDIR/../scripts source=lib-toolchain.sh
. "$ROOT/scripts/lib-toolchain.sh"
# SERVER_BIN=path runs another build (e.g. a saved baseline for a before/after comparison); it
# implies SKIP_BUILD=1.
if [ -n "${SERVER_BIN:-}" ]; then SKIP_BUILD=1; else SERVER_BIN=$ROOT/.build/release/gradcheck-server; fi
SERVER_PID=""
SERVER_PORT=""
SERVER_LOG=""

# build_server: the release gradcheck-server, unless SKIP_BUILD=1 (then the last build is used).
build_server() {
    if [ "${SKIP_BUILD:-0}" != 1 ]; then
        use_swift_toolchain || { echo "no Swift toolchain found (https://www.swift.org/install)" >&2; return 2; }
        swift build -c release --product gradcheck-server --package-path "$ROOT" >&2
    fi
}

# start_server [extra flags...]: waits (bounded) for the "listening on" line. The access log is
# off unless ACCESS_LOG=1 (then its lines go to the server's log file, as to `docker logs`).
start_server() {
    local log_flags=(--no-access-log)
    [ "${ACCESS_LOG:-0}" = 1 ] && log_flags=()
    SERVER_LOG=$(mktemp /tmp/gradcheck-server.XXXXXX)
    "$SERVER_BIN" --host 127.0.0.1 --port 0 "${log_flags[@]}" "$@" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    local _
    for _ in $(seq 100); do
        SERVER_PORT=$(sed -nE 's#^gradcheck-server listening on http://[^ ]+:([0-9]+)$#\1#p' "$SERVER_LOG")
        [ -n "$SERVER_PORT" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "server did not start; log:" >&2
    cat "$SERVER_LOG" >&2
    return 1
}

# stop_server: SIGTERM, wait up to 15 s, then SIGKILL. Returns the server's exit status.
stop_server() {
    local status=0 _
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" || status=$?
    fi
    SERVER_PID=""
    [ -n "$SERVER_LOG" ] && rm -f "$SERVER_LOG"
    SERVER_LOG=""
    return "$status"
}

# stop_server_after_run: the ending of a run against the server. Says FAIL and returns 1 if the
# server died during the run or does not exit 0 on SIGTERM; stops it either way.
stop_server_after_run() {
    local status=0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "FAIL: the server died during the run" >&2; status=1; }
    stop_server || { echo "FAIL: the server did not exit 0 on SIGTERM" >&2; status=1; }
    return "$status"
}
