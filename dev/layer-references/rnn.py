"""References for the recurrent layers (rnn_step, rnn, lstm_step, lstm; and the dlai rnn_cell,
rnn, lstm_cell, lstm), written from the math with numpy alone, as a student's loop would be.

Besides the layer fixtures, writes Tests/Fixtures/layer-slips/<name>.json: each classic slip's
gradients, from this file's own backward written with the slip (same inputs and upstream as the
layer fixture), which RNNSlipTests holds the Swift replays to."""
import json
import os
import numpy as np
from common import rng, write, write_slips

SLIPS = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "layer-slips")




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


def rnn_backward(x, h0, Wx, Wh, b, dh, upstream="added", pre_derivative=False, overwritten=False, twice=False,
                 untransposed=False):
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
        if pre_derivative:
            da = total * (1 - a[:, t] ** 2)
        elif twice:  # tanh' evaluated at the activation: 1 - tanh(h)^2
            da = total * (1 - np.tanh(h[:, t]) ** 2)
        else:
            da = total * (1 - h[:, t] ** 2)
        prev = h[:, t - 1] if t > 0 else h0
        dx[:, t] = da @ Wx.T
        if overwritten:
            dWx = x[:, t].T @ da; dWh = prev.T @ da; db = da.sum(axis=0)
        else:
            dWx += x[:, t].T @ da; dWh += prev.T @ da; db += da.sum(axis=0)
        dnext = da @ Wh if untransposed else da @ Wh.T  # Wh is square: the slip's shape fits
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
    ("wrong_activation_derivative", rnn_step_gradients(x, prev_h, Wx, Wh, b, dnext_h, twice=True)),
    ("scaled", params_over_n(right, N)),
    ("scaled", {k: v / N for k, v in right.items()}),
    ("transposed", {"dWh": right["dWh"].T}),
    ("transposed", {"dprev_h": rnn_step_gradients(x, prev_h, Wx, Wh, b, dnext_h, untransposed=True)["dprev_h"]}),
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
    ("wrong_activation_derivative", rnn_backward(x, h0, Wx, Wh, b, dh, twice=True)),
    ("transposed", {"dWh": right["dWh"].T}),
    ("transposed", rnn_backward(x, h0, Wx, Wh, b, dh, untransposed=True)),
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
                  missing_forget=False, cell_from_argument=False, cell_dropped=False, derivatives=("right",) * 4, stack="ifog"):
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
        if cell_dropped:  # zeros passed as the next step's dnext_c
            dnext_c = np.zeros_like(dc)
        else:
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
    if sequence:
        slips.append(("missing_path", keep(run(cell_dropped=True), names)))
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


# ---------------------------------------------------------------- deeplearning.ai (examples as columns)
# The right gradients are written in the notebooks' own notation; the slips reuse the CS231n
# slipped backward above through the layouts (x = xt.T, Wx = Wax.T, sequences (n_x, m, T) ->
# (m, T, n_x), the four gate weights as the column blocks i, f, o, g of Wx and Wh).

def dlai_rnn_cell_backward(da_next, xt, a_prev, Wax, Waa, ba):
    a_next = np.tanh(Wax @ xt + Waa @ a_prev + ba)
    dz = da_next * (1 - a_next ** 2)
    return {"dxt": Wax.T @ dz, "da_prev": Waa.T @ dz, "dWax": dz @ xt.T, "dWaa": dz @ a_prev.T,
            "dba": dz.sum(axis=1, keepdims=True)}


def dlai_rnn_forward(x, a0, Wax, Waa, ba):
    a = np.zeros((a0.shape[0], x.shape[1], x.shape[2]))
    a_prev = a0
    for t in range(x.shape[2]):
        a_prev = np.tanh(Wax @ x[:, :, t] + Waa @ a_prev + ba)
        a[:, :, t] = a_prev
    return a


