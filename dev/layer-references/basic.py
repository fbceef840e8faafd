"""References for affine and the elementwise activations (CS231n convention), from the math."""
import numpy as np
from common import rng, write

r = rng(231)

# affine: x (N, d1, d2) flattened to (N, D); out = x2 @ w + b.
x = r.standard_normal((3, 2, 4)); w = r.standard_normal((8, 5)); b = r.standard_normal(5)
dout = r.standard_normal((3, 5))
x2 = x.reshape(3, -1)
write("affine", "affine", {}, {"x": x, "w": w, "b": b}, {"dout": dout}, [x2 @ w + b],
      {"dx": (dout @ w.T).reshape(x.shape), "dw": x2.T @ dout, "db": dout.sum(axis=0)})

# Elementwise: dx = dout * g'(x), g' written from the definition of g.
x = r.standard_normal((4, 6)); dout = r.standard_normal((4, 6))
write("relu", "relu", {}, {"x": x}, {"dout": dout}, [np.maximum(x, 0)], {"dx": dout * (x > 0)})
alpha = 0.1
write("leaky_relu", "leaky_relu", {"alpha": alpha}, {"x": x}, {"dout": dout}, [np.where(x > 0, x, alpha * x)],
      {"dx": dout * np.where(x > 0, 1.0, alpha)})
t = np.tanh(x)
write("tanh", "tanh", {}, {"x": x}, {"dout": dout}, [t], {"dx": dout * (1 - t ** 2)})
s = 1 / (1 + np.exp(-x))
write("sigmoid", "sigmoid", {}, {"x": x}, {"dout": dout}, [s], {"dx": dout * s * (1 - s)})
