#!/usr/bin/env bash
# Builds and runs the image the way the README says, on a machine where podman is the engine and
# the official bases cannot be pulled: the same engine choice, podman settings and stand-in bases
# as SystemTests/container-test.sh (both source scripts/lib-container.sh).
#
#   scripts/container.sh build                  # the image `gradcheck` (IMAGE=... for another tag)
#   scripts/container.sh run [SERVER ARGS...]   # serves on http://127.0.0.1:8080 (PORT=9000 for another port); Ctrl-C stops it
#   scripts/container.sh env                    # prints the engine, bases and settings it would use
#
# ENGINE=docker|podman, SWIFT_IMAGE=... and RUNTIME_IMAGE=... override the choices;
# CONTAINER_NAME=... names the container `run` starts.
# Exit status: 0 done, 1 the engine or a base is missing or the build failed, 2 usage.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib-toolchain.sh
. "$ROOT/scripts/lib-toolchain.sh"
# shellcheck source-path=SCRIPTDIR source=lib-container.sh
. "$ROOT/scripts/lib-container.sh"

usage() { sed -n '6,11p' "$0" | sed 's/^# \{0,1\}//'; }

IMAGE=${IMAGE:-gradcheck}
PORT=${PORT:-8080}
# Kept (not a temporary folder) so `run` can exec the engine: podman reads it while it runs.
WORK=$ROOT/.build/container
mkdir -p "$WORK"

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
    build | run | env) ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
esac
choose_engine || { echo "no docker daemon answers and podman is not installed (dev/setup.sh installs it)" >&2; exit 1; }

case "$command" in
    env)
        echo "ENGINE=$ENGINE"
        echo "BUILD_FLAGS=${BUILD_FLAGS[*]}"
        echo "CONTAINERS_CONF=${CONTAINERS_CONF:-}"
        echo "SWIFT_IMAGE=${SWIFT_IMAGE:-(chosen at build: swift:6.3-noble, else $STANDIN_SWIFT)}"
        echo "RUNTIME_IMAGE=${RUNTIME_IMAGE:-(chosen at build: ubuntu:noble, else $STANDIN_RUNTIME)}"
        ;;
    build)
        # The stand-in builder copies the host's toolchain into the image.
        use_swift_toolchain || true
        choose_runtime_base
        choose_swift_base
        echo "building $IMAGE with $ENGINE on SWIFT_IMAGE=$SWIFT_IMAGE RUNTIME_IMAGE=$RUNTIME_IMAGE"
        build_image "$IMAGE"
        echo "built $IMAGE; run it with: scripts/container.sh run"
        ;;
    run)
        image_exists "$IMAGE" || { echo "no image $IMAGE: build it with scripts/container.sh build" >&2; exit 1; }
        echo "serving $IMAGE on http://127.0.0.1:$PORT (Ctrl-C stops it)"
        name=()
        [ -n "${CONTAINER_NAME:-}" ] && name=(--name "$CONTAINER_NAME")
        exec "$ENGINE" run --rm "${name[@]}" -p "127.0.0.1:$PORT:8080" "$IMAGE" "$@"
        ;;
esac
