#!/usr/bin/env bash
# POST a payload to /gradcheck and print the answer; exit 1 when the check fails.
#   scripts/gradcheck.sh [--html FILE | --svg FILE | --progress] [PAYLOAD.json] [SERVER_URL]
# --html FILE saves the HTML report, --svg FILE the heatmaps as one SVG (exit 0 once saved,
# whatever the verdict: the picture shows it). --progress streams the check (NDJSON) and draws
# a progress bar on stderr while it runs, then prints the answer as usual.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
case "${1:-}" in
    --html | --svg)
        [ $# -ge 2 ] || { echo "error: $1 needs a FILE" >&2; exit 2; }
        if [ "$1" = --html ]; then GC_ACCEPT=text/html; else GC_ACCEPT=image/svg+xml; fi
        GC_SAVE=$2
        export GC_ACCEPT GC_SAVE
        shift 2
        ;;
    --progress)
        export GC_PROGRESS=1
        shift
        ;;
esac
gc_main gradcheck.sh gradcheck \
    'the difference between the gradients (the payload'"'"'s "gradients", or the service'"'"'s own backward) and numerical ones, per parameter; with --html FILE or --svg FILE first, saves the report or the heatmaps to FILE instead' \
    "$@"
[ -n "${GC_SAVE:-}" ] && exit 0
passed=$(gc_json_field "$GC_BODY" passed)
if [ "$passed" != "true" ]; then
    echo "gradient check FAILED (passed: $passed)" >&2
    exit 1
fi
