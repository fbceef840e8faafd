"""Starts the real gradcheck-server once for the session, on a free port of 127.0.0.1.

The binary is $GRADCHECK_SERVER_BIN (SystemTests/python-client-test.sh passes the release build it
just made), else the newest of .build/release and .build/debug; with neither, it is built here
(`swift build --product gradcheck-server`, debug: a few minutes on 2 cores). The server is
started with --port 0 and writes the port it bound to $GRADCHECK_PORT_FILE; it is stopped by its
PID at the end.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXAMPLES = os.path.join(ROOT, "scripts", "examples")
START_SECONDS = 30
# The binary the session's server runs (set by the server_url fixture).
SERVER = {"binary": None}


def _server_binary():
    given = os.environ.get("GRADCHECK_SERVER_BIN")
    if given:
        if not os.access(given, os.X_OK):
            pytest.exit("GRADCHECK_SERVER_BIN=%s is not an executable" % given, returncode=2)
        return given
    built = [os.path.join(ROOT, ".build", kind, "gradcheck-server") for kind in ("release", "debug")]
    built = [path for path in built if os.access(path, os.X_OK)]
    if built:
        return max(built, key=os.path.getmtime)
    swift = shutil.which("swift") or next(
        (path for path in ("/opt/swift/usr/bin/swift", "/usr/share/swift/usr/bin/swift") if os.access(path, os.X_OK)),
        None)
    if swift is None:
        pytest.exit("no gradcheck-server build and no Swift toolchain to build one", returncode=2)
    subprocess.run([swift, "build", "--product", "gradcheck-server", "--package-path", ROOT], check=True,
                   stdout=sys.stderr)
    return os.path.join(ROOT, ".build", "debug", "gradcheck-server")


@pytest.fixture(scope="session")
def server_url():
    binary = _server_binary()
    SERVER["binary"] = binary
    scratch = tempfile.mkdtemp(prefix="gradcheck-client-test.")
    port_file = os.path.join(scratch, "port")
    log_path = os.path.join(scratch, "server.log")
    environment = dict(os.environ, GRADCHECK_PORT_FILE=port_file)
    with open(log_path, "wb") as log:
        process = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", "0", "--no-access-log"],
                                   stdout=log, stderr=subprocess.STDOUT, env=environment)
    try:
        deadline = time.monotonic() + START_SECONDS
        port = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with open(port_file) as handle:
                    port = int(handle.read().strip() or 0) or None
            except (OSError, ValueError):
                port = None
            if port:
                break
            time.sleep(0.05)
        if not port:
            with open(log_path, errors="replace") as handle:
                pytest.exit("gradcheck-server (%s) did not start:\n%s" % (binary, handle.read()), returncode=2)
        yield "http://127.0.0.1:%d" % port
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture(scope="session")
def notebook():
    """The notebook's test case (gradient_check_n_test_case): X, Y and the parameters."""
    with open(os.path.join(EXAMPLES, "notebook.json")) as handle:
        return json.load(handle)


@pytest.fixture(scope="session")
def release_server(server_url):
    """True when the server is a release build (a debug build is about 10x slower than the
    service's cost model, so a check of a second runs past its priced deadline there)."""
    return "/debug/" not in SERVER["binary"]


@pytest.fixture
def examples():
    return EXAMPLES
