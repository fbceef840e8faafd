#!/usr/bin/env bash
# The project's test command: installs what is missing, lints, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Swift toolchain may be installed without being on PATH (e.g. /opt/swift).
if ! command -v swift >/dev/null 2>&1; then
    for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
        if [ -x "$dir/swift" ]; then PATH="$dir:$PATH"; break; fi
    done
fi

scripts/setup.sh

echo "== shellcheck"
shellcheck scripts/*.sh .ci/run
if [ -f Dockerfile ]; then
    echo "== hadolint"
    hadolint Dockerfile
fi

echo "== swift test"
swift build --build-tests
swift test --skip-build
