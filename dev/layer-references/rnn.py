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


# ---------------------------------------------------------------- LSTM (gates i, f, o, g along 4H)

def lstm_forward(x, h0, c0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H)); c = np.zeros((N, T, H))
    pre = np.zeros((N, T, 4 * H)); gates = np.zeros((N, T, 4 * H))
    prev_h, prev_c = h0, c0
    for t in range(T):
        a = x[:, t] @ Wx + prev_h @ Wh + b
        pre[:, t] = a
        i, f, o, g = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H]), np.tanh(a[:, 3 * H:])
        gates[:, t] = np.hstack([i, f, o, g])
        c[:, t] = f * prev_c + i * g
        h[:, t] = o * np.tanh(c[:, t])
        prev_h, prev_c = h[:, t], c[:, t]
    return h, c, gates, pre


def gate_derivative(mode, gate, value, a):
    """The derivative of gate `gate` ("i", "f", "o", "g") at its value and pre-activation a."""
    if gate == "g":
        return {"right": 1 - value ** 2, "pre": 1 - a ** 2, "act": 1 - np.tanh(value) ** 2}[mode]
    return {"right": value * (1 - value), "pre": a * (1 - a), "act": sigmoid(value) * (1 - sigmoid(value))}[mode]


def lstm_backward(x, h0, c0, Wx, Wh, b, dh, dc_last, upstream="added", overwritten=False, missing_output_path=False,
                  missing_forget=False, cell_from_argument=False, derivatives=("right",) * 4, stack="ifog"):
    N, T, D = x.shape
    H = h0.shape[1]
    h, c, gates, pre = lstm_forward(x, h0, c0, Wx, Wh, b)
    dx = np.zeros_like(x); dWx = np.zeros_like(Wx); dWh = np.zeros_like(Wh); db = np.zeros_like(b)
    dnext_h = np.zeros_like(h0)
    dnext_c = np.zeros_like(h0) if dc_last is None else dc_last
    for t in reversed(range(T)):
        if upstream == "added":
            total = dh[:, t] + dnext_h
        elif upstream == "last_only":
            total = dh[:, t] + dnext_h if t == T - 1 else dnext_h
        else:
            total = dh[:, t]
        value = {"i": gates[:, t, :H], "f": gates[:, t, H:2 * H], "o": gates[:, t, 2 * H:3 * H], "g": gates[:, t, 3 * H:]}
        a = {"i": pre[:, t, :H], "f": pre[:, t, H:2 * H], "o": pre[:, t, 2 * H:3 * H], "g": pre[:, t, 3 * H:]}
        ct = c[:, t]
        prev_c = c[:, t - 1] if t > 0 else c0
        prev_h = h[:, t - 1] if t > 0 else h0
        dc = dnext_c.copy()
        if not missing_output_path:
            dc += total * value["o"] * ((1 - ct ** 2) if cell_from_argument else (1 - np.tanh(ct) ** 2))
        local = {"i": dc * value["g"], "f": dc * prev_c, "o": total * np.tanh(ct), "g": dc * value["i"]}
        da_gate = {k: local[k] * gate_derivative(derivatives["ifog".index(k)], k, value[k], a[k]) for k in "ifog"}
        da = np.hstack([da_gate[k] for k in stack])
        dx[:, t] = da @ Wx.T
        if overwritten:
            dWx = x[:, t].T @ da; dWh = prev_h.T @ da; db = da.sum(axis=0)
        else:
            dWx += x[:, t].T @ da; dWh += prev_h.T @ da; db += da.sum(axis=0)
        dnext_h = da @ Wh.T
        dnext_c = dc if missing_forget else dc * value["f"]
    return {"dx": dx, "dh0": dnext_h, "dc0": dnext_c, "dWx": dWx, "dWh": dWh, "db": db}


def reorder(values, order):
    """Columns of (..., 4H) with slice k taken from gate order[k] ("i", "f", "o", "g")."""
    H = values.shape[-1] // 4
    return np.concatenate([values[..., "ifog".index(k) * H:("ifog".index(k) + 1) * H] for k in order], axis=-1)


