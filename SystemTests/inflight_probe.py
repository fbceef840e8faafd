#!/usr/bin/env python3
"""In-flight requests across a graceful stop: sends COUNT heavy POST /gradcheck requests (a random
network, seeded) on separate connections to a gradcheck-server on 127.0.0.1, sends SIGTERM to the
server once every request has been written, and checks that each one still gets its complete
200 answer (Content-Length honoured, JSON with a "difference"). Prints the latency of each.

    inflight_probe.py --port P --pid PID [--count 8] [--dims 128,64,32,1] [--m 64]
"""
import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time


def network_body(dims, m, seed=0):
    rng = random.Random(seed)

    def matrix(rows, cols, scale):
        return [[rng.uniform(-scale, scale) for _ in range(cols)] for _ in range(rows)]

    parameters = {}
    for layer in range(1, len(dims)):
        parameters[f"W{layer}"] = matrix(dims[layer], dims[layer - 1], (2.0 / dims[layer - 1]) ** 0.5)
        parameters[f"b{layer}"] = matrix(dims[layer], 1, 0.1)
    body = {"X": matrix(dims[0], m, 1.0), "Y": [[rng.randint(0, 1) for _ in range(m)]], "parameters": parameters}
    return json.dumps(body).encode()


def read_response(sock):
    """Whole response or an exception naming what was missing."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {len(data)} bytes, before the end of the head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = next(int(v.strip()) for n, _, v in (l.partition(b":") for l in lines[1:]) if n.lower() == b"content-length")
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {len(body)} of {length} body bytes")
        body += chunk
    return status, body


def wait_until_read(server_port, client_ports, limit=10.0):
    """True once the server has read every byte of our requests: its sockets' receive queues
    (Recv-Q in `ss`) for those connections are empty. A request still queued in the kernel was
    not accepted yet, so it is not owed an answer; this makes sure all of ours were."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        out = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{server_port} )"],
                             capture_output=True, text=True).stdout
        pending = 0
        seen = set()
        for line in out.splitlines():
            fields = line.split()  # Recv-Q Send-Q Local:Port Peer:Port
            peer_port = int(fields[3].rsplit(":", 1)[1])
            if peer_port in client_ports:
                seen.add(peer_port)
                pending += int(fields[0])
        if seen == client_ports and pending == 0:
            return True
        time.sleep(0.01)
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--dims", default="128,64,32,1")
    parser.add_argument("--m", type=int, default=64)
    args = parser.parse_args()
    body = network_body([int(d) for d in args.dims.split(",")], args.m)
    request = (b"POST /gradcheck HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body)) + body
    socks = []
    for _ in range(args.count):
        sock = socket.create_connection(("127.0.0.1", args.port), timeout=60)
        sock.sendall(request)
        socks.append(sock)
    drained = wait_until_read(args.port, {s.getsockname()[1] for s in socks})
    sent = time.monotonic()
    os.kill(args.pid, signal.SIGTERM)
    print(f"{args.count} /gradcheck requests ({len(body) / 1e3:.0f} KB, dims {args.dims}, m {args.m}) written; "
          f"{'read by the server' if drained else 'NOT all read by the server yet'}; SIGTERM sent", flush=True)
    failures = 0
    for index, sock in enumerate(socks):
        try:
            status, answer = read_response(sock)
            ok = status == 200 and "difference" in json.loads(answer)
            detail = f"{status}, {len(answer)} bytes"
        except (OSError, ValueError) as error:
            ok, detail = False, f"{type(error).__name__}: {error}"
        failures += 0 if ok else 1
        print(f"  request {index}: {'ok  ' if ok else 'FAIL'} {detail} after {time.monotonic() - sent:.3f} s", flush=True)
        sock.close()
    print("all in-flight requests answered in full" if failures == 0 else f"FAIL: {failures} request(s) cut off")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
