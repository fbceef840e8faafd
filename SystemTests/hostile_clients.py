#!/usr/bin/env python3
"""Slow and hostile clients against a running gradcheck-server on 127.0.0.1 (bounded in time).

Run by SystemTests/slowclients.sh, which starts the server with short timeouts and passes them here:

    hostile_clients.py --port P --pid PID --header-timeout 4 --idle-timeout 3 --body-timeout 4 \
        --max-connections 700 --body scripts/examples/notebook.json

Checks, each printed with its numbers; exit status 1 if any fails:
  1. 500 slowloris connections (a request head trickled one field line a second) stay open while
     fresh /forward requests are answered within 50 ms each;
  2. the slowloris connections are closed at the header timeout (not before, not much after);
  3. idle connections are closed at the idle timeout, half-sent bodies at the body timeout;
  4. the connection cap holds: far more connects than the cap leave the server's open descriptors
     bounded; each extra connect evicts the longest-idle connection (or gets a 503 if none is idle);
  5. a client that pipelines requests and never reads its responses does not slow others down.
"""
import argparse
import os
import select
import socket
import sys
import time

FAILURES = []
# The server checks deadlines on a sweep timer (a quarter of its shortest timeout, at most 1 s).
SWEEP_SLACK = 1.0


def check(ok, label, detail):
    print(("ok   " if ok else "FAIL ") + label + ": " + detail, flush=True)
    if not ok:
        FAILURES.append(label)


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def connect(port, timeout=5.0):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_response(sock, deadline):
    """Reads one response with a Content-Length body; returns (status, body bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed mid-body")
        body += chunk
    return status, body


def timed_forward(port, body):
    """One /forward on a fresh connection: seconds from connect to the full response."""
    start = time.monotonic()
    with connect(port) as sock:
        sock.sendall(b"POST /forward HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body) + body)
        status, _ = read_response(sock, start + 5)
    return status, time.monotonic() - start


def forward_latencies(port, body, count):
    results = [timed_forward(port, body) for _ in range(count)]
    statuses = {status for status, _ in results}
    times = sorted(seconds * 1000 for _, seconds in results)
    return statuses, times


def wait_closed(socks, opened_at, limit):
    """Waits (bounded by `limit` seconds) until the server closes each socket; returns the
    seconds from `opened_at` to each close (None for sockets still open at the end)."""
    closed = {}
    pending = {s.fileno(): s for s in socks}
    end = time.monotonic() + limit
    while pending and time.monotonic() < end:
        readable, _, _ = select.select(list(pending.values()), [], [], 0.05)
        for sock in readable:
            try:
                data = sock.recv(4096)
            except (ConnectionResetError, BrokenPipeError):
                data = b""
            if not data:
                closed[sock.fileno()] = time.monotonic() - opened_at
                del pending[sock.fileno()]
    return [closed.get(s.fileno()) for s in socks]


def slowloris(args, body):
    socks = []
    opened = time.monotonic()
    for index in range(args.slowloris):
        sock = connect(args.port)
        sock.sendall(b"POST /forward HTTP/1.1\r\nHost: t\r\n")
        socks.append(sock)
    setup = time.monotonic() - opened
    fds = open_fds(args.pid)
    end = time.monotonic() + 2  # the server accepts asynchronously: wait (bounded) for all
    while fds < args.slowloris and time.monotonic() < end:
        time.sleep(0.02)
        fds = open_fds(args.pid)
    check(fds >= args.slowloris, f"{args.slowloris} slowloris connections open",
          f"set up in {setup:.2f} s; server holds {fds} descriptors")
    # Trickle one more field line a second on every connection, and measure /forward meanwhile.
    times = []
    statuses = set()
    trickled = 0
    while time.monotonic() - opened < args.header_timeout - 1.0:
        round_start = time.monotonic()
        for sock in socks:
            try:
                sock.sendall(b"X-Slow-%d: 1\r\n" % trickled)
            except OSError:
                pass
        trickled += 1
        batch_statuses, batch = forward_latencies(args.port, body, 20)
        statuses |= batch_statuses
        times += batch
        time.sleep(max(0.0, round_start + 1.0 - time.monotonic()))
    times.sort()
    check(statuses == {200} and times and times[-1] < 50,
          "/forward while slowloris connections are open",
          f"{len(times)} requests, statuses {sorted(statuses)}, p50 {times[len(times) // 2]:.2f} ms, "
          f"max {times[-1]:.2f} ms (limit 50 ms)")
    closes = wait_closed(socks, opened, args.header_timeout + 5)
    done = [c for c in closes if c is not None]
    check(len(done) == len(socks) and min(done) >= args.header_timeout - 1.0 - setup
          and max(done) <= args.header_timeout + SWEEP_SLACK,
          "slowloris connections closed at the header timeout",
          f"{len(done)}/{len(socks)} closed, after {min(done, default=0):.2f}-{max(done, default=0):.2f} s "
          f"(header timeout {args.header_timeout} s)")
    for sock in socks:
        sock.close()


def idle_and_half_sent(args):
    # 25 silent new connections and 25 that are idle after one answered request.
    idle = [connect(args.port) for _ in range(25)]
    for _ in range(25):
        sock = connect(args.port)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        status, _ = read_response(sock, time.monotonic() + 5)
        assert status == 200
        idle.append(sock)
    opened = time.monotonic()
    closes = wait_closed(idle, opened, args.idle_timeout + 5)
    done = [c for c in closes if c is not None]
    check(len(done) == len(idle) and min(done) >= args.idle_timeout - 0.2
          and max(done) <= args.idle_timeout + SWEEP_SLACK,
          "idle connections closed at the idle timeout",
          f"{len(done)}/{len(idle)} closed after {min(done, default=0):.2f}-{max(done, default=0):.2f} s "
          f"(idle timeout {args.idle_timeout} s)")
    for sock in idle:
        sock.close()

    half = []
    for _ in range(50):
        sock = connect(args.port)
        sock.sendall(b"POST /forward HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n{\"X\": [[1")
        half.append(sock)
    opened = time.monotonic()
    closes = wait_closed(half, opened, args.body_timeout + 5)
    done = [c for c in closes if c is not None]
    check(len(done) == len(half) and min(done) >= args.body_timeout - 0.2
          and max(done) <= args.body_timeout + SWEEP_SLACK,
          "half-sent bodies closed at the body timeout",
          f"{len(done)}/{len(half)} closed after {min(done, default=0):.2f}-{max(done, default=0):.2f} s "
          f"(body timeout {args.body_timeout} s)")
    for sock in half:
        sock.close()


def connection_cap(args):
    baseline = open_fds(args.pid)
    attempts = args.max_connections + 300
    socks = []
    for _ in range(attempts):
        try:
            socks.append(connect(args.port, timeout=2))
        except OSError:
            pass
    # The server accepts asynchronously: poll the descriptor count for a settled value (bounded).
    peak = 0
    end = time.monotonic() + 2
    while time.monotonic() < end:
        peak = max(peak, open_fds(args.pid))
        time.sleep(0.05)
    # At the cap the server closes the longest-idle connection (one with no request in progress)
    # to admit a new one, or answers 503 when none is idle: every connect beyond the cap ends one
    # connection, as a 503 or as an evicted idle connection's EOF.
    refused = 0
    evicted = 0
    readable, _, _ = select.select(socks, [], [], 1.0)
    for sock in readable:
        try:
            data = sock.recv(4096)
        except OSError:
            data = b""
        if data.startswith(b"HTTP/1.1 503"):
            refused += 1
        elif data == b"":
            evicted += 1
    after = forward_after_a_slot_frees(args, socks)
    check(peak <= baseline + args.max_connections + 2
          and refused + evicted >= attempts - args.max_connections - 5,
          "connection cap holds",
          f"{attempts} connects, server descriptors peak {peak} (baseline {baseline}, cap "
          f"{args.max_connections}), {evicted} idle connections evicted, {refused} answered 503; {after}")
    for sock in socks:
        sock.close()


def forward_after_a_slot_frees(args, socks):
    """Closes one accepted connection; a new request must then get through (the server sees the
    close asynchronously, so retry a few times, bounded)."""
    socks.pop(0).close()
    for _ in range(20):
        try:
            status, seconds = timed_forward(args.port, args.body_bytes)
            if status == 200:
                return f"after one slot frees, /forward answered 200 in {seconds * 1000:.1f} ms"
        except OSError:
            pass
        time.sleep(0.05)
    return "after one slot frees, /forward still refused"


def non_reader(args, body):
    sock = connect(args.port)
    sock.setblocking(False)
    request = b"GET /openapi.json HTTP/1.1\r\nHost: t\r\n\r\n"
    sent = 0
    end = time.monotonic() + 3
    # Pipeline until the kernel refuses more (server stopped reading and our buffers are full).
    while time.monotonic() < end:
        try:
            sent += sock.send(request * 100)
        except BlockingIOError:
            break
    statuses, times = forward_latencies(args.port, body, 50)
    check(statuses == {200} and times[-1] < 50,
          "a client that never reads does not stall others",
          f"it pipelined {sent // len(request)} requests; then 50 /forward: p50 {times[25]:.2f} ms, "
          f"max {times[-1]:.2f} ms; server descriptors {open_fds(args.pid)}")
    sock.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--header-timeout", type=float, required=True)
    parser.add_argument("--idle-timeout", type=float, required=True)
    parser.add_argument("--body-timeout", type=float, required=True)
    parser.add_argument("--max-connections", type=int, required=True)
    parser.add_argument("--slowloris", type=int, default=500)
    parser.add_argument("--body", required=True)
    args = parser.parse_args()
    with open(args.body, "rb") as f:
        body = f.read()
    args.body_bytes = body
    slowloris(args, body)
    idle_and_half_sent(args)
    connection_cap(args)
    non_reader(args, body)
    print("FAILED: " + ", ".join(FAILURES) if FAILURES else "all hostile-client checks passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
