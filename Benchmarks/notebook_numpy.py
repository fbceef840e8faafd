#!/usr/bin/env python3
"""The notebook's gradient check in numpy, for Benchmarks/bench.sh's same-run ratios.

For each size of the ladder it generates the network (fixed seed, He-scaled weights, as the
notebook's random cases), writes it as raw float64 for gradcheck-bench (X, Y, W1, b1, ..., WL, bL,
row-major, little-endian), and times numpy: one forward pass, one backward pass, and the
notebook's gradient_check_n (copy theta, nudge one entry, rebuild the dictionary, two full
forward passes per coordinate). The full check runs when its estimate (from a timed sample of
coordinates) is under --full-max-seconds; otherwise the result is the extrapolation, and says so.
One JSON line per size on stdout.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np

LADDER = [([100, 50, 20, 1], 64), ([256, 128, 64, 1], 128), ([512, 256, 128, 1], 256), ([1024, 512, 256, 1], 512)]


def random_case(dims, m, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(np.float64)
    parameters = {}
    for l in range(1, len(dims)):
        parameters["W%d" % l] = rng.randn(dims[l], dims[l - 1]) * np.sqrt(2.0 / dims[l - 1])
        parameters["b%d" % l] = rng.randn(dims[l], 1) * 0.1
    return X, Y, parameters


def forward(X, Y, parameters):
    L = len(parameters) // 2
    m = X.shape[1]
    A = X
    cache = [X]
    for l in range(1, L + 1):
        W, b = parameters["W%d" % l], parameters["b%d" % l]
        Z = np.dot(W, A) + b
        A = 1.0 / (1.0 + np.exp(-Z)) if l == L else np.maximum(0, Z)
        cache.append((Z, A, W, b))
    logprobs = np.multiply(-np.log(A), Y) + np.multiply(-np.log(1 - A), 1 - Y)
    return 1.0 / m * np.sum(logprobs), cache


def backward(X, Y, cache):
    m = X.shape[1]
    L = len(cache) - 1
    grads = {}
    dZ = cache[L][1] - Y
    for l in range(L, 0, -1):
        A_prev = cache[l - 1] if l == 1 else cache[l - 1][1]
        grads["dW%d" % l] = 1.0 / m * np.dot(dZ, A_prev.T)
        grads["db%d" % l] = 1.0 / m * np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            dZ = np.multiply(np.dot(cache[l][2].T, dZ), np.int64(A_prev > 0))
    return grads


def keys(L):
    return [k for l in range(1, L + 1) for k in ("W%d" % l, "b%d" % l)]


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, coords=None):
    L = len(parameters) // 2
    shapes = [(k, parameters[k].shape) for k in keys(L)]
    theta = np.concatenate([parameters[k].reshape(-1, 1) for k in keys(L)])
    grad = np.concatenate([gradients["d" + k].reshape(-1, 1) for k in keys(L)])

    def to_dict(v):
        out, i = {}, 0
        for k, s in shapes:
            n = int(np.prod(s))
            out[k] = v[i:i + n].reshape(s)
            i += n
        return out

    idx = range(theta.shape[0]) if coords is None else list(coords)
    approx = np.zeros((len(idx), 1))
    for j, i in enumerate(idx):
        plus = np.copy(theta)
        plus[i][0] += epsilon
        jp, _ = forward(X, Y, to_dict(plus))
        minus = np.copy(theta)
        minus[i][0] -= epsilon
        jm, _ = forward(X, Y, to_dict(minus))
        approx[j] = (jp - jm) / (2 * epsilon)
    g = grad if coords is None else grad[list(idx)]
    return np.linalg.norm(g - approx) / (np.linalg.norm(g) + np.linalg.norm(approx))


def median_time(fn, min_seconds=0.2):
    n, samples = 1, []
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_seconds / 5 or n >= 1 << 16:
            break
        n *= 2
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n)
    return statistics.median(samples)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True, help="directory for the generated networks")
    p.add_argument("--full-max-seconds", type=float, default=40.0)
    p.add_argument("--sample-seconds", type=float, default=3.0)
    p.add_argument("--sizes", type=int, default=4, help="how many ladder sizes")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for dims, m in LADDER[: args.sizes]:
        X, Y, parameters = random_case(dims, m)
        name = "-".join(map(str, dims)) + "_m%d" % m
        L = len(dims) - 1
        with open(os.path.join(args.out, name + ".bin"), "wb") as f:
            for a in [X, Y] + [parameters[k] for k in keys(L)]:
                f.write(np.ascontiguousarray(a, dtype="<f8").tobytes())
        n = sum(parameters[k].size for k in keys(L))
        cost, cache = forward(X, Y, parameters)
        grads = backward(X, Y, cache)
        fwd = median_time(lambda: forward(X, Y, parameters))
        bwd = median_time(lambda: backward(X, Y, cache))
        k = max(10, min(n, 400, int(args.sample_seconds / (2.2 * fwd))))
        coords = np.linspace(0, n - 1, k).astype(int)
        t0 = time.perf_counter()
        gradient_check_n(parameters, grads, X, Y, coords=coords)
        per_coord = (time.perf_counter() - t0) / k
        full, diff = None, None
        if per_coord * n <= args.full_max_seconds:
            t0 = time.perf_counter()
            diff = float(gradient_check_n(parameters, grads, X, Y))
            full = time.perf_counter() - t0
        print(json.dumps({"name": name, "dims": dims, "m": m, "params": n, "cost": float(cost),
                          "forward_s": fwd, "backward_s": bwd, "per_coord_s": per_coord,
                          "sample_coords": k, "full_s": full, "extrapolated_full_s": per_coord * n,
                          "difference": diff}), flush=True)


if __name__ == "__main__":
    main()
