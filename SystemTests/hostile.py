#!/usr/bin/env python3
"""Replays hostile requests (wide and deep bodies, costly checks, a cancelled check, nonsense
values, protocol slips; --list names them), one attack per run, against a running
gradcheck-server on 127.0.0.1, and prints one line per attack: its name, the HTTP status (or
conn-error / timeout), the wall time, the server CPU seconds used meanwhile (utime + stime from
/proc/PID/stat) and the server's peak VmRSS (sampled every 20 ms while the attack runs), then
whether the server is still alive. Run by SystemTests/hostile.sh, which restarts the server when an
attack kills it.

    hostile.py --list                              # the attack names, in the order hostile.sh runs them
    hostile.py --port P --pid PID [--rss-limit-mb 6000] ATTACK    # one attack

Exit status: 0 server alive, 3 server dead (crashed, or killed here because its VmRSS passed
6 GB: no attack may take the machine down), 2 usage error. Python 3 standard library only; every
socket has a timeout, so a run is bounded even against a server that stops answering.
"""
import argparse
import json
import os
import random
import resource
import select
import signal
import socket
import sys
import threading
import time

HOST = "127.0.0.1"  # never anything else: these requests are meant to hurt
RSS_KILL_MB = 6000  # 6 GB: past this the server is SIGKILLed (the machine has 24 GiB); --rss-limit-mb
SAMPLE_SECONDS = 0.02
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# Server observation


def proc_state(pid):
    """The one-letter state of /proc/PID/stat, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # comm may hold spaces and parentheses: the fields start after the last ')'.
    return text[text.rindex(")") + 2:].split()[0]


def alive(pid):
    return proc_state(pid) not in (None, "Z", "X", "x")


def cpu_seconds(pid):
    """utime + stime of the whole process (all threads), in seconds; None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def mb(kb):
    return "n/a" if kb is None else f"{kb * 1024 / 1e6:.1f}MB"  # /proc's kB are KiB; printed in MB


class Monitor:
    """CPU and memory of the server over one attack: a thread samples VmRSS every 20 ms and
    SIGKILLs the server if it passes 6 GB (so one attack cannot exhaust the machine)."""

    def __init__(self, pid, limit_kb):
        self.pid = pid
        self.limit_kb = limit_kb
        self.peak_kb = 0
        self.killed = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self.cpu0 = cpu_seconds(self.pid) or 0.0
        self.hwm0 = status_kb(self.pid, "VmHWM") or 0
        self.t0 = time.monotonic()
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            rss = status_kb(self.pid, "VmRSS")
            if rss is None:
                return
            self.peak_kb = max(self.peak_kb, rss)
            if rss > self.limit_kb and not self.killed:
                self.killed = True
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                return
            self._stop.wait(SAMPLE_SECONDS)

    def __exit__(self, *exc):
        self.wall = time.monotonic() - self.t0
        self._stop.set()
        self._thread.join(timeout=2)
        cpu1 = cpu_seconds(self.pid)
        self.cpu = None if cpu1 is None else cpu1 - self.cpu0
        # VmHWM only grows, so if it grew, its new value is the true peak of this attack (a spike
        # shorter than the 20 ms sampling interval would otherwise go unseen).
        hwm1 = status_kb(self.pid, "VmHWM")
        self.hwm = hwm1 if hwm1 is not None and hwm1 > self.hwm0 else None
        return False


# ---------------------------------------------------------------------------------------------
# HTTP over raw sockets (http.client would refuse the malformed requests some attacks need)


