# shellcheck shell=bash
# Sourced (not run) by every script that calls swift: scripts/serve.sh, scripts/container.sh,
# dev/test.sh and, through build_server, the scripts that source dev/lib-server.sh. One place knows where a toolchain hides.

# use_swift_toolchain: puts the Swift toolchain on PATH when it is installed without being on it
# (the official tarball in /opt/swift, a distribution's /usr/share/swift). Returns 1 when there
# is none.
use_swift_toolchain() {
    local dir
    if ! command -v swift >/dev/null 2>&1; then
        for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
            if [ -x "$dir/swift" ]; then PATH="$dir:$PATH"; break; fi
        done
        export PATH
    fi
    command -v swift >/dev/null 2>&1
}
