"""References for conv, pooling, dropout, word embedding, temporal affine and the losses (CS231n
convention) and deeplearning.ai's conv and pool, from the math (numpy only, no course code).

Each backward below is written once with switches for the classic slips; the slipped
gradients go to Tests/Fixtures/layer-slips/<name>.json beside the reference, where the Swift
slip tests compare each layer's replays with them."""
import json
import os
import numpy as np
from common import OUT, rng, write, write_slips

SLIPS = os.path.join(OUT, "..", "layer-slips")
r = rng(2312)


def write_ties(name, groups):
    """The tied windows of a max pool: flat indices into its input, in the windows' order."""
    folder = os.path.join(OUT, "..", "layer-ties")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name + ".json"), "w") as f:
        json.dump([[int(i) for i in g] for g in groups], f)
        f.write("\n")




# ---------------------------------------------------------------- conv
def conv_forward(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    Ho = 1 + (H + 2 * pad - HH) // stride
    Wo = 1 + (W + 2 * pad - WW) // stride
    out = np.zeros((N, F, Ho, Wo))
    for oh in range(Ho):
        for ow in range(Wo):
            window = xp[:, :, oh * stride:oh * stride + HH, ow * stride:ow * stride + WW]
            out[:, :, oh, ow] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def conv_backward(x, w, dout, stride, pad, step=None, unpadded_dw=False):
    """dxp (padded), dw, db of f = sum(dout * out). step: the stride the windows move by in the
    backward (the stride-ignored slip uses 1); unpadded_dw reads dw's windows from x placed at the
    origin of a zero array of the padded size (the slip's x[.., h:h+HH] with zeros past the end)."""
    step = stride if step is None else step
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    source = np.pad(x, ((0, 0), (0, 0), (0, 2 * pad), (0, 2 * pad))) if unpadded_dw else xp
    Ho, Wo = dout.shape[2], dout.shape[3]
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for oh in range(Ho):
        for ow in range(Wo):
            rows = slice(oh * step, oh * step + HH)
            cols = slice(ow * step, ow * step + WW)
            d = dout[:, :, oh, ow]                                 # (N, F)
            dw += np.einsum("nf,nchw->fchw", d, source[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nf,fchw->nchw", d, w)
    return dxp, dw, dout.sum(axis=(0, 2, 3))


def conv_case(name, shape_x, shape_w, stride, pad):
    x = r.standard_normal(shape_x); w = r.standard_normal(shape_w); b = r.standard_normal(shape_w[0])
    out = conv_forward(x, w, b, stride, pad)
    dout = r.standard_normal(out.shape)
    dxp, dw, db = conv_backward(x, w, dout, stride, pad)
    H, W = shape_x[2], shape_x[3]
    dx = dxp[:, :, pad:pad + H, pad:pad + W]
    write(name, "conv", {"stride": stride, "pad": pad}, {"x": x, "w": w, "b": b}, {"dout": dout}, [out],
          {"dx": dx, "dw": dw, "db": db})
    slips = [("flipped_kernel", {"dw": dw[:, :, ::-1, ::-1]}),
             ("wrong_axis", {"db": dout.sum(axis=0)}),
             ("wrong_axis", {"db": dout.sum(axis=(2, 3))}),
             ("wrong_axis", {"db": np.full(shape_w[0], dout.sum())})]
    if pad > 0:
        slips += [("padding_not_removed", {"dx": dxp}),
                  ("padding_not_removed", {"dx": dxp[:, :, pad:, pad:]}),
                  ("padding_not_removed", {"dx": dxp[:, :, :-pad, :-pad]}),
                  ("padding_not_removed", {"dx": dxp[:, :, :H, :W]}),
                  ("unpadded_input", {"dw": conv_backward(x, w, dout, stride, pad, unpadded_dw=True)[1]})]
    if stride > 1:
        sxp, sdw, _ = conv_backward(x, w, dout, stride, pad, step=1)
        slips.append(("stride_ignored", {"dx": sxp[:, :, pad:pad + H, pad:pad + W], "dw": sdw}))
    write_slips(name, slips)
    return x, w, b, dout, out, dx, dw, db


conv_case("conv", (2, 3, 5, 5), (4, 3, 3, 3), 1, 1)
conv_case("conv_stride2", (2, 2, 7, 5), (3, 2, 3, 3), 2, 1)
conv_case("conv_nopad", (1, 2, 4, 7), (2, 2, 2, 3), 2, 0)


# ---------------------------------------------------------------- pooling
def windows(shape, ph, pw, stride, step=None):
    """(n, c, oh, ow, rows, cols) for every window in numpy's order; step: where the windows
    start (the stride-ignored slip moves them by 1 over the same output grid)."""
    step = stride if step is None else step
    N, C, H, W = shape
    for n in range(N):
        for c in range(C):
            for oh in range((H - ph) // stride + 1):
                for ow in range((W - pw) // stride + 1):
                    yield n, c, oh, ow, slice(oh * step, oh * step + ph), slice(ow * step, ow * step + pw)


def max_pool(x, ph, pw, stride):
    N, C, H, W = x.shape
    out = np.zeros((N, C, (H - ph) // stride + 1, (W - pw) // stride + 1))
    for n, c, oh, ow, rows, cols in windows(x.shape, ph, pw, stride):
        out[n, c, oh, ow] = x[n, c, rows, cols].max()
    return out


def max_pool_backward(x, dout, ph, pw, stride, slip=None, step=None):
    """dx; slip: 'every' (x == max mask), 'assign_window' (dx[window] = mask * dout),
    'assign_entry' (dx[argmax] = dout); step: where the windows start."""
    dx = np.zeros_like(x)
    for n, c, oh, ow, rows, cols in windows(x.shape, ph, pw, stride, step):
        window = x[n, c, rows, cols]
        first = np.zeros(window.shape)
        first[np.unravel_index(np.argmax(window), window.shape)] = 1
        d = dout[n, c, oh, ow]
        if slip == "every":
            dx[n, c, rows, cols] += (window == window.max()) * d
        elif slip == "assign_window":
            dx[n, c, rows, cols] = first * d
        elif slip == "assign_entry":
            i, j = np.unravel_index(np.argmax(window), window.shape)
            dx[n, c, rows.start + i, cols.start + j] = d
        else:
            dx[n, c, rows, cols] += first * d
    return dx


def max_pool_case(name, x, ph, pw, stride):
    out = max_pool(x, ph, pw, stride)
    dout = r.standard_normal(out.shape)
    dx = max_pool_backward(x, dout, ph, pw, stride)
    write(name, "max_pool", {"pool_height": ph, "pool_width": pw, "stride": stride}, {"x": x}, {"dout": dout}, [out],
          {"dx": dx})
    slips = []
    for slip, kind in [("every", "every_maximum"), ("assign_window", "overwritten"), ("assign_entry", "overwritten")]:
        slipped = max_pool_backward(x, dout, ph, pw, stride, slip)
        if not np.array_equal(slipped, dx):
            slips.append((kind, {"dx": slipped}))
    if stride > 1:
        slips.append(("stride_ignored", {"dx": max_pool_backward(x, dout, ph, pw, stride, step=1)}))
    write_slips(name, slips)
    ties = []
    for n, c, oh, ow, rows, cols in windows(x.shape, ph, pw, stride):
        hs, ws = np.nonzero(x[n, c, rows, cols] == x[n, c, rows, cols].max())
        if len(hs) > 1:
            ties.append(np.ravel_multi_index((np.full(len(hs), n), np.full(len(hs), c), hs + rows.start, ws + cols.start), x.shape))
    write_ties(name, ties)


def avg_pool(x, ph, pw, stride):
    N, C, H, W = x.shape
    out = np.zeros((N, C, (H - ph) // stride + 1, (W - pw) // stride + 1))
    for n, c, oh, ow, rows, cols in windows(x.shape, ph, pw, stride):
        out[n, c, oh, ow] = x[n, c, rows, cols].mean()
    return out


def avg_pool_backward(x, dout, ph, pw, stride, scale=None, assign=False, step=None):
    scale = 1 / (ph * pw) if scale is None else scale
    dx = np.zeros_like(x)
    for n, c, oh, ow, rows, cols in windows(x.shape, ph, pw, stride, step):
        if assign:
            dx[n, c, rows, cols] = dout[n, c, oh, ow] * scale
        else:
            dx[n, c, rows, cols] += dout[n, c, oh, ow] * scale
    return dx


def avg_pool_case(name, x, ph, pw, stride):
    out = avg_pool(x, ph, pw, stride)
    dout = r.standard_normal(out.shape)
    dx = avg_pool_backward(x, dout, ph, pw, stride)
    write(name, "avg_pool", {"pool_height": ph, "pool_width": pw, "stride": stride}, {"x": x}, {"dout": dout}, [out],
          {"dx": dx})
    area = ph * pw
    slips = [("scaled", {"dx": avg_pool_backward(x, dout, ph, pw, stride, scale=1.0)}),
             ("scaled", {"dx": avg_pool_backward(x, dout, ph, pw, stride, scale=1.0 / area ** 2)})]
    if stride < ph or stride < pw:
        slips.append(("overwritten", {"dx": avg_pool_backward(x, dout, ph, pw, stride, assign=True)}))
    if stride > 1:
        slips.append(("stride_ignored", {"dx": avg_pool_backward(x, dout, ph, pw, stride, step=1)}))
    write_slips(name, slips)


max_pool_case("max_pool", r.standard_normal((2, 3, 4, 4)), 2, 2, 2)
# Whole numbers 0..3: windows with tied maxima, overlapping windows (stride 2 < pool 3).
max_pool_case("max_pool_ties_overlap", r.integers(0, 4, (2, 2, 5, 5)).astype(float), 3, 3, 2)
avg_pool_case("avg_pool", r.standard_normal((2, 2, 4, 4)), 2, 2, 2)
avg_pool_case("avg_pool_overlap", r.standard_normal((1, 2, 4, 6)), 2, 3, 1)


# ---------------------------------------------------------------- dropout (p = keep probability)
x = r.standard_normal((3, 5)); p = 0.7
mask = (r.random((3, 5)) < p).astype(float)
dout = r.standard_normal((3, 5))
write("dropout", "dropout", {"p": p, "mask": mask}, {"x": x}, {"dout": dout}, [x * mask / p], {"dx": dout * mask / p})
write_slips("dropout", [("mask_not_applied", {"dx": dout / p}),
                        ("scaled", {"dx": dout * mask}),
                        ("scaled", {"dx": dout * mask / p ** 2}),
                        ("keep_drop_swapped", {"dx": dout * mask / (1 - p)})])


# ---------------------------------------------------------------- word embedding
V, D = 6, 4
x = np.array([[0, 3, 5, 3], [2, 0, 1, 4], [5, 5, 2, 1]])   # repeated indices: 0, 3, 5, 2, 1
W = r.standard_normal((V, D))
dout = r.standard_normal((3, 4, D))
dW = np.zeros_like(W)
np.add.at(dW, x, dout)
write("word_embedding", "word_embedding", {}, {"x": x, "W": W}, {"dout": dout}, [W[x]], {"dW": dW})
lost = np.zeros_like(W)
lost[x] = dout                                               # numpy keeps the last write per index
write_slips("word_embedding", [("overwritten", {"dW": lost})])


# ---------------------------------------------------------------- temporal affine
N, T, D, M = 2, 3, 4, 5
x = r.standard_normal((N, T, D)); w = r.standard_normal((D, M)); b = r.standard_normal(M)
dout = r.standard_normal((N, T, M))
x2, dout2 = x.reshape(N * T, D), dout.reshape(N * T, M)
dw = x2.T @ dout2; db = dout2.sum(axis=0)
write("temporal_affine", "temporal_affine", {}, {"x": x, "w": w, "b": b}, {"dout": dout},
      [(x2 @ w + b).reshape(N, T, M)], {"dx": (dout2 @ w.T).reshape(N, T, D), "dw": dw, "db": db})
write_slips("temporal_affine", [("transposed", {"dw": dout2.T @ x2}),
                                ("scaled", {"dw": dw / N, "db": db / N}),
                                ("wrong_axis", {"db": dout.sum(axis=0)}),
                                ("wrong_axis", {"db": np.full(M, dout.sum())}),
                                ("wrong_axis", {"dx": dout2 @ w.T})])


# ---------------------------------------------------------------- losses (no upstream; one scalar)
def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


N, C = 4, 5
x = r.standard_normal((N, C)); y = r.integers(0, C, N)
prob = softmax(x)
onehot = np.eye(C)[y]
write("softmax_loss", "softmax_loss", {}, {"x": x, "y": y}, {}, [-np.log(prob[np.arange(N), y]).mean()],
      {"dx": (prob - onehot) / N})
write_slips("softmax_loss", [("scaled", {"dx": prob - onehot})])

margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1)
margins[np.arange(N), y] = 0
active = (margins > 0).astype(float)
dsvm = active.copy()
dsvm[np.arange(N), y] -= active.sum(axis=1)
write("svm_loss", "svm_loss", {}, {"x": x, "y": y}, {}, [margins.sum() / N], {"dx": dsvm / N})
write_slips("svm_loss", [("scaled", {"dx": dsvm})])

N, T, V = 2, 4, 5
x = r.standard_normal((N, T, V)); y = r.integers(0, V, (N, T))
mask = np.array([[1, 1, 1, 0], [1, 1, 0, 0]])
prob = softmax(x)
logp = np.log(prob[np.arange(N)[:, None], np.arange(T)[None, :], y])
dfull = prob - np.eye(V)[y]
write("temporal_softmax_loss", "temporal_softmax_loss", {}, {"x": x, "y": y, "mask": mask}, {},
      [-(mask * logp).sum() / N], {"dx": dfull * mask[:, :, None] / N})
write_slips("temporal_softmax_loss", [("mask_ignored", {"dx": dfull / N}),
                                      ("scaled", {"dx": dfull * mask[:, :, None]}),
                                      ("scaled", {"dx": dfull * mask[:, :, None] / (N * T)}),
                                      ("scaled", {"dx": dfull * mask[:, :, None] / mask.sum()})])


# ---------------------------------------------------------------- deeplearning.ai conv and pool (NHWC)
# Written in the notebooks' layout directly (slices A_prev_pad[i, vs:ve, hs:he, :]), not through
# the NCHW functions above, so the Swift adapters' transpositions are checked too.
def dlai_conv(A_prev, W, b, stride, pad):
    m, H, Wd, C = A_prev.shape
    f, _, _, F = W.shape
    Ap = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    nH = int((H - f + 2 * pad) / stride) + 1
    nW = int((Wd - f + 2 * pad) / stride) + 1
    Z = np.zeros((m, nH, nW, F))
    for i in range(m):
        for h in range(nH):
            for w in range(nW):
                piece = Ap[i, h * stride:h * stride + f, w * stride:w * stride + f, :]
                Z[i, h, w, :] = np.tensordot(piece, W, axes=([0, 1, 2], [0, 1, 2])) + b[0, 0, 0]
    return Z


def dlai_conv_backward(A_prev, W, dZ, stride, pad, step=None, unpadded_dW=False):
    step = stride if step is None else step
    f = W.shape[0]
    Ap = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    source = np.pad(A_prev, ((0, 0), (0, 2 * pad), (0, 2 * pad), (0, 0))) if unpadded_dW else Ap
    dAp = np.zeros_like(Ap); dW = np.zeros_like(W)
    m, nH, nW, F = dZ.shape
    for i in range(m):
        for h in range(nH):
            for w in range(nW):
                rows, cols = slice(h * step, h * step + f), slice(w * step, w * step + f)
                for c in range(F):
                    dAp[i, rows, cols, :] += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += source[i, rows, cols, :] * dZ[i, h, w, c]
    return dAp, dW, dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, F)


def dlai_conv_case(name, shape_a, f, F, stride, pad):
    A_prev = r.standard_normal(shape_a); W = r.standard_normal((f, f, shape_a[3], F)); b = r.standard_normal((1, 1, 1, F))
    Z = dlai_conv(A_prev, W, b, stride, pad)
    dZ = r.standard_normal(Z.shape)
    dAp, dW, db = dlai_conv_backward(A_prev, W, dZ, stride, pad)
    H, Wd = shape_a[1], shape_a[2]
    dA = dAp[:, pad:pad + H, pad:pad + Wd, :]
    write(name, "conv", {"stride": stride, "pad": pad}, {"A_prev": A_prev, "W": W, "b": b}, {"dZ": dZ}, [Z],
          {"dA_prev": dA, "dW": dW, "db": db}, convention="dlai")
    slips = [("flipped_kernel", {"dW": dW[::-1, ::-1]}),
             ("wrong_axis", {"db": dZ.sum(axis=0)}),
             ("wrong_axis", {"db": dZ.sum(axis=(1, 2))}),
             ("wrong_axis", {"db": np.full((1, 1, 1, F), dZ.sum())})]
    if pad > 0:
        slips += [("padding_not_removed", {"dA_prev": dAp}),
                  ("padding_not_removed", {"dA_prev": dAp[:, pad:, pad:, :]}),
                  ("padding_not_removed", {"dA_prev": dAp[:, :-pad, :-pad, :]}),
                  ("padding_not_removed", {"dA_prev": dAp[:, :H, :Wd, :]}),
                  ("unpadded_input", {"dW": dlai_conv_backward(A_prev, W, dZ, stride, pad, unpadded_dW=True)[1]})]
    if stride > 1:
        sAp, sdW, _ = dlai_conv_backward(A_prev, W, dZ, stride, pad, step=1)
        slips.append(("stride_ignored", {"dA_prev": sAp[:, pad:pad + H, pad:pad + Wd, :], "dW": sdW}))
    write_slips(name, slips)


dlai_conv_case("dlai_conv", (2, 5, 7, 3), 3, 4, 2, 1)          # the notebook's shapes, smaller
dlai_conv_case("dlai_conv_floor", (1, 6, 5, 2), 3, 2, 2, 1)    # int((6 - 3 + 2) / 2) + 1 = 3: floored


def dlai_pool(A_prev, f, stride, mode):
    m, H, Wd, C = A_prev.shape
    nH, nW = int(1 + (H - f) / stride), int(1 + (Wd - f) / stride)
    A = np.zeros((m, nH, nW, C))
    for i in range(m):
        for h in range(nH):
            for w in range(nW):
                piece = A_prev[i, h * stride:h * stride + f, w * stride:w * stride + f, :]
                A[i, h, w, :] = piece.max(axis=(0, 1)) if mode == "max" else piece.mean(axis=(0, 1))
    return A


def dlai_pool_backward(A_prev, dA, f, stride, mode, slip=None, scale=None, step=None):
    """slip (max): 'every', 'assign_window', 'assign_entry'; (average): 'assign'; scale: the
    average's share (1 / f^2 right); step: where the slices start (the stride by default)."""
    scale = 1 / (f * f) if scale is None else scale
    step = stride if step is None else step
    dA_prev = np.zeros_like(A_prev)
    m, nH, nW, C = dA.shape
    for i in range(m):
        for c in range(C):
            for h in range(nH):
                for w in range(nW):
                    rows, cols = slice(h * step, h * step + f), slice(w * step, w * step + f)
                    d = dA[i, h, w, c]
                    piece = A_prev[i, rows, cols, c]
                    if mode == "average":
                        if slip == "assign":
                            dA_prev[i, rows, cols, c] = d * scale
                        else:
                            dA_prev[i, rows, cols, c] += d * scale
                        continue
                    first = np.zeros(piece.shape)
                    k, l = np.unravel_index(np.argmax(piece), piece.shape)
                    first[k, l] = 1
                    if slip == "every":
                        dA_prev[i, rows, cols, c] += (piece == piece.max()) * d
                    elif slip == "assign_window":
                        dA_prev[i, rows, cols, c] = first * d
                    elif slip == "assign_entry":
                        dA_prev[i, h * step + k, w * step + l, c] = d
                    else:
                        dA_prev[i, rows, cols, c] += first * d
    return dA_prev


def dlai_pool_case(name, A_prev, f, stride, mode):
    A = dlai_pool(A_prev, f, stride, mode)
    dA = r.standard_normal(A.shape)
    right = dlai_pool_backward(A_prev, dA, f, stride, mode)
    write(name, "pool", {"f": f, "stride": stride, "mode": mode}, {"A_prev": A_prev}, {"dA": dA}, [A],
          {"dA_prev": right}, convention="dlai")
    if mode == "max":
        candidates = [("every_maximum", dlai_pool_backward(A_prev, dA, f, stride, mode, "every")),
                      ("overwritten", dlai_pool_backward(A_prev, dA, f, stride, mode, "assign_window")),
                      ("overwritten", dlai_pool_backward(A_prev, dA, f, stride, mode, "assign_entry"))]
        slips = [(kind, {"dA_prev": g}) for kind, g in candidates if not np.array_equal(g, right)]
        m, nH, nW, C = A.shape
        ties = []
        for i in range(m):
            for c in range(C):
                for h in range(nH):
                    for w in range(nW):
                        piece = A_prev[i, h * stride:h * stride + f, w * stride:w * stride + f, c]
                        hs, ws = np.nonzero(piece == piece.max())
                        if len(hs) > 1:
                            index = (np.full(len(hs), i), hs + h * stride, ws + w * stride, np.full(len(hs), c))
                            ties.append(np.ravel_multi_index(index, A_prev.shape))
        write_ties(name, ties)
    else:
        slips = [("scaled", {"dA_prev": dlai_pool_backward(A_prev, dA, f, stride, mode, scale=1.0)}),
                 ("scaled", {"dA_prev": dlai_pool_backward(A_prev, dA, f, stride, mode, scale=1.0 / f ** 4)})]
        if stride < f:
            slips.append(("overwritten", {"dA_prev": dlai_pool_backward(A_prev, dA, f, stride, mode, "assign")}))
    if stride > 1:
        slips.append(("stride_ignored", {"dA_prev": dlai_pool_backward(A_prev, dA, f, stride, mode, step=1)}))
    write_slips(name, slips)


dlai_pool_case("dlai_pool_max", r.integers(0, 4, (2, 5, 6, 3)).astype(float), 3, 2, "max")   # ties, overlap, floored width
dlai_pool_case("dlai_pool_average", r.standard_normal((2, 5, 5, 3)), 3, 1, "average")


# ---------------------------------------------------------------- conv rows wide enough for the forward's
# SIMD blocks of 16 and 4 and its scalar tail (output widths 21 and 23), at stride 1 and 2.
conv_case("conv_wide", (1, 2, 3, 21), (2, 2, 3, 3), 1, 1)
conv_case("conv_wide_stride2", (1, 2, 3, 45), (2, 2, 3, 3), 2, 1)
