#!/usr/bin/env bash
# The layer benchmark: layer and network checks over HTTP against a live release server,
# side by side with a numpy central-difference baseline written from the math
# (Benchmarks/layers_bench.py), in the same run:
#   (a) CS231n's gradient-check sanity ThreeLayerConvNet (3 filters 3x3, input (2,3,16,16),
#       hidden 7, 10 classes): full check vs eval_numerical_gradient-style numpy (target >= 100x);
#   (b) the default-size ThreeLayerConvNet (32 filters 7x7, (2,3,32,32), hidden 100, ~0.82M
#       parameters): full check time (target < 60 s on 2 cores; numpy extrapolated from a sample);
#   (c) every single-layer check at CS231n's notebook sizes (target < 20 ms each);
#   (d) an LSTM layer over T = 50 (N 4, D 32, H 64): full check vs numpy, numpy timed on a sample
#       of coordinates and extrapolated (labelled so).
#
#   Benchmarks/layers.sh                        build the release server, run everything
#   Benchmarks/layers.sh --only sanity,layers   some of sanity, default, layers, lstm
#   SERVER_BIN=.build-release/release/gradcheck-server Benchmarks/layers.sh   another build, no build step
#   SERVER_FLAGS="--max-work 1e13" Benchmarks/layers.sh                        extra server flags
#
# The server listens on a free port of 127.0.0.1 and is stopped by its PID. numpy runs with
# OPENBLAS_NUM_THREADS=1 (see Benchmarks/bench.sh). On shared cores every number is noisy: read the
# ratios taken in the same run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$ROOT/dev/lib-server.sh"

build_server
read -r -a flags <<<"${SERVER_FLAGS:-}"
start_server "${flags[@]}"
trap 'stop_server >/dev/null 2>&1 || true' EXIT
echo "server $SERVER_BIN on 127.0.0.1:$SERVER_PORT (pid $SERVER_PID); load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
status=0
OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} python3 "$ROOT/Benchmarks/layers_bench.py" --port "$SERVER_PORT" "$@" || status=$?
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
stop_server_after_run || status=1
trap - EXIT
exit "$status"
