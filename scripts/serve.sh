#!/usr/bin/env bash
# Starts gradcheck-server on port 8080 (or $PORT) from a fresh clone: installs what is missing
# (dev/setup.sh), builds the release binary, and runs it in the foreground (Ctrl-C stops it
# gracefully). Extra arguments go to the server, e.g. scripts/serve.sh --host 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    echo "Usage: scripts/serve.sh [gradcheck-server flags...]   (PORT=8080 by default; see gradcheck-server --help)"
    exit 0
fi

# shellcheck source-path=SCRIPTDIR source=lib-toolchain.sh
. scripts/lib-toolchain.sh
use_swift_toolchain || {
    echo "serve.sh: no Swift toolchain found (https://www.swift.org/install); or run the container, see README.md" >&2
    exit 2
}

dev/setup.sh
# The same build as the Dockerfile's.
swift build -c release --static-swift-stdlib --product gradcheck-server
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/gradcheck-server"
echo "serve.sh: starting $bin on port ${PORT:-8080}"
exec "$bin" --port "${PORT:-8080}" "$@"
