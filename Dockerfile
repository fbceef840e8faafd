# gradcheck-server in a container: build with the Swift image, run on a slim image of the same
# distribution (glibc must match) as a non-root user.
#
#   docker build -t gradcheck .
#   docker run --rm -p 8080:8080 gradcheck
#
# The bases are arguments so a machine that cannot pull them can pass local stand-ins (see
# SystemTests/container-test.sh): --build-arg SWIFT_IMAGE=... --build-arg RUNTIME_IMAGE=...
# The build step is the same command as scripts/serve.sh runs natively.
ARG SWIFT_IMAGE=swift:6.3-noble
ARG RUNTIME_IMAGE=ubuntu:noble

# The packages the manifest depends on (swift-collections, swift-argument-parser): empty here, so SwiftPM clones them
# from GitHub. A machine that cannot reach GitHub passes bare clones laid out as GitHub's paths
# (apple/swift-argument-parser.git) with --build-context packages=DIR, and git reads them in
# GitHub's place (scripts/lib-container.sh does this with the host's copies).
FROM scratch AS packages

FROM ${SWIFT_IMAGE} AS build
COPY --from=packages / /packages/
WORKDIR /src
# The manifest names the test targets too, and SwiftPM wants their folders to exist, so Tests/
# comes along (it is small); only the server product is built.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# Stripped: the symbols are a fifth of the static-stdlib binary and a server needs none of them.
RUN if [ -n "$(ls -A /packages)" ]; then git config --global url./packages/.insteadOf https://github.com/; fi \
    && swift build -c release --static-swift-stdlib --product gradcheck-server \
    && mkdir -p /out \
    && strip -o /out/gradcheck-server "$(swift build -c release --static-swift-stdlib --show-bin-path)/gradcheck-server"

FROM ${RUNTIME_IMAGE}
# The static Swift standard library leaves only glibc, libstdc++ and libgcc_s to the image,
# which the base image already has: no packages to install.
COPY --from=build /out/gradcheck-server /usr/local/bin/gradcheck-server
# A numeric, unprivileged user: no root inside the container, and Kubernetes' runAsNonRoot can
# verify a numeric UID without an /etc/passwd entry.
USER 10001:10001
# The server writes the port it really bound to GRADCHECK_PORT_FILE, so the health check probes
# the right one whether the port came from PORT, from --port, or was picked by the kernel.
ENV PORT=8080 GRADCHECK_PORT_FILE=/tmp/gradcheck.port
EXPOSE 8080
# podman keeps HEALTHCHECK only in the docker image format: podman build --format docker.
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/gradcheck-server", "--healthcheck"]
# Exec form: the server is PID 1 and receives SIGTERM itself, so it drains gracefully, within
# the engines' 10 s stop grace (default --drain-timeout 8).
ENTRYPOINT ["/usr/local/bin/gradcheck-server"]
CMD ["--host", "0.0.0.0"]
