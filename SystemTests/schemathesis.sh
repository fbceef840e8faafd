#!/usr/bin/env bash
# API fuzzing: schemathesis (pip install schemathesis) against the live server's /openapi.json,
# every operation, a few hundred generated requests each, bounded to about two minutes. Fails on
# any 5xx, any answer that breaks the documented schema (status, content type, headers, body), or
# a schema-invalid request that is accepted. Release server on a free port of 127.0.0.1, stopped
# by its PID.
#
#   pip install schemathesis && SystemTests/schemathesis.sh
#   SCHEMATHESIS=/path/to/venv/bin/schemathesis MAX_TIME=60 SEED=1 SKIP_BUILD=1 SystemTests/schemathesis.sh
#
# One check is left out: positive_data_acceptance ("every schema-valid body is accepted"). JSON
# Schema cannot say that W2's columns must equal W1's rows or that b1 must come with W1, so
# schema-valid bodies with mismatched shapes exist, and the API contract answers them 422.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$(dirname "$0")/../dev/lib-server.sh"

SCHEMATHESIS=${SCHEMATHESIS:-schemathesis}
MAX_TIME=${MAX_TIME:-110}
EXAMPLES=${EXAMPLES:-300}
SEED=${SEED:-$RANDOM}
command -v "$SCHEMATHESIS" >/dev/null || { echo "schemathesis is missing: pip install schemathesis" >&2; exit 1; }

WORK=$(mktemp -d /tmp/gradcheck-schemathesis.XXXXXX)
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    stop_server || true
    rm -rf "$WORK"
}
trap cleanup EXIT
build_server
# shellcheck disable=SC2119 # default limits: what a deployment runs
start_server
echo "# gradcheck-server pid $SERVER_PID on 127.0.0.1:$SERVER_PORT; schemathesis seed $SEED"
status=0
# Run from a scratch directory: schemathesis and hypothesis write their state into the cwd.
(cd "$WORK" && timeout $((MAX_TIME + 60)) "$SCHEMATHESIS" run "http://127.0.0.1:$SERVER_PORT/openapi.json" \
    --checks all --exclude-checks positive_data_acceptance \
    --max-examples "$EXAMPLES" --max-time "$MAX_TIME" --seed "$SEED" \
    --request-timeout 20 --generation-database none --no-color) || status=$?
stop_server_after_run || status=1
exit "$status"
