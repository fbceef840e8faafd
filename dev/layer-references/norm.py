"""References for the normalisation layers (CS231n convention): batchnorm (train mode), layernorm,
spatial_batchnorm and spatial_groupnorm, from the math; and, for the slip tests, each classic
slip of their backward passes written into a numpy backward the way a student would write it
(Tests/Fixtures/layer-slips/<name>.json: a list of {kind, gradients}).

Every layer normalises the columns of a 2-D view Z (m, groups) of x, then scales and shifts x's
channels: batchnorm Z = x, layernorm Z = x.T, spatial batch norm Z = x.transpose(0, 2, 3, 1)
.reshape(-1, C), group norm Z = x.reshape(N * G, -1).T."""
import json
import os
import numpy as np
from common import OUT, rng, write, write_slips

SLIPS = os.path.join(OUT, "..", "layer-slips")


def normalize(Z, eps, ddof=0, eps_mode="inside"):
    """The columns of Z normalised: mean first, then the centred squares (ddof: N - 1)."""
    mu = Z.mean(axis=0)
    xc = Z - mu
    var = (xc ** 2).sum(axis=0) / (Z.shape[0] - ddof)
    if eps_mode == "inside":
        std = np.sqrt(var + eps)
    elif eps_mode == "missing":
        std = np.sqrt(var)
    else:
        std = np.sqrt(var) + eps
    return xc / std, (xc, var, std)


def compact_dx(dxhat, xhat, std, m=None):
    """CS231n's one-line backward, from the cached xhat and std (m: the count it divides by)."""
    m = m or dxhat.shape[0]
    return (1.0 / m) / std * (m * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))


def staged_dx(dxhat, cache, eps, slip=None):
    """The backward through the computational graph, one node at a time, as a student writes it:
    xhat = xc * ivar, ivar = 1 / std, std = sqrt(var + eps), var = sum(xc**2) / m, xc = x - mu."""
    xc, var, std = cache
    m = dxhat.shape[0]
    divar = (dxhat * xc).sum(axis=0)
    dxc = dxhat / std
    if slip == "eps_outside_exact":  # std = sqrt(var) + eps
        dvar = -divar / std ** 2 * 0.5 / np.sqrt(var)
    elif slip == "eps_missing_in_dvar":
        dvar = -0.5 * divar * var ** -1.5
    elif slip == "no_half":
        dvar = -divar * (var + eps) ** -1.5
    else:
        dvar = -0.5 * divar / std ** 3
    count = m - 1 if slip in ("bessel_backward", "bessel_both") else m
    dsq = dvar / count * np.ones_like(xc)
    if slip == "no_variance":
        pass
    elif slip == "no_two":
        dxc = dxc + xc * dsq
    else:
        dxc = dxc + 2 * xc * dsq
    dmu = -dxc.sum(axis=0)
    if slip == "no_mean":
        return dxc
    return dxc + dmu / m


class View:
    """x's 2-D view Z and back, and where gamma's channels sit in x."""

    def __init__(self, to_z, from_z, channel_axes_sum, gamma_shape):
        self.to_z, self.from_z = to_z, from_z
        self.sum_axes = channel_axes_sum
        self.gamma_shape = gamma_shape


def layer_forward_backward(x, gamma, beta, dout, eps, view, ddof=0, eps_mode="inside", slip=None, compact=False):
    Z = view.to_z(x)
    xhat_z, cache = normalize(Z, eps, ddof, eps_mode)
    xhat = view.from_z(xhat_z)
    out = gamma * xhat + beta
    dxhat_z = view.to_z(dout * gamma)
    dx_z = compact_dx(dxhat_z, xhat_z, cache[2]) if compact else staged_dx(dxhat_z, cache, eps, slip)
    dx = view.from_z(dx_z)
    dgamma = (dout * xhat).sum(axis=view.sum_axes).reshape(view.gamma_shape)
    dbeta = dout.sum(axis=view.sum_axes).reshape(view.gamma_shape)
    return out, {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}


