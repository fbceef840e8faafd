# shellcheck shell=bash
# Sourced (not run) by scripts/container.sh and SystemTests/container-test.sh: the one place that
# knows how to build and run the image on this kind of machine. Picks the engine (docker when a
# daemon answers, else podman), gives podman the settings this host needs, and chooses the base
# images: the official ones when present or pullable, else local stand-ins built once and reused.
#
# Needs ROOT (the repository) and WORK (a scratch folder the caller removes). Sets ENGINE,
# BUILD_FLAGS, SWIFT_IMAGE and RUNTIME_IMAGE (a caller's own SWIFT_IMAGE/RUNTIME_IMAGE win).

STANDIN_RUNTIME=localhost/gradcheck-runtime-base:bookworm
STANDIN_SWIFT=localhost/gradcheck-swift-base:6.3-bookworm

# podman on this kind of host (Debian 12, podman 4.3, hybrid cgroups, root): runc (crun refuses
# the cgroup layout), cgroupfs (no systemd), events in a file, and ulimits root can actually
# grant. Passed through CONTAINERS_CONF so nothing in /etc changes.
podman_conf() {
    cat >"$WORK/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
    export CONTAINERS_CONF=$WORK/containers.conf
}

# choose_engine: sets ENGINE (a caller's ENGINE wins) and BUILD_FLAGS; returns 1 when there is
# neither a docker daemon nor podman.
choose_engine() {
    if [ -z "${ENGINE:-}" ]; then
        if command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; then
            ENGINE=docker
        elif command -v podman >/dev/null 2>&1; then
            ENGINE=podman
        else
            return 1
        fi
    fi
    [ "$ENGINE" = podman ] && podman_conf
    BUILD_FLAGS=()
    # The OCI format podman builds by default has no HEALTHCHECK; the docker format keeps it.
    [ "$ENGINE" = podman ] && BUILD_FLAGS+=(--format docker)
    return 0
}

image_exists() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }

build_standin_runtime() {
    mmdebstrap --quiet --variant=minbase bookworm - \
        | "$ENGINE" import --change 'CMD ["bash"]' - "$STANDIN_RUNTIME" >/dev/null
}

# The packages the official Swift images carry, and the toolchain this machine builds with.
build_standin_swift() {
    local toolchain
    toolchain=$(cd "$(dirname "$(command -v swift)")/../.." && pwd)
    mmdebstrap --quiet --variant=minbase \
        --include=binutils,git,libc6-dev,libcurl4-openssl-dev,libedit2,libgcc-12-dev,libncurses6,libpython3-dev,libsqlite3-0,libstdc++-12-dev,libxml2-dev,libz3-dev,pkg-config,tzdata,zlib1g-dev,unzip \
        --customize-hook="mkdir -p \"\$1/opt\" && cp -a '$toolchain' \"\$1/opt/swift\"" bookworm - \
        | "$ENGINE" import --change 'ENV PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["bash"]' - "$STANDIN_SWIFT" >/dev/null
}

# choose_base VARIABLE OFFICIAL STANDIN BUILDER: the caller's choice, else the official image if
# it is here or can be pulled, else the stand-in (built once, then reused). Returns 1 when a
# stand-in is needed and mmdebstrap is missing.
choose_base() {
    local variable=$1 official=$2 standin=$3 builder=$4
    if [ -n "${!variable:-}" ]; then return 0; fi
    if image_exists "$official"; then printf -v "$variable" '%s' "$official"; return 0; fi
    if image_exists "$standin"; then printf -v "$variable" '%s' "$standin"; return 0; fi
    if timeout 60 "$ENGINE" pull -q "$official" >/dev/null 2>&1; then printf -v "$variable" '%s' "$official"; return 0; fi
    if ! command -v mmdebstrap >/dev/null; then
        echo "$official cannot be pulled and mmdebstrap (for a stand-in) is missing: dev/setup.sh installs it" >&2
        return 1
    fi
    echo "  $official cannot be pulled: building the stand-in $standin (once; later builds reuse it)" >&2
    "$builder"
    printf -v "$variable" '%s' "$standin"
}

choose_runtime_base() { choose_base RUNTIME_IMAGE ubuntu:noble "$STANDIN_RUNTIME" build_standin_runtime; }
choose_swift_base() { choose_base SWIFT_IMAGE swift:6.3-noble "$STANDIN_SWIFT" build_standin_swift; }

# package_clones DIR: bare clones of the GitHub packages Package.swift names, as DIR/owner/name.git,
# made by the host's git (which may read them from a local mirror). The image build then needs no
# network for them. Returns 1 when one cannot be cloned (the build then fetches them itself).
# Only the manifest's own dependencies: swift-collections and swift-argument-parser have none of their own.
package_clones() {
    local dir=$1 repository
    rm -rf "$dir"
    while read -r repository; do
        git clone --quiet --bare "https://github.com/$repository" "$dir/${repository%.git}.git" || return 1
    done < <(sed -nE 's#.*\.package\(url: "https://github.com/([^"]+)".*#\1#p' "$ROOT/Package.swift")
    [ -d "$dir" ]
}

# build_image TAG: the real Dockerfile, on the chosen bases.
build_image() {
    local context=()
    if package_clones "$WORK/packages"; then context=(--build-context "packages=$WORK/packages"); fi
    "$ENGINE" build "${BUILD_FLAGS[@]}" ${context[@]+"${context[@]}"} -q --build-arg SWIFT_IMAGE="$SWIFT_IMAGE" \
        --build-arg RUNTIME_IMAGE="$RUNTIME_IMAGE" -t "$1" "$ROOT" >/dev/null
}
