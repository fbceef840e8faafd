"""The tests' own numpy oracle for the notebook's network, written from the math:

    Z_l = W_l A_(l-1) + b_l,  A_l = relu(Z_l) (hidden), sigmoid(Z_L) (output), A_0 = X
    J = -1/m sum(Y log A_L + (1 - Y) log(1 - A_L))
    dZ_L = A_L - Y;  dW_l = dZ_l A_(l-1)^T / m;  db_l = sum_j dZ_l[:, j] / m
    dA_(l-1) = W_l^T dZ_l;  dZ_(l-1) = dA_(l-1) * [Z_(l-1) > 0]

(the "sum" convention: dZ carries no 1/m, dW and db do), and the notebook's check,
difference = ||g - n|| / (||g|| + ||n||) with central differences.
"""
import numpy as np


def arrays(notebook, dtype=np.float64):
    X = np.array(notebook["X"], dtype=dtype)
    Y = np.array(notebook["Y"], dtype=dtype)
    parameters = {name: np.array(value, dtype=dtype) for name, value in notebook["parameters"].items()}
    return X, Y, parameters


def layers(parameters):
    return len([name for name in parameters if name.startswith("W")])


def forward(X, Y, parameters):
    """Cost and the list [(Z_l, A_l)] for l = 0..L (Z_0 is None, A_0 = X)."""
    L = layers(parameters)
    A = X
    values = [(None, X)]
    for l in range(1, L + 1):
        Z = parameters["W%d" % l] @ A + parameters["b%d" % l]
        A = 1 / (1 + np.exp(-Z)) if l == L else np.maximum(Z, 0)
        values.append((Z, A))
    m = X.shape[1]
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    return cost, values


def backward(X, Y, parameters, values):
    """Every gradient backward_propagation_n returns: dZ_l, dW_l, db_l, dA_(l-1) (l > 1)."""
    L = layers(parameters)
    m = X.shape[1]
    gradients = {}
    dZ = values[L][1] - Y
    for l in range(L, 0, -1):
        A_previous = values[l - 1][1]
        gradients["dZ%d" % l] = dZ
        gradients["dW%d" % l] = dZ @ A_previous.T / m
        gradients["db%d" % l] = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 1:
            dA = parameters["W%d" % l].T @ dZ
            gradients["dA%d" % (l - 1)] = dA
            dZ = dA * (values[l - 1][0] > 0)
    return gradients


def buggy_backward(X, Y, parameters, values):
    """The notebook's two planted mistakes: dW2 doubled, db1 four times too large (the wrong
    factors are applied where the notebook's lines apply them, so everything else is right)."""
    gradients = backward(X, Y, parameters, values)
    gradients["dW2"] = gradients["dW2"] * 2
    gradients["db1"] = gradients["db1"] * 4
    return gradients


def numerical_difference(X, Y, parameters, gradients, epsilon=1e-7):
    """The notebook's difference over W1, b1, ..., WL, bL, with central differences in float64."""
    L = layers(parameters)
    names = [kind + str(l) for l in range(1, L + 1) for kind in ("W", "b")]
    analytic, numeric = [], []
    for name in names:
        for index in np.ndindex(parameters[name].shape):
            plus = {key: value.astype(np.float64).copy() for key, value in parameters.items()}
            minus = {key: value.astype(np.float64).copy() for key, value in parameters.items()}
            plus[name][index] += epsilon
            minus[name][index] -= epsilon
            numeric.append((forward(X, Y, plus)[0] - forward(X, Y, minus)[0]) / (2 * epsilon))
            analytic.append(float(gradients["d" + name][index]))
    analytic, numeric = np.array(analytic), np.array(numeric)
    return np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
