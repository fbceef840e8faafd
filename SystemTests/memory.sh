#!/usr/bin/env bash
# Resident memory under big bodies: SystemTests/memory_rounds.py sends rounds of 64 concurrent ~8 MB
# POST /forward requests for a minute to the release server started here on a free port of
# 127.0.0.1, samples its VmRSS after every round, fails if it grows; stops the server by its PID.
#
#   SystemTests/memory.sh                          # 64 x 8 MB, 60 s
#   DURATION=20 CONCURRENCY=16 SystemTests/memory.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$(dirname "$0")/../dev/lib-server.sh"

DURATION=${DURATION:-60}
CONCURRENCY=${CONCURRENCY:-64}
MEGABYTES=${MEGABYTES:-8}

trap 'stop_server || true' EXIT
build_server
# shellcheck disable=SC2119 # defaults: 64 MiB body limit, one worker per core
start_server
echo "# gradcheck-server pid $SERVER_PID on 127.0.0.1:$SERVER_PORT"
status=0
timeout $((DURATION + 180)) python3 "$ROOT/SystemTests/memory_rounds.py" --port "$SERVER_PORT" --pid "$SERVER_PID" \
    --concurrency "$CONCURRENCY" --duration "$DURATION" --megabytes "$MEGABYTES" || status=$?
stop_server_after_run || status=1
trap - EXIT
exit "$status"
