#!/usr/bin/env bash
# Size and time of the reports of the bench ladder's largest network (1024-512-256-1, relu,
# m = 512: 656,385 parameters; weights from notebook_numpy.py): the JSON, HTML and SVG answers of
# one full check each (priced under the default budget), then the HTML
# rendered in headless Chromium. Release server on a free port of 127.0.0.1, stopped by its PID.
# Needs python3 with numpy; about a minute on 2 cores.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$(dirname "$0")/../dev/lib-server.sh"

WORK=$(mktemp -d /tmp/gradcheck-large.XXXXXX)
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { stop_server || true; rm -rf "$WORK"; }
trap cleanup EXIT
python3 "$ROOT/Benchmarks/large_report_body.py" >"$WORK/body.json"
build_server
# shellcheck disable=SC2119 # default limits: what a deployment runs
start_server
for accept in application/json text/html image/svg+xml; do
    curl -sS -o "$WORK/answer" -H "Accept: $accept" --data-binary "@$WORK/body.json" \
        -w "$accept: HTTP %{http_code}, %{size_download} bytes, %{time_total} s (check included)\n" \
        "http://127.0.0.1:$SERVER_PORT/gradcheck"
    [ "$accept" = text/html ] && cp "$WORK/answer" "$WORK/report.html"
done
python3 "$ROOT/Benchmarks/render_time.py" "$WORK/report.html"
