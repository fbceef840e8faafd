#!/usr/bin/env bash
# The page at GET / in a real headless Chromium (Debian's chromium + chromium-driver, through
# Selenium; no browser download): uploads the notebook's buggy body, presses Check, checks the
# report. Release server on a free port of 127.0.0.1, stopped by its PID; bounded to ~1 minute.
# Screenshot: .build/browser-test/report.png (path printed).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$(dirname "$0")/../dev/lib-server.sh"

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    echo "chromium and chromium-driver are missing: dev/setup.sh installs them" >&2
    exit 1
fi
shot_dir=$ROOT/.build/browser-test
mkdir -p "$shot_dir"
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { stop_server || true; }
trap cleanup EXIT
build_server
# shellcheck disable=SC2119 # default limits
start_server
echo "# gradcheck-server pid $SERVER_PID on 127.0.0.1:$SERVER_PORT"
timeout 90 python3 "$ROOT/SystemTests/browser_test.py" "http://127.0.0.1:$SERVER_PORT" "$shot_dir/report.png"