def common_slips(x, gamma, beta, dout, eps, view):
    """The slips every normalisation layer shares: (kind, gradients it changes)."""
    def run(keep, **kw):
        return {k: v for k, v in layer_forward_backward(x, gamma, beta, dout, eps, view, **kw)[1].items() if k in keep}
    dx = ("dx",)
    dxg = ("dx", "dgamma")
    Z = view.to_z(x)
    xhat_z, cache = normalize(Z, eps)
    dxhat_z = view.to_z(dout * gamma)
    only_direct = view.from_z(dxhat_z / cache[2])  # dx = gamma * dout / std
    return [
        ("missing_norm_terms", {"dx": only_direct}),
        ("missing_norm_terms", run(dx, slip="no_variance")),
        ("missing_norm_terms", run(dx, slip="no_mean")),
        ("scaled", run(dx, slip="no_two")),
        ("scaled", run(dx, slip="no_half")),
        ("bessel_mismatch", run(dx, slip="bessel_backward")),
        ("bessel_mismatch", {"dx": view.from_z(compact_dx(dxhat_z, xhat_z, cache[2], m=Z.shape[0] - 1))}),  # every N as N - 1
        ("bessel_mismatch", run(dxg, ddof=1)),  # forward unbiased, backward by m
        ("bessel_mismatch", run(dxg, ddof=1, slip="bessel_both")),
        ("eps_misplaced", run(dxg, eps_mode="missing", compact=True)),
        ("eps_misplaced", run(dxg, eps_mode="outside", compact=True)),
        ("eps_misplaced", run(dxg, eps_mode="outside", slip="eps_outside_exact")),
        ("eps_misplaced", run(dx, slip="eps_missing_in_dvar")),
    ]




def normalized(x, eps, view):
    return view.from_z(normalize(view.to_z(x), eps)[0])


def reference(name, layer_type, hyper, x, gamma, beta, dout, eps, view, own_slips, sent=None):
    """sent: gamma and beta as the request sends them, when not in the shape that broadcasts."""
    out, grads = layer_forward_backward(x, gamma, beta, dout, eps, view)
    # The one-line backward agrees with the staged one: two derivations, one answer.
    Z = view.to_z(x)
    xhat_z, cache = normalize(Z, eps)
    compact = view.from_z(compact_dx(view.to_z(dout * gamma), xhat_z, cache[2]))
    assert np.allclose(compact, grads["dx"], rtol=1e-12, atol=1e-13 * np.abs(compact).max())
    write_slips(name, common_slips(x, gamma, beta, dout, eps, view) + own_slips)
    gamma, beta = sent or (gamma, beta)
    write(name, layer_type, hyper, {"x": x, "gamma": gamma, "beta": beta}, {"dout": dout}, [out], grads)


r = rng(2310)
EPS = 1e-5

# batchnorm: x (N, D), statistics over axis 0. Shifted and scaled like CS231n's notebook.
N, D = 5, 4
x = 4 * r.standard_normal((N, D)) + 3
gamma = r.standard_normal(D); beta = r.standard_normal(D); dout = r.standard_normal((N, D))
bn = View(lambda a: a, lambda z: z, 0, (D,))
per_row_view = View(lambda a: a.T, lambda z: z.T, 0, (D,))
_, per_row = layer_forward_backward(x, gamma, beta, dout, EPS, per_row_view)
xhat = normalized(x, EPS, bn)
reference("batchnorm", "batchnorm", {}, x, gamma, beta, dout, EPS, bn, [
    ("wrong_axis", {"dx": per_row["dx"], "dgamma": per_row["dgamma"]}),  # a layer norm
    ("wrong_axis", {"dgamma": (dout * xhat).sum(axis=1)}),
    ("wrong_axis", {"dbeta": dout.sum(axis=1)}),
])

# layernorm: x (N, D), statistics over axis 1 (the batch norm of x.T), eps given.
N, D = 4, 6
eps = 1e-4
x = 2 * r.standard_normal((N, D)) - 1
gamma = r.standard_normal(D); beta = r.standard_normal(D); dout = r.standard_normal((N, D))
ln = View(lambda a: a.T, lambda z: z.T, 0, (D,))
bn = View(lambda a: a, lambda z: z, 0, (D,))
_, per_column = layer_forward_backward(x, gamma, beta, dout, eps, bn)
xhat = normalized(x, eps, ln)
# Batch norm's one-liner with gamma factored out, reused row by row: right only when gamma is
# constant over the sums, which for a layer norm it is not.
mu = x.mean(axis=1, keepdims=True)
std = np.sqrt(((x - mu) ** 2).mean(axis=1, keepdims=True) + eps)
factored = gamma / (D * std) * (D * dout - dout.sum(axis=1, keepdims=True) - xhat * (dout * xhat).sum(axis=1, keepdims=True))
reference("layernorm", "layernorm", {"eps": eps}, x, gamma, beta, dout, eps, ln, [
    ("wrong_axis", {"dx": per_column["dx"], "dgamma": per_column["dgamma"]}),  # a batch norm
    ("gamma_factored_out", {"dx": factored}),
    ("wrong_axis", {"dgamma": (dout * xhat).sum(axis=1)}),
    ("wrong_axis", {"dbeta": dout.sum(axis=1)}),
])