def dlai_rnn_backward(da, x, a0, Wax, Waa, ba):
    a = dlai_rnn_forward(x, a0, Wax, Waa, ba)
    g = {"dx": np.zeros_like(x), "dWax": np.zeros_like(Wax), "dWaa": np.zeros_like(Waa), "dba": np.zeros_like(ba)}
    da_prevt = np.zeros_like(a0)
    for t in reversed(range(x.shape[2])):
        a_prev = a[:, :, t - 1] if t > 0 else a0
        step = dlai_rnn_cell_backward(da[:, :, t] + da_prevt, x[:, :, t], a_prev, Wax, Waa, ba)
        g["dx"][:, :, t] = step["dxt"]
        da_prevt = step["da_prev"]
        for k in ("dWax", "dWaa", "dba"):
            g[k] += step[k]
    g["da0"] = da_prevt
    return g


def rnn_to_dlai(g):
    names = {"dx": "dxt", "dprev_h": "da_prev", "dh0": "da0", "dWx": "dWax", "dWh": "dWaa"}
    out = {}
    for k, v in g.items():
        if k == "db":
            out["dba"] = v.reshape(-1, 1)
        elif k == "dx" and v.ndim == 3:
            out["dx"] = v.transpose(2, 0, 1)
        else:
            out[names[k]] = v.T
    return out


n_x, m, n_a = 3, 4, 5
xt = r.standard_normal((n_x, m)); a_prev = r.standard_normal((n_a, m))
Wax = 0.5 * r.standard_normal((n_a, n_x)); Waa = 0.5 * r.standard_normal((n_a, n_a)); ba = r.standard_normal((n_a, 1))
da_next = r.standard_normal((n_a, m))
right = dlai_rnn_cell_backward(da_next, xt, a_prev, Wax, Waa, ba)
write("dlai_rnn_cell", "rnn_cell", {}, {"xt": xt, "a_prev": a_prev, "Wax": Wax, "Waa": Waa, "ba": ba}, {"da_next": da_next},
      [np.tanh(Wax @ xt + Waa @ a_prev + ba)], right, convention="dlai")
cs = (xt.T, a_prev.T, Wax.T, Waa.T, ba.ravel(), da_next.T)
cs_right = rnn_step_gradients(*cs)
write_slips("dlai_rnn_cell", [
    ("wrong_activation_derivative", rnn_to_dlai(rnn_step_gradients(*cs, pre_derivative=True))),
    ("wrong_activation_derivative", rnn_to_dlai(rnn_step_gradients(*cs, twice=True))),
    ("scaled", rnn_to_dlai(params_over_n(cs_right, m))),
    ("scaled", rnn_to_dlai({k: v / m for k, v in cs_right.items()})),
    ("transposed", {"dWaa": right["dWaa"].T}),
    ("transposed", {"da_prev": Waa @ (da_next * (1 - np.tanh(Wax @ xt + Waa @ a_prev + ba) ** 2))}),
])

n_x, m, T_x, n_a = 3, 2, 4, 5
x = r.standard_normal((n_x, m, T_x)); a0 = r.standard_normal((n_a, m))
Wax = 0.5 * r.standard_normal((n_a, n_x)); Waa = 0.5 * r.standard_normal((n_a, n_a)); ba = r.standard_normal((n_a, 1))
da = r.standard_normal((n_a, m, T_x))
right = dlai_rnn_backward(da, x, a0, Wax, Waa, ba)
write("dlai_rnn", "rnn", {}, {"x": x, "a0": a0, "Wax": Wax, "Waa": Waa, "ba": ba}, {"da": da},
      [dlai_rnn_forward(x, a0, Wax, Waa, ba)], right, convention="dlai")
cs = (x.transpose(1, 2, 0), a0.T, Wax.T, Waa.T, ba.ravel(), da.transpose(1, 2, 0))
cs_right = rnn_backward(*cs)
overwritten = rnn_backward(*cs, overwritten=True)
write_slips("dlai_rnn", [
    ("upstream_not_added", rnn_to_dlai(rnn_backward(*cs, upstream="last_only"))),
    ("upstream_not_added", rnn_to_dlai(rnn_backward(*cs, upstream="replaced"))),
    ("overwritten", rnn_to_dlai({k: overwritten[k] for k in ("dWx", "dWh", "db")})),
    ("scaled", rnn_to_dlai(params_over_n(cs_right, m))),
    ("scaled", rnn_to_dlai({k: v / m for k, v in cs_right.items()})),
    ("wrong_activation_derivative", rnn_to_dlai(rnn_backward(*cs, pre_derivative=True))),
    ("wrong_activation_derivative", rnn_to_dlai(rnn_backward(*cs, twice=True))),
    ("transposed", {"dWaa": right["dWaa"].T}),
    ("transposed", rnn_to_dlai(rnn_backward(*cs, untransposed=True))),
])


