#!/usr/bin/env bash
# /metrics as Prometheus sees it: starts the release server on a free port of 127.0.0.1, moves
# its counters with a few requests, checks a live answer with `promtool check metrics`, then runs
# a real Prometheus (temporary config and storage, its own free port, scraping every second),
# waits (bounded) until a scrape saw the moved counter, and reads it back from Prometheus's HTTP
# API. Everything it starts is stopped by PID.
#
#   SystemTests/prometheus-test.sh                # apt-get install prometheus (dev/setup.sh does)
#   SKIP_BUILD=1 SystemTests/prometheus-test.sh   # use the existing .build/release binary
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$(dirname "$0")/../dev/lib-server.sh"

for tool in promtool prometheus curl python3; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y prometheus curl python3" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/gradcheck-prometheus.XXXXXX)
PROMETHEUS_PID=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ -n "$PROMETHEUS_PID" ] && kill -0 "$PROMETHEUS_PID" 2>/dev/null; then
        kill -TERM "$PROMETHEUS_PID" 2>/dev/null || true
        wait "$PROMETHEUS_PID" 2>/dev/null || true
    fi
    stop_server || true
    rm -rf "$WORK"
}
trap cleanup EXIT
build_server
# shellcheck disable=SC2119 # default limits
start_server
BASE="http://127.0.0.1:$SERVER_PORT"
NOTEBOOK=$ROOT/scripts/examples/notebook.json

# Three checks, so the counter the scrape must see is 3, not a value a fresh server starts at.
for _ in 1 2 3; do
    curl -fsS -o /dev/null -d @"$NOTEBOOK" "$BASE/gradcheck"
done
curl -sS -o /dev/null "$BASE/no-such-path"

echo "== promtool check metrics (live answer of $BASE/metrics)"
curl -fsS "$BASE/metrics" >"$WORK/metrics.txt"
promtool check metrics <"$WORK/metrics.txt"
grep -q '^gradcheck_checks_total{verdict="passed",method="central",mode="full"} 3$' "$WORK/metrics.txt" \
    || { echo "FAIL: gradcheck_checks_total did not count the 3 checks:" >&2; grep checks_total "$WORK/metrics.txt" >&2; exit 1; }
echo "ok: promtool accepts $(grep -vc '^#' "$WORK/metrics.txt") samples"

echo "== a real Prometheus scraping $BASE every second"
PROMETHEUS_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: gradcheck
    static_configs:
      - targets: ["127.0.0.1:$SERVER_PORT"]
YAML
promtool check config "$WORK/prometheus.yml" >/dev/null
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --log.level=warn >"$WORK/prometheus.log" 2>&1 &
PROMETHEUS_PID=$!

QUERY='gradcheck_checks_total{job="gradcheck",verdict="passed",method="central",mode="full"}'
value=""
for _ in $(seq 60); do  # up to 30 s: Prometheus starts, then scrapes within a second
    kill -0 "$PROMETHEUS_PID" 2>/dev/null || { echo "FAIL: prometheus exited:" >&2; cat "$WORK/prometheus.log" >&2; exit 1; }
    value=$(curl -fsS -G "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query" --data-urlencode "query=$QUERY" 2>/dev/null \
        | python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null || true)
    [ -n "$value" ] && break
    sleep 0.5
done
if [ "$value" != 3 ]; then
    echo "FAIL: Prometheus answered '$value' for $QUERY (expected 3); its log:" >&2
    cat "$WORK/prometheus.log" >&2
    exit 1
fi
up=$(curl -fsS -G "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query" --data-urlencode 'query=up{job="gradcheck"}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])')
[ "$up" = 1 ] || { echo "FAIL: up{job=\"gradcheck\"} is $up" >&2; exit 1; }
echo "ok: Prometheus scraped $QUERY = $value (up = $up)"
stop_server_after_run || exit 1
