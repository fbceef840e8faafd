"""References for the recurrent layers (rnn_step, rnn, lstm_step, lstm; and the dlai rnn_cell,
rnn, lstm_cell, lstm), written from the math with numpy alone, as a student's loop would be.

Besides the layer fixtures, writes Tests/Fixtures/layer-slips/<name>.json: each classic slip's
gradients, from this file's own backward written with the slip (same inputs and upstream as the
layer fixture), which RNNSlipTests holds the Swift replays to."""
import json
import os
import numpy as np
from common import rng, write

SLIPS = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "layer-slips")


def write_slips(name, slips):
    """slips: a list of (kind, {gradient: array}) for the layer fixture `name`."""
    os.makedirs(SLIPS, exist_ok=True)
    body = {"slips": [{"kind": kind, "gradients": {k: np.asarray(v, dtype=float).tolist() for k, v in g.items()}}
                      for kind, g in slips]}
    with open(os.path.join(SLIPS, name + ".json"), "w") as f:
        json.dump(body, f, separators=(",", ":"))
        f.write("\n")


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


# ---------------------------------------------------------------- RNN

def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, Wx.shape[1])); a = np.zeros_like(h)
    prev = h0
    for t in range(T):
        a[:, t] = x[:, t] @ Wx + prev @ Wh + b
        h[:, t] = np.tanh(a[:, t])
        prev = h[:, t]
    return h, a


def rnn_backward(x, h0, Wx, Wh, b, dh, upstream="added", pre_derivative=False, overwritten=False):
    """The loop over t = T-1 ... 0 with dnext the gradient carried from step t + 1."""
    N, T, D = x.shape
    h, a = rnn_forward(x, h0, Wx, Wh, b)
    dx = np.zeros_like(x); dWx = np.zeros_like(Wx); dWh = np.zeros_like(Wh); db = np.zeros_like(b)
    dnext = np.zeros_like(h0)
    for t in reversed(range(T)):
        if upstream == "added":
            total = dh[:, t] + dnext
        elif upstream == "last_only":
            total = dh[:, t] if t == T - 1 else dnext
        else:  # replaced
            total = dh[:, t]
        da = total * ((1 - a[:, t] ** 2) if pre_derivative else (1 - h[:, t] ** 2))
        prev = h[:, t - 1] if t > 0 else h0
        dx[:, t] = da @ Wx.T
        if overwritten:
            dWx = x[:, t].T @ da; dWh = prev.T @ da; db = da.sum(axis=0)
        else:
            dWx += x[:, t].T @ da; dWh += prev.T @ da; db += da.sum(axis=0)
        dnext = da @ Wh.T
    return {"dx": dx, "dh0": dnext, "dWx": dWx, "dWh": dWh, "db": db}


def rnn_step_gradients(x, prev_h, Wx, Wh, b, dnext_h, **slip):
    g = rnn_backward(x[:, None], prev_h, Wx, Wh, b, dnext_h[:, None], **slip)
    return {"dx": g["dx"][:, 0], "dprev_h": g["dh0"], "dWx": g["dWx"], "dWh": g["dWh"], "db": g["db"]}


def params_over_n(g, n, names=("dWx", "dWh", "db")):
    return {k: g[k] / n for k in names}


r = rng(2310)
N, D, H = 3, 4, 5
x = r.standard_normal((N, D)); prev_h = r.standard_normal((N, H))
Wx = 0.5 * r.standard_normal((D, H)); Wh = 0.5 * r.standard_normal((H, H)); b = r.standard_normal(H)
dnext_h = r.standard_normal((N, H))
inputs = {"x": x, "prev_h": prev_h, "Wx": Wx, "Wh": Wh, "b": b}
right = rnn_step_gradients(x, prev_h, Wx, Wh, b, dnext_h)
write("rnn_step", "rnn_step", {}, inputs, {"dnext_h": dnext_h}, [np.tanh(x @ Wx + prev_h @ Wh + b)], right)
write_slips("rnn_step", [
    ("wrong_activation_derivative", rnn_step_gradients(x, prev_h, Wx, Wh, b, dnext_h, pre_derivative=True)),
    ("scaled", params_over_n(right, N)),
    ("scaled", {k: v / N for k, v in right.items()}),
])

N, T, D, H = 3, 4, 3, 5
x = r.standard_normal((N, T, D)); h0 = r.standard_normal((N, H))
Wx = 0.5 * r.standard_normal((D, H)); Wh = 0.5 * r.standard_normal((H, H)); b = r.standard_normal(H)
dh = r.standard_normal((N, T, H))
right = rnn_backward(x, h0, Wx, Wh, b, dh)
write("rnn", "rnn", {}, {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b}, {"dh": dh}, [rnn_forward(x, h0, Wx, Wh, b)[0]], right)
overwritten = rnn_backward(x, h0, Wx, Wh, b, dh, overwritten=True)
write_slips("rnn", [
    ("upstream_not_added", rnn_backward(x, h0, Wx, Wh, b, dh, upstream="last_only")),
    ("upstream_not_added", rnn_backward(x, h0, Wx, Wh, b, dh, upstream="replaced")),
    ("overwritten", {k: overwritten[k] for k in ("dWx", "dWh", "db")}),
    ("scaled", params_over_n(right, N)),
    ("scaled", {k: v / N for k, v in right.items()}),
    ("wrong_activation_derivative", rnn_backward(x, h0, Wx, Wh, b, dh, pre_derivative=True)),
])