def dlai_lstm_cell(xt, a_prev, c_prev, p):
    concat = np.vstack([a_prev, xt])
    ft = sigmoid(p["Wf"] @ concat + p["bf"]); it = sigmoid(p["Wi"] @ concat + p["bi"])
    cct = np.tanh(p["Wc"] @ concat + p["bc"]); ot = sigmoid(p["Wo"] @ concat + p["bo"])
    c_next = ft * c_prev + it * cct
    return ot * np.tanh(c_next), c_next, (ft, it, cct, ot, concat)


def dlai_lstm_cell_backward(da_next, dc_next, xt, a_prev, c_prev, p):
    a_next, c_next, (ft, it, cct, ot, concat) = dlai_lstm_cell(xt, a_prev, c_prev, p)
    n_a = a_prev.shape[0]
    dc = dc_next + da_next * ot * (1 - np.tanh(c_next) ** 2)
    dot = da_next * np.tanh(c_next) * ot * (1 - ot)
    dcct = dc * it * (1 - cct ** 2)
    dit = dc * cct * it * (1 - it)
    dft = dc * c_prev * ft * (1 - ft)
    g = {"dWf": dft @ concat.T, "dWi": dit @ concat.T, "dWc": dcct @ concat.T, "dWo": dot @ concat.T,
         "dbf": dft.sum(axis=1, keepdims=True), "dbi": dit.sum(axis=1, keepdims=True),
         "dbc": dcct.sum(axis=1, keepdims=True), "dbo": dot.sum(axis=1, keepdims=True)}
    dconcat = p["Wf"].T @ dft + p["Wi"].T @ dit + p["Wc"].T @ dcct + p["Wo"].T @ dot
    g["da_prev"] = dconcat[:n_a]; g["dxt"] = dconcat[n_a:]; g["dc_prev"] = dc * ft
    return g


def dlai_lstm_forward(x, a0, p):
    a = np.zeros((a0.shape[0], x.shape[1], x.shape[2])); c = np.zeros_like(a)
    a_prev, c_prev = a0, np.zeros_like(a0)
    for t in range(x.shape[2]):
        a_prev, c_prev, _ = dlai_lstm_cell(x[:, :, t], a_prev, c_prev, p)
        a[:, :, t] = a_prev; c[:, :, t] = c_prev
    return a, c


def dlai_lstm_backward(da, x, a0, p):
    a, c = dlai_lstm_forward(x, a0, p)
    T = x.shape[2]
    g = {k: np.zeros_like(p[k[1:]]) for k in ("dWf", "dWi", "dWc", "dWo", "dbf", "dbi", "dbc", "dbo")}
    g["dx"] = np.zeros_like(x)
    da_prevt = np.zeros_like(a0); dc_prevt = np.zeros_like(a0)
    for t in reversed(range(T)):
        a_prev = a[:, :, t - 1] if t > 0 else a0
        c_prev = c[:, :, t - 1] if t > 0 else np.zeros_like(a0)
        step = dlai_lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, x[:, :, t], a_prev, c_prev, p)
        g["dx"][:, :, t] = step["dxt"]
        da_prevt, dc_prevt = step["da_prev"], step["dc_prev"]
        for k in ("dWf", "dWi", "dWc", "dWo", "dbf", "dbi", "dbc", "dbo"):
            g[k] += step[k]
    g["da0"] = da_prevt
    return g


def packed(p, n_a):
    """The gate weights as CS231n's Wx, Wh, b (blocks i, f, o, g = Wi, Wf, Wo, Wc)."""
    order = ["i", "f", "o", "c"]
    W = np.hstack([p["W" + k].T for k in order])  # (n_a + n_x, 4 n_a)
    return W[n_a:], W[:n_a], np.concatenate([p["b" + k].ravel() for k in order])