def connect(port, timeout):
    sock = socket.create_connection((HOST, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request_bytes(method, path, body=b"", extra=b""):
    return (b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n%s\r\n" % (method, path, len(body), extra)) + body


class Response:
    def __init__(self):
        self.status = None
        self.body = b""  # kept only up to `keep` bytes
        self.length = 0  # bytes of body received, all of them


def read_response(sock, deadline, keep=1 << 20):
    """Reads one response (Content-Length, chunked or close-delimited). Keeps at most `keep`
    bytes of the body and counts the rest, so an 841 MB answer costs no client memory."""
    response = Response()
    buffer = b""

    def recv():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("client deadline")
        sock.settimeout(remaining)
        return sock.recv(1 << 20)

    while b"\r\n\r\n" not in buffer:
        data = recv()
        if not data:
            raise ConnectionError("closed before the response head")
        buffer += data
        if len(buffer) > 1 << 20:
            raise ConnectionError("response head over 1 MiB")
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    response.status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()

    def take(data):
        response.length += len(data)
        if len(response.body) < keep:
            response.body += data[: keep - len(response.body)]

    if b"content-length" in headers:
        remaining = int(headers[b"content-length"])
        take(rest[:remaining])
        remaining -= min(len(rest), remaining)
        while remaining > 0:
            data = recv()
            if not data:
                raise ConnectionError("closed mid-body")
            take(data[:remaining])
            remaining -= min(len(data), remaining)
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        pending = rest
        while True:
            while b"\r\n" not in pending:
                data = recv()
                if not data:
                    raise ConnectionError("closed mid-chunk")
                pending += data
            size_line, _, pending = pending.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            while size > 0:
                if not pending:
                    pending = recv()
                    if not pending:
                        raise ConnectionError("closed mid-chunk")
                piece = pending[:size]
                take(piece)
                size -= len(piece)
                pending = pending[len(piece):]
            while len(pending) < 2:
                data = recv()
                if not data:
                    raise ConnectionError("closed mid-chunk")
                pending += data
            pending = pending[2:]
    elif response.status not in (204, 304) and not 100 <= response.status < 200:
        take(rest)
        while True:
            data = recv()
            if not data:
                break
            take(data)
    return response


def exchange(port, raw, timeout, keep=1 << 20):
    """Sends `raw` on a fresh connection and reads one response: (status or error word, Response)."""
    deadline = time.monotonic() + timeout
    try:
        with connect(port, timeout) as sock:
            sock.sendall(raw)
            response = read_response(sock, deadline, keep)
            return response.status, response
    except socket.timeout:
        return "timeout", None
    except OSError:  # refused, reset, closed early (ConnectionError is an OSError)
        return "conn-error", None


def post(port, path, body, timeout=60, keep=1 << 20):
    if isinstance(body, str):
        body = body.encode()
    return exchange(port, request_bytes(b"POST", path.encode(), body), timeout, keep)


def answer_member(response, name):
    """A member of a JSON answer, or a short excerpt of the body when it is not JSON."""
    if response is None:
        return None
    try:
        return json.loads(response.body).get(name)
    except (ValueError, AttributeError):
        return response.body[:120].decode("utf-8", "replace")


SUMMARY_KEYS = ("passed", "difference", "epsilon", "checked", "kinks", "cost", "J", "detail", "notes")


def detail(response, limit=160):
    """The answer, shortened to one line for the report: the telling members of a JSON object
    answer (the verdict, the cost, the error detail), else the start of the body."""
    if response is None:
        return ""
    if limit < response.length == len(response.body):  # short answers are shown verbatim
        try:
            answer = json.loads(response.body)
        except ValueError:
            answer = None
        if isinstance(answer, dict) and any(k in answer for k in SUMMARY_KEYS):
            text = json.dumps({k: answer[k] for k in SUMMARY_KEYS if k in answer})
            return text if len(text) <= 2 * limit else text[: 2 * limit] + "..."
    text = response.body[:limit].decode("utf-8", "replace").replace("\n", " ")
    return text + ("..." if response.length > limit else "")


# ---------------------------------------------------------------------------------------------
# Request bodies


def numbers(values, fmt="%.6g"):
    return ",".join(fmt % v for v in values)


def matrix(rows):
    return "[" + ",".join("[" + numbers(row) + "]" for row in rows) + "]"


def random_matrix(rng, rows, cols, scale=1.0):
    return [[rng.uniform(-1, 1) * scale for _ in range(cols)] for _ in range(rows)]


def network_body(rng, sizes, m, scale=1.0, zero_layers=(), **extra):
    """A network body for layer sizes [n0, n1, ..., nL], random X and weights, zero biases."""
    parameters = []
    for layer in range(1, len(sizes)):
        rows, cols = sizes[layer], sizes[layer - 1]
        if layer in zero_layers:
            weights = [[0.0] * cols for _ in range(rows)]
        else:
            weights = random_matrix(rng, rows, cols, scale)
        parameters.append('"W%d":%s' % (layer, matrix(weights)))
        parameters.append('"b%d":[%s]' % (layer, ",".join(["0"] * rows)))
    x = matrix(random_matrix(rng, sizes[0], m))
    y = "[[" + ",".join(str(rng.randint(0, 1)) for _ in range(m)) + "]]"
    fields = "".join(',"%s":%s' % (key, json.dumps(value)) for key, value in extra.items())
    return '{"X":%s,"Y":%s,"parameters":{%s}%s}' % (x, y, ",".join(parameters), fields)


def wide_body(width):
    """1 input -> `width` hidden -> 1 output over `width` examples: tiny to send, but the hidden
    activations are width x width doubles (100000: 80 GB)."""
    h = m = width
    return ('{"X":[[%s]],"Y":[[%s]],"parameters":{"W1":[%s],"b1":[%s],"W2":[[%s]],"b2":[0]}}'
            % (",".join(["0.5"] * m), ",".join(["1"] * m), ",".join(["[0.1]"] * h),
               ",".join(["0"] * h), ",".join(["0.1"] * h))).encode()


SMALL = '{"X":[[1,2]],"Y":[1,0],"parameters":{"W1":[[0.5]],"b1":[0.1]}'  # without its closing brace


def small(**extra):
    return SMALL + "".join(',"%s":%s' % (key, value) for key, value in extra.items()) + "}"


# ---------------------------------------------------------------------------------------------
# Attacks. Each returns (status, extra text for the line); the Monitor around it measures.


class Attack:
    def __init__(self, name, prepare, run, after_seconds=0, settle=True):
        self.name = name
        self.prepare = prepare  # builds bodies before the measurement starts
        self.run = run  # (port, pid, prepared) -> (status, extra)
        self.after_seconds = after_seconds  # VmRSS this long after the attack (bursts)
        self.settle = settle


def simple_post(path, body_fn, timeout=60, member=None, show=False, keep=64 << 20):
    def run(port, _pid, body):
        status, response = post(port, path, body, timeout, keep)
        extra = []
        if response is not None:
            extra.append(f"answer={response.length}B")
            if member:
                extra.append(f"{member}={json.dumps(answer_member(response, member))}")
            if show or (isinstance(status, int) and status >= 400):
                extra.append("body=" + detail(response))
        return status, " ".join(extra)
    return (lambda: body_fn()), run


def chunk_extensions(port, _pid, _prepared):
    """~268 KB of decoded body, each byte its own chunk behind a ~4000-byte chunk extension: about
    1 GB on the wire. Sent as fast as the socket takes it for at most 20 s, then the answer."""
    decoded_total = 268_435
    value = b"a" * 3991  # "1;x=" + value + CRLF + 1 byte + CRLF = 4000 bytes per decoded byte
    prefix = b'{"x": 2, "theta": 4}'
    head = (b"POST /forward HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    chunk = lambda byte: b"1;x=" + value + b"\r\n" + bytes([byte]) + b"\r\n"  # noqa: E731
    first = head + b"".join(chunk(c) for c in prefix)
    block_chunks = 256  # ~1 MB of chunks per send buffer, all carrying a JSON space
    block = chunk(0x20) * block_chunks
    blocks = (decoded_total - len(prefix)) // block_chunks
    tail = b"0\r\n\r\n"
    deadline = time.monotonic() + 20
    sent = 0
    outcome = "all sent"
    try:
        sock = connect(port, 5)
    except OSError:
        return "conn-error", "could not connect"
    with sock:
        try:
            pieces = [first] + [block] * blocks + [tail]
            done = False
            for piece in pieces:
                view = memoryview(piece)
                while view:
                    now = time.monotonic()
                    if now >= deadline:
                        outcome = "stopped at 20 s"
                        done = True
                        break
                    readable, writable, _ = select.select([sock], [sock], [], min(0.5, deadline - now))
                    if readable:  # the server answered (or closed) before the end: stop sending
                        outcome = "server answered early"
                        done = True
                        break
                    if writable:
                        n = sock.send(view[: 1 << 20])
                        sent += n
                        view = view[n:]
                if done:
                    break
        except OSError as error:
            outcome = f"send failed ({type(error).__name__})"
        try:
            response = read_response(sock, time.monotonic() + 10)
            status = response.status
            body = detail(response)
        except socket.timeout:
            status, body = "timeout", ""
        except OSError:
            status, body = "conn-error", ""
    return status, f"raw_sent={sent / 1e6:.1f}MB ({outcome}) body={body}"


def cancel(port, pid, body):
    """A check that takes seconds, on a client that hangs up after 1 s; then the server CPU over
    the next 3 s (about 0 when the server notices the hang-up and stops computing)."""
    status = "closed-by-client"
    extra = ""
    try:
        with connect(port, 5) as sock:
            sock.sendall(request_bytes(b"POST", b"/gradcheck", body))
            try:
                response = read_response(sock, time.monotonic() + 1.0)
                status, extra = response.status, "answered within 1 s: " + detail(response)
            except socket.timeout:
                pass
    except OSError:
        status = "conn-error"
    cpu0 = cpu_seconds(pid) or 0.0
    time.sleep(3)
    cpu1 = cpu_seconds(pid)
    burned = "n/a" if cpu1 is None else f"{cpu1 - cpu0:.2f}s"
    return status, f"cpu_in_3s_after_hangup={burned} {extra}".rstrip()


def concurrent_bodies(port, _pid, bodies):
    """24 concurrent POST /forward of 8-30 MB each."""
    results = []
    lock = threading.Lock()

    def one(body):
        status, _ = post(port, "/forward", body, timeout=90)
        with lock:
            results.append(status)

    threads = [threading.Thread(target=one, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    counts = {}
    for status in results:
        counts[str(status)] = counts.get(str(status), 0) + 1
    total_mb = sum(len(b) for b in bodies) / 1e6
    summary = ",".join(f"{k}x{v}" for k, v in sorted(counts.items()))
    status = summary if len(counts) != 1 else next(iter(counts))
    return status, f"statuses={summary} sent={total_mb:.0f}MB in {len(bodies)} bodies"


def concurrent_bodies_prepare():
    rng = random.Random(6)
    n0 = 10
    sizes = [int(8e6 + (30e6 - 8e6) * i / 23) for i in range(24)]
    per_column = 10 * n0 + 2  # "0.1234567," is 10 bytes; one label "0," is 2
    longest = max(sizes) // per_column + 1
    row = ["%.7f" % rng.random() for _ in range(longest)]  # 9 chars + comma
    labels = [str(i % 2) for i in range(longest)]
    bodies = []
    for size in sizes:
        m = size // per_column
        x_row = "[" + ",".join(row[:m]) + "]"
        body = '{"X":[%s],"Y":[[%s]],"parameters":{"W1":[[%s]],"b1":[0]}}' % (
            ",".join([x_row] * n0), ",".join(labels[:m]), ",".join(["0.1"] * n0))
        bodies.append(body.encode())
    return bodies


def unknown_field_prepare():
    start = b'{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]], "b1": [0]}, "junk": ['
    count = (60 * (1 << 20) - len(start)) // 4
    return start + b"[0]," * (count - 1) + b"[0]]}"


def idle_connections(port, _pid, _prepared):
    """1024 idle connections (fewer if the descriptor limit is lower), then a GET /healthz on a
    new connection, timed."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(1024, max(0, soft - 64))
    idle = []
    refused = 0
    try:
        for _ in range(wanted):
            try:
                idle.append(connect(port, 2))
            except OSError:
                refused += 1
        time.sleep(0.5)  # let the server accept them all
        t0 = time.monotonic()
        status, response = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 10)
        took = time.monotonic() - t0
    finally:
        for sock in idle:
            sock.close()
    return status, (f"healthz_on_new_conn={took * 1000:.0f}ms idle_open={len(idle)} connect_failed={refused} "
                    f"(nofile soft limit {soft}) body={detail(response)}")


def slow_head(port, pid, _prepared):
    """A ~4000-byte header section sent one byte at a time, 1 ms apart; the server CPU it costs."""
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    i = 0
    while len(head) < 3950:
        head += b"X-Pad-%02d: %s\r\n" % (i, b"p" * 80)
        i += 1
    head += b"Connection: close\r\n\r\n"
    cpu0 = cpu_seconds(pid) or 0.0
    t0 = time.monotonic()
    try:
        with connect(port, 5) as sock:
            for k in range(len(head)):
                sock.send(head[k:k + 1])
                time.sleep(0.001)
            sent = time.monotonic() - t0
            response = read_response(sock, time.monotonic() + 10)
            status = response.status
    except socket.timeout:
        status, sent = "timeout", time.monotonic() - t0
    except OSError:
        status, sent = "conn-error", time.monotonic() - t0
    cpu1 = cpu_seconds(pid)
    used = "n/a" if cpu1 is None else f"{cpu1 - cpu0:.3f}s"
    return status, f"head={len(head)}B sent_in={sent:.1f}s server_cpu_for_it={used}"


def lambd_body():
    # 0.000...0001e1000050 (1,000,000 zeros after the point) is exactly 1e49.
    return (SMALL + ',"lambd":0.' + "0" * 1_000_000 + "1e1000050}").encode()


def raw_post(raw_fn, timeout=10, show_length=False):
    def run(port, _pid, raw):
        status, response = exchange(port, raw, timeout)
        extra = ""
        if response is not None:
            extra = f"body_length={response.length} " if show_length else ""
            extra += "body=" + detail(response)
        return status, extra
    return (lambda: raw_fn()), run


def attacks():
    rng_body = lambda seed, sizes, m, **kw: network_body(random.Random(seed), sizes, m, **kw)  # noqa: E731
    return [
        Attack("wide-forward", *simple_post("/forward", lambda: wide_body(100_000)), after_seconds=5),
        Attack("wide-forward-16k", *simple_post("/forward", lambda: wide_body(16_000)), after_seconds=5),
        Attack("directions-1e7", *simple_post(
            "/gradcheck", lambda: small(mode='"directional"', directions=10_000_000), keep=200),
            after_seconds=5),
        Attack("chunk-extensions", lambda: None, chunk_extensions, after_seconds=5),
        Attack("relu-kinks", *simple_post(
            "/gradcheck", lambda: rng_body(4, [64, 64, 64, 1], 64, zero_layers=(2,)), show=True)),
        Attack("deep-tanh", *simple_post(
            "/gradcheck", lambda: ('{"X":[[0.5]],"Y":[[1]],"activation":"tanh","parameters":{%s}}' % ",".join(
                '"W%d":[[0.9]],"b%d":[0]' % (i, i) for i in range(1, 8001))), show=True)),
        # m = 128 finishes in 1.5 s at f7a3a9a; m = 512 takes about 5 s there, so a
        # hang-up at 1 s leaves seconds of work that only cancellation can save, and it stays under
        # the default --max-work at 155f578 (priced 7.4e10; m = 1024 is refused there).
        Attack("cancel", lambda: rng_body(5, [256, 128, 64, 1], 512, scale=0.1, activation="tanh").encode(),
               cancel),
        Attack("concurrent-bodies", concurrent_bodies_prepare, concurrent_bodies, after_seconds=5),
        Attack("unknown-field-64MiB", *simple_post("/forward", unknown_field_prepare), after_seconds=5),
        Attack("nan-numeric", *simple_post(
            "/gradcheck", lambda: ('{"X":[[1e308,-1e308]],"Y":[1,0],"parameters":{"W1":[[1e308]],"b1":[0]},'
                                   '"gradients":{"dW1":[[1]],"db1":[1]}}'), member="passed", show=True)),
        Attack("nonsense-sigmoid-label-2", *simple_post("/gradcheck", lambda: SMALL.replace('"Y":[1,0]', '"Y":[2,0]') + "}",
                                                        show=True)),
        Attack("nonsense-softmax-labels", *simple_post(
            "/gradcheck", lambda: ('{"X":[[1,2]],"Y":[[1,1],[1,0]],"output":"softmax",'
                                   '"parameters":{"W1":[[0.5],[-0.3]],"b1":[0.1,0]}}'), show=True)),
        Attack("nonsense-epsilon-5e-324", *simple_post("/gradcheck", lambda: small(epsilon="5e-324"), show=True)),
        Attack("nonsense-epsilon-1e300", *simple_post("/gradcheck", lambda: small(epsilon="1e300"), show=True)),
        Attack("nonsense-lambd-1e49-spelled-long", *simple_post("/forward", lambd_body, show=True)),
        Attack("slip-lowercase-get", *raw_post(lambda: b"get /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")),
        Attack("slip-8000-byte-method", *raw_post(
            lambda: b"A" * 8000 + b" /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", show_length=True)),
        Attack("slip-2^53+1", *simple_post("/forward", lambda: '{"x": 9007199254740993, "theta": 1}', show=True)),
        Attack("slip-1024-idle-connections", lambda: None, idle_connections),
        Attack("slip-slow-head", lambda: None, slow_head),
    ]


# ---------------------------------------------------------------------------------------------


def settle(pid, limit=30.0):
    """Waits until the server stops using CPU (under 5% over 0.5 s), at most `limit` seconds, so one
    attack's leftover work is not billed to the next. Returns the seconds it stayed busy."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        c0 = cpu_seconds(pid)
        time.sleep(0.5)
        c1 = cpu_seconds(pid)
        if c0 is None or c1 is None or c1 - c0 < 0.025:
            break
    return time.monotonic() - t0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--port", type=int)
    parser.add_argument("--pid", type=int)
    parser.add_argument("--rss-limit-mb", type=float, default=RSS_KILL_MB)
    parser.add_argument("attack", nargs="?")
    args = parser.parse_args()
    table = {a.name: a for a in attacks()}
    if args.list:
        print("\n".join(table))
        return 0
    if args.attack not in table or not args.port or not args.pid:
        parser.print_usage(sys.stderr)
        print(f"attacks: {' '.join(table)}", file=sys.stderr)
        return 2
    attack = table[args.attack]
    pid = args.pid
    prepared = attack.prepare()
    size = f" request={len(prepared) / 1e6:.1f}MB" if isinstance(prepared, (bytes, str)) else ""

    with Monitor(pid, args.rss_limit_mb * 1e6 / 1024) as monitor:
        status, extra = attack.run(args.port, pid, prepared)
    # A crash shows up as a closed connection a moment before the process is gone.
    if status in ("conn-error", "timeout") or monitor.killed:
        for _ in range(20):
            if not alive(pid):
                break
            time.sleep(0.1)
    is_alive = alive(pid)
    if monitor.killed:
        verdict = f"server=KILLED at {args.rss_limit_mb / 1000:g}GB"
    elif is_alive:
        verdict = "server=alive"
    else:
        verdict = "server=CRASHED"
    cpu = "n/a" if monitor.cpu is None else f"{monitor.cpu:.2f}s"
    hwm = f" (VmHWM {mb(monitor.hwm)})" if monitor.hwm and monitor.hwm > monitor.peak_kb + 1024 else ""
    line = (f"{attack.name:34s} status={status!s:16s} wall={monitor.wall:6.2f}s cpu={cpu:>7s} "
            f"peak_rss={mb(monitor.peak_kb)}{hwm} {verdict}")
    if is_alive and attack.after_seconds:
        time.sleep(attack.after_seconds)
        line += f" rss_{attack.after_seconds}s_after={mb(status_kb(pid, 'VmRSS'))}"
    if is_alive and attack.settle:
        busy = settle(pid)
        if busy > 1.0:
            line += f" still_busy_after={busy:.1f}s"
    line += f"{size} {extra}".rstrip()
    print(line, flush=True)
    return 0 if is_alive else 3


if __name__ == "__main__":
    sys.exit(main())
