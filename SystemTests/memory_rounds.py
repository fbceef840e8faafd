#!/usr/bin/env python3
"""Memory under big bodies: rounds of CONCURRENCY concurrent POST /forward requests, each with an
~8 MB JSON body, for DURATION seconds, against a running gradcheck-server on 127.0.0.1. After each
round, samples the server's VmRSS (and VmHWM, the peak) from /proc/PID/status.

Passes when every answer is 200 and the resident memory does not grow from round to round: the
RSS after the last rounds stays within 10% (+32 MB) of the highest RSS seen in the first third.

    memory_rounds.py --port P --pid PID [--concurrency 64] [--duration 60] [--megabytes 8]
"""
import argparse
import http.client
import random
import sys
import threading
import time


def make_body(megabytes):
    """A valid /forward request of about `megabytes` MB: a 1-unit sigmoid layer over wide X."""
    rng = random.Random(0)
    n0 = 256
    per_row = 19 * n0 + 2  # "-0.1234567890123456," is ~19-20 bytes
    m = max(1, megabytes * 1_000_000 // per_row)
    columns = ",".join("%.16f" % rng.uniform(-1, 1) for _ in range(m))
    x_rows = ",".join("[" + columns + "]" for _ in range(n0))  # same row repeated: cheap to build
    w1 = "[[" + ",".join("%.6f" % rng.uniform(-0.01, 0.01) for _ in range(n0)) + "]]"
    y = "[[" + ",".join(str(i % 2) for i in range(m)) + "]]"
    body = '{"X":[%s],"Y":%s,"parameters":{"W1":%s,"b1":[[0.0]]},"output":"sigmoid"}' % (x_rows, y, w1)
    return body.encode()


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--megabytes", type=int, default=8)
    args = parser.parse_args()
    body = make_body(args.megabytes)
    print(f"body {len(body) / 1e6:.1f} MB, {args.concurrency} concurrent, {args.duration:.0f} s", flush=True)

    # One keep-alive connection per client thread, reused across rounds (as a real client would:
    # this is where per-connection buffers could pile up).
    connections = [http.client.HTTPConnection("127.0.0.1", args.port, timeout=60) for _ in range(args.concurrency)]
    statuses = []
    lock = threading.Lock()

    def one(connection):
        try:
            connection.request("POST", "/forward", body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            status = response.status
        except Exception as error:  # reported, and fails the run
            status = f"error {type(error).__name__}"
            connection.close()
        with lock:
            statuses.append(status)

    rss = []
    start = time.monotonic()
    round_number = 0
    while time.monotonic() - start < args.duration:
        round_number += 1
        t0 = time.monotonic()
        threads = [threading.Thread(target=one, args=(c,)) for c in connections]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        rss.append(status_kb(args.pid, "VmRSS"))
        print(f"round {round_number:3d}: {time.monotonic() - t0:5.2f} s  VmRSS {rss[-1] / 1024:7.1f} MB", flush=True)
    for connection in connections:
        connection.close()

    peak = status_kb(args.pid, "VmHWM")
    bad = [s for s in statuses if s != 200]
    early = max(rss[: max(1, len(rss) // 3)])
    late = max(rss[-max(1, len(rss) // 3):])
    bounded = late <= early * 1.10 + 32 * 1024
    print(f"{len(statuses)} requests in {round_number} rounds; non-200: {len(bad)} {sorted(set(map(str, bad)))[:3]}")
    print(f"VmRSS first third max {early / 1024:.1f} MB, last third max {late / 1024:.1f} MB, "
          f"after the run {status_kb(args.pid, 'VmRSS') / 1024:.1f} MB; peak (VmHWM) {peak / 1024:.1f} MB")
    ok = not bad and bounded
    print("ok: resident memory bounded" if ok else "FAIL: " + ("non-200 answers" if bad else "resident memory grew"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