def lstm_to_dlai(g, n_a):
    out = {}
    names = {"dprev_h": "da_prev", "dh0": "da0", "dprev_c": "dc_prev"}
    for k, v in g.items():
        if k in names:
            out[names[k]] = v.T
        elif k == "dx":
            out["dxt" if v.ndim == 2 else "dx"] = v.T if v.ndim == 2 else v.transpose(2, 0, 1)
    if "dWx" in g:
        W = np.vstack([g["dWh"], g["dWx"]])
        for k, gate in enumerate(["i", "f", "o", "c"]):
            out["dW" + gate] = W[:, k * n_a:(k + 1) * n_a].T
    if "db" in g:
        for k, gate in enumerate(["i", "f", "o", "c"]):
            out["db" + gate] = g["db"][k * n_a:(k + 1) * n_a].reshape(-1, 1)
    return out


def dlai_lstm_slips(cs_slips, n_a):
    """The CS231n slips in deeplearning.ai's names, without the stacked gate orders (separate gate
    weights have no stacked da): of each order's two gate_order slips, the second is kept."""
    slips = []
    orders = 0
    for kind, g in cs_slips:
        if kind == "gate_order":
            orders += 1
            if orders % 2 == 1:
                continue
        slips.append((kind, lstm_to_dlai(g, n_a)))
    return slips


def gate_parameters(n_a, n_x):
    p = {}
    for k in ("f", "i", "c", "o"):
        p["W" + k] = 0.5 * r.standard_normal((n_a, n_a + n_x)); p["b" + k] = 0.5 * r.standard_normal((n_a, 1))
    return p


n_x, m, n_a = 3, 4, 3
xt = r.standard_normal((n_x, m)); a_prev = r.standard_normal((n_a, m)); c_prev = r.standard_normal((n_a, m))
p = gate_parameters(n_a, n_x)
da_next = r.standard_normal((n_a, m)); dc_next = r.standard_normal((n_a, m))
a_next, c_next, _ = dlai_lstm_cell(xt, a_prev, c_prev, p)
right = dlai_lstm_cell_backward(da_next, dc_next, xt, a_prev, c_prev, p)
write("dlai_lstm_cell", "lstm_cell", {}, dict(xt=xt, a_prev=a_prev, c_prev=c_prev, **p), {"da_next": da_next, "dc_next": dc_next},
      [a_next, c_next], right, convention="dlai")
x, prev_h, prev_c = xt.T, a_prev.T, c_prev.T
Wx, Wh, b = packed(p, n_a)
dnext_h, dnext_c = da_next.T, dc_next.T
cs_right = lstm_step_run()
assert all(np.allclose(v, right[k]) for k, v in lstm_to_dlai(cs_right, n_a).items())
write_slips("dlai_lstm_cell", dlai_lstm_slips(
    lstm_slips(lstm_step_run, cs_right, ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"], ["dWx", "dWh", "db"], sequence=False),
    n_a))

n_x, m, T_x, n_a = 3, 2, 4, 3
x_dlai = r.standard_normal((n_x, m, T_x)); a0 = r.standard_normal((n_a, m))
p = gate_parameters(n_a, n_x)
da = r.standard_normal((n_a, m, T_x))
right = dlai_lstm_backward(da, x_dlai, a0, p)
write("dlai_lstm", "lstm", {}, dict(x=x_dlai, a0=a0, **p), {"da": da}, [dlai_lstm_forward(x_dlai, a0, p)[0]], right,
      convention="dlai")
x, h0, c0 = x_dlai.transpose(1, 2, 0), a0.T, np.zeros((m, n_a))
Wx, Wh, b = packed(p, n_a)
dh = da.transpose(1, 2, 0)
cs_right = lstm_run()
assert all(np.allclose(v, right[k]) for k, v in lstm_to_dlai(cs_right, n_a).items())
write_slips("dlai_lstm", dlai_lstm_slips(
    lstm_slips(lstm_run, cs_right, ["dx", "dh0", "dWx", "dWh", "db"], ["dWx", "dWh", "db"], sequence=True), n_a))
