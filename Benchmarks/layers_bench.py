#!/usr/bin/env python3
"""Layer and network checks over HTTP against a numpy central-difference baseline.

Run by Benchmarks/layers.sh, which starts a release server on 127.0.0.1 and passes its port:

    python3 Benchmarks/layers_bench.py --port PORT [--only sanity,default,layers,lstm]

The numpy side is written here from the math (forward passes only), and the check loop is the
classic one: for every entry of every parameter, f(theta + h e_i) and f(theta - h e_i), then
(f+ - f-) / 2h, two full forward passes per coordinate. The machine's cores are shared, so every
number is noisy: compare ratios taken in the same run, not numbers across runs.
"""

import argparse
import http.client
import json
import statistics
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

H_STEP = 1e-6  # CS231n's eval_numerical_gradient step; the service is sent the same epsilon.


# ---------------------------------------------------------------- numpy forwards (from the math)


def conv_forward(x, w, b, stride, pad):
    """out[n, f, i, j] = b[f] + sum_{c, p, q} w[f, c, p, q] xp[n, c, i s + p, j s + q]."""
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    hh, ww = w.shape[2], w.shape[3]
    windows = sliding_window_view(xp, (hh, ww), axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, H', W', F)
    return out.transpose(0, 3, 1, 2) + b[None, :, None, None]


def max_pool_2x2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def softmax_loss(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(len(y)), y].mean()


