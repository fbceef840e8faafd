# gradcheck-server in a container: build with the official Swift image, run on a slim image of
# the same distribution (Ubuntu 24.04 "noble", so glibc matches) as a non-root user.
#
#   docker build -t gradcheck .
#   docker run --rm -p 8080:8080 gradcheck
#
# The build step is the same command as scripts/serve.sh runs natively.

FROM swift:6.3-noble AS build
WORKDIR /src
# The manifest names the test targets too, and SwiftPM wants their folders to exist, so Tests/
# comes along (it is small); only the server product is built.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product gradcheck-server \
    && install -D -m 0755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/gradcheck-server" /out/gradcheck-server

FROM ubuntu:noble
# The static Swift standard library leaves only glibc, libstdc++ and libgcc_s to the image,
# which the base image already has: no packages to install.
COPY --from=build /out/gradcheck-server /usr/local/bin/gradcheck-server
# A numeric, unprivileged user: no root inside the container, and Kubernetes' runAsNonRoot can
# verify a numeric UID without an /etc/passwd entry.
USER 10001:10001
ENV PORT=8080
EXPOSE 8080
# bash's /dev/tcp speaks just enough HTTP to ask /healthz, so the image needs no curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-8080} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# Exec form: the server is PID 1 and receives SIGTERM itself, so it can drain gracefully.
ENTRYPOINT ["/usr/local/bin/gradcheck-server"]
CMD ["--host", "0.0.0.0"]
