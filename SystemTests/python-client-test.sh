#!/usr/bin/env bash
# The Python client (clients/python) against the real server: builds the release gradcheck-server
# (SKIP_BUILD=1 uses the last build), pip-installs the client into a virtual environment that
# also sees the system's packages (pytest, numpy; dev/setup.sh installs them), and runs its pytest
# suite, which starts the server on a free port of 127.0.0.1 and stops it by its PID.
#   SystemTests/python-client-test.sh [PYTEST ARGS...]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$(dirname "$0")/../dev/lib-server.sh"

for module in pytest numpy; do
    python3 -c "import $module" 2>/dev/null || { echo "python3 has no $module: dev/setup.sh installs it" >&2; exit 1; }
done
build_server
[ -x "$SERVER_BIN" ] || { echo "no server binary at $SERVER_BIN" >&2; exit 1; }

venv=$ROOT/.build/python-client-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv --system-site-packages "$venv"
fi
# What the README says a student runs (pip install ./clients/python). With setuptools and wheel
# already there, --no-build-isolation builds it without fetching them.
isolation=()
"$venv/bin/python" -c 'import setuptools, wheel' 2>/dev/null && isolation=(--no-build-isolation)
"$venv/bin/python" -m pip install -q --disable-pip-version-check "${isolation[@]}" --force-reinstall --no-deps \
    "$ROOT/clients/python"
# From outside the source folder, so the tests import the installed package, not the checkout.
cd "$ROOT/clients/python/tests"
GRADCHECK_SERVER_BIN=$SERVER_BIN "$venv/bin/python" -m pytest -q -rs -p no:cacheprovider "$@" .
