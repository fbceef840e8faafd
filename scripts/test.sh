#!/usr/bin/env bash
# The project's test command: installs what is missing, lints, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

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