WRONG_ORDERS = ["ifgo", "figo", "igfo", "fiog"]


def lstm_slips(run, right, names, params, sequence):
    """The LSTM's slips from run(**flags) (gradients by the layer's names); `names` all gradient
    names, `params` dWx, dWh, db; `sequence` whether upstream/overwritten apply."""
    def keep(g, keys):
        return {k: g[k] for k in keys}
    cellless = [k for k in names if k != "dprev_c"]
    slips = []
    if sequence:
        slips += [("upstream_not_added", keep(run(upstream="last_only"), names)),
                  ("upstream_not_added", keep(run(upstream="replaced"), names)),
                  ("overwritten", keep(run(overwritten=True), params))]
    slips.append(("missing_path", keep(run(missing_output_path=True), names)))
    slips.append(("missing_path", keep(run(missing_forget=True), names if sequence else ["dprev_c"])))
    for order in WRONG_ORDERS:
        slips.append(("gate_order", keep(run(stack=order), cellless)))
        slips.append(("gate_order", {k: reorder(right[k], order) for k in params}))
    slips.append(("wrong_activation_derivative", keep(run(derivatives=("pre",) * 4), cellless)))
    slips.append(("wrong_activation_derivative", keep(run(derivatives=("act",) * 4), cellless)))
    for gate in range(4):
        modes = ["right"] * 4; modes[gate] = "pre"
        slips.append(("wrong_activation_derivative", keep(run(derivatives=tuple(modes)), cellless)))
    slips.append(("wrong_activation_derivative", keep(run(cell_from_argument=True), names)))
    n = right["dx"].shape[0]
    slips.append(("scaled", {k: right[k] / n for k in params}))
    return slips


N, D, H = 3, 4, 3
x = r.standard_normal((N, D)); prev_h = r.standard_normal((N, H)); prev_c = r.standard_normal((N, H))
Wx = 0.5 * r.standard_normal((D, 4 * H)); Wh = 0.5 * r.standard_normal((H, 4 * H)); b = 0.5 * r.standard_normal(4 * H)
dnext_h = r.standard_normal((N, H)); dnext_c = r.standard_normal((N, H))


def lstm_step_run(**flags):
    g = lstm_backward(x[:, None], prev_h, prev_c, Wx, Wh, b, dnext_h[:, None], dnext_c, **flags)
    return {"dx": g["dx"][:, 0], "dprev_h": g["dh0"], "dprev_c": g["dc0"], "dWx": g["dWx"], "dWh": g["dWh"], "db": g["db"]}


h, c, _, _ = lstm_forward(x[:, None], prev_h, prev_c, Wx, Wh, b)
right = lstm_step_run()
write("lstm_step", "lstm_step", {}, {"x": x, "prev_h": prev_h, "prev_c": prev_c, "Wx": Wx, "Wh": Wh, "b": b},
      {"dnext_h": dnext_h, "dnext_c": dnext_c}, [h[:, 0], c[:, 0]], right)
write_slips("lstm_step", lstm_slips(lstm_step_run, right, ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"],
                                    ["dWx", "dWh", "db"], sequence=False))

N, T, D, H = 2, 4, 3, 3
x = r.standard_normal((N, T, D)); h0 = r.standard_normal((N, H))
Wx = 0.5 * r.standard_normal((D, 4 * H)); Wh = 0.5 * r.standard_normal((H, 4 * H)); b = 0.5 * r.standard_normal(4 * H)
dh = r.standard_normal((N, T, H))
c0 = np.zeros((N, H))


def lstm_run(**flags):
    g = lstm_backward(x, h0, c0, Wx, Wh, b, dh, None, **flags)
    return {k: g[k] for k in ("dx", "dh0", "dWx", "dWh", "db")}


right = lstm_run()
write("lstm", "lstm", {}, {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b}, {"dh": dh},
      [lstm_forward(x, h0, c0, Wx, Wh, b)[0]], right)
write_slips("lstm", lstm_slips(lstm_run, right, ["dx", "dh0", "dWx", "dWh", "db"], ["dWx", "dWh", "db"], sequence=True))