def convnet_loss(p, x, y, reg):
    """conv (pad (HH-1)/2, stride 1) -> relu -> 2x2 max pool -> affine -> relu -> affine -> softmax."""
    a = np.maximum(conv_forward(x, p["W1"], p["b1"], 1, (p["W1"].shape[2] - 1) // 2), 0)
    a = max_pool_2x2(a)
    a = np.maximum(a.reshape(a.shape[0], -1) @ p["W2"] + p["b2"], 0)
    scores = a @ p["W3"] + p["b3"]
    l2 = sum((p[k] ** 2).sum() for k in ("W1", "W2", "W3"))
    return softmax_loss(scores, y) + 0.5 * reg * l2


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_forward(x, h0, wx, wh, b):
    """Gates a = x_t Wx + h Wh + b split (i, f, o, g); c = f c + i g; h = o tanh(c)."""
    n, t_steps, _ = x.shape
    hidden = h0.shape[1]
    h, c = h0, np.zeros_like(h0)
    hs = np.empty((n, t_steps, hidden))
    for t in range(t_steps):
        a = x[:, t] @ wx + h @ wh + b
        i, f, o = sigmoid(a[:, :hidden]), sigmoid(a[:, hidden : 2 * hidden]), sigmoid(a[:, 2 * hidden : 3 * hidden])
        g = np.tanh(a[:, 3 * hidden :])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs[:, t] = h
    return hs


# ---------------------------------------------------------------- the numpy check loop


def central_differences(f, arrays, names, sample=None, rng=None):
    """eval_numerical_gradient over every entry of arrays[name] for each name (or `sample`
    entries chosen at random across them): seconds taken and coordinates visited."""
    coords = [(name, i) for name in names for i in range(arrays[name].size)]
    if sample is not None and sample < len(coords):
        picks = rng.choice(len(coords), size=sample, replace=False)
        coords = [coords[k] for k in picks]
    started = time.perf_counter()
    for name, i in coords:
        flat = arrays[name].reshape(-1)
        old = flat[i]
        flat[i] = old + H_STEP
        plus = f()
        flat[i] = old - H_STEP
        minus = f()
        flat[i] = old
        _ = (plus - minus) / (2 * H_STEP)
    return time.perf_counter() - started, len(coords)


# ---------------------------------------------------------------- HTTP


class Server:
    """One kept-alive HTTP/1.1 connection to 127.0.0.1 (as a client that checks repeatedly would
    hold), reopened if the server closes it."""

    def __init__(self, port):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)

    def post(self, path, body):
        """(seconds, status, answer) for one POST of pre-encoded bytes: request sent to answer read."""
        started = time.perf_counter()
        try:
            self.connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            response = self.connection.getresponse()
        except (http.client.HTTPException, ConnectionError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
            started = time.perf_counter()
            self.connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            response = self.connection.getresponse()
        raw = response.read()
        seconds = time.perf_counter() - started
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return seconds, response.status, json.loads(raw)


def describe(status, answer):
    if status != 200:
        return f"HTTP {status}: {answer.get('detail', '')[:150]}"
    return f"passed={answer.get('passed')} server_s={answer.get('seconds', 0):.4f}"


def timed(server, body, repeat):
    """Median seconds of `repeat` POSTs /gradcheck after one warm-up; the last answer."""
    encoded = json.dumps(body).encode()
    server.post("/gradcheck", encoded)
    times = []
    status, answer = 0, {}
    for _ in range(repeat):
        seconds, status, answer = server.post("/gradcheck", encoded)
        times.append(seconds)
    return statistics.median(times), status, answer


# ---------------------------------------------------------------- the cases


def convnet(rng, filters, size, image, hidden, weight_scale):
    c = 3
    p = {
        "W1": weight_scale * rng.standard_normal((filters, c, size, size)),
        "b1": np.zeros(filters),
        "W2": weight_scale * rng.standard_normal((filters * (image // 2) ** 2, hidden)),
        "b2": np.zeros(hidden),
        "W3": weight_scale * rng.standard_normal((hidden, 10)),
        "b3": np.zeros(10),
    }
    x = rng.standard_normal((2, c, image, image))
    y = rng.integers(10, size=2)
    return p, x, y


def convnet_body(p, x, y, reg):
    pad = (p["W1"].shape[2] - 1) // 2
    return {
        "convention": "cs231n",
        "X": x.tolist(),
        "y": y.tolist(),
        "layers": [
            {"name": "conv1", "type": "conv", "stride": 1, "pad": pad, "params": {"w": p["W1"].tolist(), "b": p["b1"].tolist()}},
            {"name": "relu1", "type": "relu"},
            {"name": "pool1", "type": "max_pool", "pool_height": 2, "pool_width": 2, "stride": 2},
            {"name": "fc1", "type": "affine", "params": {"w": p["W2"].tolist(), "b": p["b2"].tolist()}},
            {"name": "relu2", "type": "relu"},
            {"name": "fc2", "type": "affine", "params": {"w": p["W3"].tolist(), "b": p["b3"].tolist()}},
        ],
        "loss": "softmax",
        "reg": reg,
        "epsilon": H_STEP,
    }


def layer_bodies(rng):
    """Single-layer checks at the sizes of CS231n's notebooks (the service checks its own backward)."""

    def r(*shape):
        return rng.standard_normal(shape).tolist()

    def ints(high, *shape):
        return rng.integers(high, size=shape).tolist()

    def layer(kind, inputs, **hyper):
        return {"convention": "cs231n", "layer": {"type": kind, **hyper}, "inputs": inputs, "seed": 1}

    mask = (rng.random((10, 10)) < 0.8).astype(float).tolist()
    return [
        ("affine x(10,2,3) w(6,5)", layer("affine", {"x": r(10, 2, 3), "w": r(6, 5), "b": r(5)})),
        ("relu x(10,10)", layer("relu", {"x": r(10, 10)})),
        ("conv x(2,3,4,4) w(3,3,4,4) s2 p1", layer("conv", {"x": r(2, 3, 4, 4), "w": r(3, 3, 4, 4), "b": r(3)}, stride=2, pad=1)),
        ("conv x(4,3,5,5) w(2,3,3,3) s1 p1", layer("conv", {"x": r(4, 3, 5, 5), "w": r(2, 3, 3, 3), "b": r(2)}, stride=1, pad=1)),
        ("max_pool x(3,2,8,8) 2x2 s2", layer("max_pool", {"x": r(3, 2, 8, 8)}, pool_height=2, pool_width=2, stride=2)),
        ("batchnorm x(4,5)", layer("batchnorm", {"x": r(4, 5), "gamma": r(5), "beta": r(5)})),
        ("layernorm x(4,5)", layer("layernorm", {"x": r(4, 5), "gamma": r(5), "beta": r(5)})),
        ("spatial_batchnorm x(2,3,4,5)", layer("spatial_batchnorm", {"x": r(2, 3, 4, 5), "gamma": r(3), "beta": r(3)})),
        (
            "spatial_groupnorm x(2,6,4,5) G2",
            layer("spatial_groupnorm", {"x": r(2, 6, 4, 5), "gamma": r(1, 6, 1, 1), "beta": r(1, 6, 1, 1)}, G=2),
        ),
        ("dropout x(10,10) p0.8", layer("dropout", {"x": r(10, 10)}, p=0.8, mask=mask)),
        ("rnn_step N3 D10 H4", layer("rnn_step", {"x": r(3, 10), "prev_h": r(3, 4), "Wx": r(10, 4), "Wh": r(4, 4), "b": r(4)})),
        ("rnn N2 T3 D4 H5", layer("rnn", {"x": r(2, 3, 4), "h0": r(2, 5), "Wx": r(4, 5), "Wh": r(5, 5), "b": r(5)})),
        (
            "lstm_step N4 D5 H6",
            layer(
                "lstm_step",
                {"x": r(4, 5), "prev_h": r(4, 6), "prev_c": r(4, 6), "Wx": r(5, 24), "Wh": r(6, 24), "b": r(24)},
            ),
        ),
        ("lstm N2 T3 D4 H6", layer("lstm", {"x": r(2, 3, 4), "h0": r(2, 6), "Wx": r(4, 24), "Wh": r(6, 24), "b": r(24)})),
        ("word_embedding N2 T3 V5 D6", layer("word_embedding", {"x": ints(5, 2, 3), "W": r(5, 6)})),
        ("temporal_affine N2 T3 D4 M5", layer("temporal_affine", {"x": r(2, 3, 4), "w": r(4, 5), "b": r(5)})),
        ("softmax_loss N50 C10", layer("softmax_loss", {"x": (0.001 * rng.standard_normal((50, 10))).tolist(), "y": ints(10, 50)})),
        ("svm_loss N50 C10", layer("svm_loss", {"x": (0.001 * rng.standard_normal((50, 10))).tolist(), "y": ints(10, 50)})),
        (
            "temporal_softmax_loss N3 T4 V5",
            layer("temporal_softmax_loss", {"x": r(3, 4, 5), "y": ints(5, 3, 4), "mask": ints(2, 3, 4)}),
        ),
    ]


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--only", default="sanity,default,layers,lstm")
    parser.add_argument("--lstm-sample", type=int, default=300, help="numpy coordinates timed for the LSTM (extrapolated)")
    args = parser.parse_args()
    only = set(args.only.split(","))
    server = Server(args.port)
    rng = np.random.default_rng(231)
    rows = []  # (case, gradcheck seconds, numpy seconds, note)

    if "sanity" in only:
        p, x, y = convnet(rng, filters=3, size=3, image=16, hidden=7, weight_scale=1e-2)
        seconds, status, answer = timed(server, convnet_body(p, x, y, 0.0), repeat=15)
        numpy_s = statistics.median(central_differences(lambda: convnet_loss(p, x, y, 0.0), p, list(p))[0] for _ in range(3))
        rows.append(
            ("(a) sanity ThreeLayerConvNet full check, 1,515 params", seconds, numpy_s, describe(status, answer) + "; numpy median of 3")
        )

    if "default" in only:
        p, x, y = convnet(rng, filters=32, size=7, image=32, hidden=100, weight_scale=1e-3)
        encoded = json.dumps(convnet_body(p, x, y, 0.0)).encode()
        seconds, status, answer = server.post("/gradcheck", encoded)
        total = sum(v.size for v in p.values())
        numpy_s, count = central_differences(lambda: convnet_loss(p, x, y, 0.0), p, list(p), sample=40, rng=rng)
        rows.append(
            (
                f"(b) default ThreeLayerConvNet full check, {total:,} params",
                seconds if status == 200 else float("nan"),
                numpy_s / count * total,
                describe(status, answer) + f"; numpy extrapolated from {count} coordinates",
            )
        )

    if "layers" in only:
        for name, body in layer_bodies(rng):
            seconds, status, answer = timed(server, body, repeat=9)
            rows.append((f"(c) {name}", seconds, None, describe(status, answer)))

    if "lstm" in only:
        n, t_steps, d, hidden = 4, 50, 32, 64
        arrays = {
            "x": rng.standard_normal((n, t_steps, d)),
            "h0": rng.standard_normal((n, hidden)),
            "Wx": 0.1 * rng.standard_normal((d, 4 * hidden)),
            "Wh": 0.1 * rng.standard_normal((hidden, 4 * hidden)),
            "b": 0.1 * rng.standard_normal(4 * hidden),
        }
        dh = rng.standard_normal((n, t_steps, hidden))
        body = {
            "convention": "cs231n",
            "layer": {"type": "lstm"},
            "inputs": {k: v.tolist() for k, v in arrays.items()},
            "upstream": {"dh": dh.tolist()},
            "epsilon": H_STEP,
        }
        seconds, status, answer = server.post("/gradcheck", json.dumps(body).encode())
        total = sum(v.size for v in arrays.values())

        def f():
            return float((lstm_forward(**{"x": arrays["x"], "h0": arrays["h0"], "wx": arrays["Wx"], "wh": arrays["Wh"], "b": arrays["b"]}) * dh).sum())

        numpy_s, count = central_differences(f, arrays, list(arrays), sample=args.lstm_sample, rng=rng)
        rows.append(
            (
                f"(d) lstm layer T50 N4 D32 H64 full check, {total:,} coordinates",
                seconds if status == 200 else float("nan"),
                numpy_s / count * total,
                describe(status, answer) + f"; numpy extrapolated from {count} coordinates",
            )
        )

    print()
    print(f"{'case':<62} {'gradcheck s':>12} {'numpy s':>10} {'ratio':>8}  note")
    for case, ours, numpy_s, note in rows:
        numpy_text = f"{numpy_s:10.3f}" if numpy_s is not None else f"{'-':>10}"
        ratio = f"{numpy_s / ours:7.1f}x" if numpy_s is not None and ours == ours and ours > 0 else f"{'-':>8}"
        print(f"{case:<62} {ours:12.4f} {numpy_text} {ratio}  {note}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
