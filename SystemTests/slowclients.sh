#!/usr/bin/env bash
# Slow and hostile clients (SystemTests/hostile_clients.py) against the release server started here
# with short timeouts on a free port of 127.0.0.1; stops it by its PID. About 40 s.
#
#   SystemTests/slowclients.sh
#   SKIP_BUILD=1 SystemTests/slowclients.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$(dirname "$0")/../dev/lib-server.sh"

HEADER_TIMEOUT=${HEADER_TIMEOUT:-4}
IDLE_TIMEOUT=${IDLE_TIMEOUT:-3}
BODY_TIMEOUT=${BODY_TIMEOUT:-4}
MAX_CONNECTIONS=${MAX_CONNECTIONS:-700}

# 500 slowloris + the cap check's extra connects need descriptors on both sides.
ulimit -n 4096 2>/dev/null || true
trap 'stop_server || true' EXIT
build_server
start_server --header-timeout "$HEADER_TIMEOUT" --idle-timeout "$IDLE_TIMEOUT" \
    --body-timeout "$BODY_TIMEOUT" --max-connections "$MAX_CONNECTIONS"
echo "# gradcheck-server pid $SERVER_PID on 127.0.0.1:$SERVER_PORT (header $HEADER_TIMEOUT s," \
    "idle $IDLE_TIMEOUT s, body $BODY_TIMEOUT s, max $MAX_CONNECTIONS connections)"
status=0
timeout 120 python3 "$ROOT/SystemTests/hostile_clients.py" --port "$SERVER_PORT" --pid "$SERVER_PID" \
    --header-timeout "$HEADER_TIMEOUT" --idle-timeout "$IDLE_TIMEOUT" --body-timeout "$BODY_TIMEOUT" \
    --max-connections "$MAX_CONNECTIONS" --body "$ROOT/scripts/examples/notebook.json" || status=$?
stop_server_after_run || status=1
trap - EXIT
exit "$status"
