#!/usr/bin/env bash
# The HTML answers pass `tidy -errors -q` (exit 0: no error and no warning), and the SVG answers
# parse as XML: the report of every example body, and the page at GET /. Release server on a free
# port of 127.0.0.1, stopped by its PID.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib-server.sh
. "$(dirname "$0")/lib-server.sh"

command -v tidy >/dev/null || { echo "tidy is missing: dev/setup.sh installs it" >&2; exit 1; }
WORK=$(mktemp -d /tmp/gradcheck-html.XXXXXX)
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { stop_server || true; rm -rf "$WORK"; }
trap cleanup EXIT
build_server
# shellcheck disable=SC2119 # default limits
start_server
base=http://127.0.0.1:$SERVER_PORT
status=0
check() { # NAME FILE
    if tidy -errors -q "$2" >"$WORK/tidy.txt" 2>&1; then echo "ok   tidy $1"; else
        echo "FAIL tidy $1"
        cat "$WORK/tidy.txt"
        status=1
    fi
}
curl -sS -o "$WORK/page.html" "$base/"
check "GET /" "$WORK/page.html"
for body in "$ROOT"/scripts/examples/*.json "$ROOT"/scripts/examples/layers/*.json; do
    [ -f "$body" ] || continue
    name=${body#"$ROOT"/scripts/examples/}
    curl -sS -o "$WORK/report.html" -H 'Accept: text/html' --data-binary "@$body" "$base/gradcheck"
    check "report of $name" "$WORK/report.html"
    curl -sS -o "$WORK/report.svg" -H 'Accept: image/svg+xml' --data-binary "@$body" "$base/gradcheck"
    if python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$WORK/report.svg"; then
        echo "ok   xml  heatmaps of $name"
    else echo "FAIL xml  heatmaps of $name"; status=1; fi
done
exit "$status"