# spatial_batchnorm: x (N, C, H, W), batch norm per channel over N, H, W.
N, C, H, W = 2, 3, 2, 3
x = 3 * r.standard_normal((N, C, H, W)) + 1
gamma = r.standard_normal(C); beta = r.standard_normal(C); dout = r.standard_normal((N, C, H, W))
sbn = View(lambda a: a.transpose(0, 2, 3, 1).reshape(-1, C),
           lambda z: z.reshape(N, H, W, C).transpose(0, 3, 1, 2), (0, 2, 3), (C,))
g4 = gamma.reshape(1, C, 1, 1); b4 = beta.reshape(1, C, 1, 1)
_, right = layer_forward_backward(x, g4, b4, dout, EPS, sbn)
# Reshaped without the transpose: the (N*H*W, C) view of x's memory, gamma on its columns.
Z = x.reshape(-1, C); dZ = dout.reshape(-1, C)
zhat, zcache = normalize(Z, EPS)
no_transpose = {"dx": compact_dx(dZ * gamma, zhat, zcache[2]).reshape(N, C, H, W),
                "dgamma": (dZ * zhat).sum(axis=0), "dbeta": dZ.sum(axis=0)}
# Transposed in, but reshaped straight back out: the (N, H, W, C) gradient read as (N, C, H, W).
not_back = {"dx": right["dx"].transpose(0, 2, 3, 1).reshape(N, C, H, W)}
# Reshaped to (N, C*H*W): batch norm per pixel, over the batch only; gamma applied per channel.
_, per_pixel = layer_forward_backward(x, g4, b4, dout, EPS, View(lambda a: a.reshape(N, -1), lambda z: z.reshape(N, C, H, W), (0, 2, 3), (C,)))
# gamma and beta broadcast as (1, C, 1, 1) and are sent as (C,), like CS231n's.
reference("spatial_batchnorm", "spatial_batchnorm", {}, x, g4, b4, dout, EPS, sbn,
          [("wrong_axis", no_transpose), ("wrong_axis", not_back),
           ("wrong_axis", {"dx": per_pixel["dx"], "dgamma": per_pixel["dgamma"]})], sent=(gamma, beta))

# spatial_groupnorm: x (N, C, H, W), G groups of C / G consecutive channels, gamma (1, C, 1, 1).
N, C, H, W, G = 2, 6, 2, 2, 3
x = 2 * r.standard_normal((N, C, H, W)) + 0.5
gamma = r.standard_normal((1, C, 1, 1)); beta = r.standard_normal((1, C, 1, 1)); dout = r.standard_normal((N, C, H, W))


def grouped(groups, strided=False):
    if strided:  # channel c in group c % G
        to_z = lambda a: a.reshape(N, C // groups, groups, H, W).transpose(0, 2, 1, 3, 4).reshape(N * groups, -1).T
        from_z = lambda z: z.T.reshape(N, groups, C // groups, H, W).transpose(0, 2, 1, 3, 4).reshape(N, C, H, W)
    else:
        to_z = lambda a: a.reshape(N * groups, -1).T
        from_z = lambda z: z.T.reshape(N, C, H, W)
    return View(to_z, from_z, (0, 2, 3), (1, C, 1, 1))


def dx_dgamma(view):
    _, g = layer_forward_backward(x, gamma, beta, dout, EPS, view)
    return {"dx": g["dx"], "dgamma": g["dgamma"]}


view = grouped(G)
zhat, zcache = normalize(view.to_z(x), EPS)
factored = gamma * view.from_z(compact_dx(view.to_z(dout), zhat, zcache[2]))  # gamma out of the group sums
reference("spatial_groupnorm", "spatial_groupnorm", {"G": G}, x, gamma, beta, dout, EPS, view, [
    ("gamma_factored_out", {"dx": factored}),
    ("wrong_axis", dx_dgamma(grouped(G, strided=True))),
    ("wrong_axis", dx_dgamma(grouped(1))),
    ("wrong_axis", dx_dgamma(grouped(C))),
])
