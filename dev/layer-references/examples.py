"""Writes scripts/examples/layers/*.json, the request bodies of the layer docs, from the numpy
references in Tests/Fixtures/layers (so the examples stay in sync with them):

- <convention>-<type>[-variant].json: a layer check with numpy's own gradients; /gradcheck passes.
- <name>.fails-<gradient>-<kind>.json: the same body with one classic slip planted (the slipped
  gradient numpy wrote to Tests/Fixtures/layer-slips); /gradcheck fails and names <kind> on
  <gradient>.
- cs231n-convnet.json, cs231n-lstm-net.json: network checks (conv -> relu -> max_pool -> affine
  -> softmax; word_embedding -> lstm -> temporal_affine -> temporal_softmax with y and mask).
  Without --server they carry no gradients (the service checks its own backward). With
  --server URL (a local gradcheck-server, e.g. http://127.0.0.1:8080) their gradients are the
  server's /backward, so /gradcheck passes; the conv net's slipped copy is written too.

The verdict each file must get is in its name; Tests/IntegrationTests/LayerExamplesTests.swift
posts every file and holds the service to it.

    python3 dev/layer-references/examples.py [--server http://127.0.0.1:PORT]
"""
import argparse
import json
import os
import urllib.request

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "Tests", "Fixtures")
OUT = os.path.join(HERE, "..", "..", "scripts", "examples", "layers")

# (example name, fixture): one body per layer type of each convention (dlai's pool once per mode,
# max pool once more with tied, overlapping windows).
LAYERS = [
    ("cs231n-affine", "affine"),
    ("cs231n-relu", "relu"),
    ("cs231n-leaky_relu", "leaky_relu"),
    ("cs231n-tanh", "tanh"),
    ("cs231n-sigmoid", "sigmoid"),
    ("cs231n-conv", "conv"),
    ("cs231n-max_pool", "max_pool"),
    ("cs231n-max_pool-ties", "max_pool_ties_overlap"),
    ("cs231n-avg_pool", "avg_pool"),
    ("cs231n-dropout", "dropout"),
    ("cs231n-word_embedding", "word_embedding"),
    ("cs231n-temporal_affine", "temporal_affine"),
    ("cs231n-softmax_loss", "softmax_loss"),
    ("cs231n-svm_loss", "svm_loss"),
    ("cs231n-temporal_softmax_loss", "temporal_softmax_loss"),
    ("cs231n-batchnorm", "batchnorm"),
    ("cs231n-layernorm", "layernorm"),
    ("cs231n-spatial_batchnorm", "spatial_batchnorm"),
    ("cs231n-spatial_groupnorm", "spatial_groupnorm"),
    ("cs231n-rnn_step", "rnn_step"),
    ("cs231n-rnn", "rnn"),
    ("cs231n-lstm_step", "lstm_step"),
    ("cs231n-lstm", "lstm"),
    ("dlai-conv", "dlai_conv"),
    ("dlai-pool-max", "dlai_pool_max"),
    ("dlai-pool-average", "dlai_pool_average"),
    ("dlai-rnn_cell", "dlai_rnn_cell"),
    ("dlai-rnn", "dlai_rnn"),
    ("dlai-lstm_cell", "dlai_lstm_cell"),
    ("dlai-lstm", "dlai_lstm"),
]

# (example name, fixture, index into its layer-slips list, the gradient the file name names).
SLIPS = [
    ("cs231n-conv", "conv", 0, "dw"),                          # flipped_kernel: dw rotated 180 degrees
    ("cs231n-max_pool-ties", "max_pool_ties_overlap", 0, "dx"),  # every_maximum
    ("cs231n-batchnorm", "batchnorm", 0, "dx"),                # missing_norm_terms
    ("cs231n-dropout", "dropout", 3, "dx"),                    # keep_drop_swapped
    ("cs231n-lstm", "lstm", 7, "dWx"),                         # gate_order (dWx, dWh, db)
    ("dlai-conv", "dlai_conv", 0, "dW"),                       # flipped_kernel
]


def load(path):
    with open(path) as f:
        return json.load(f)


def save(name, body):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(body, f)
        f.write("\n")


def layer_body(fixture, gradients=None):
    d = load(os.path.join(FIXTURES, "layers", fixture + ".json"))
    body = {"convention": d["convention"], "layer": dict(type=d["type"], **d["hyper"]), "inputs": d["inputs"]}
    if d["upstream"]:
        body["upstream"] = d["upstream"]
    body["gradients"] = dict(d["gradients"], **(gradients or {}))
    return body


def sigmoid_loss_body():
    """No fixture has sigmoid_loss (the networks' "loss": "sigmoid"); its gradient is one line."""
    r = np.random.default_rng(2026)
    x = np.round(r.standard_normal((4, 3)), 3)
    y = r.integers(0, 2, (4, 3)).astype(float)
    dx = (1 / (1 + np.exp(-x)) - y) / x.shape[0]
    return {"convention": "cs231n", "layer": {"type": "sigmoid_loss"}, "inputs": {"x": x.tolist(), "y": y.tolist()},
            "gradients": {"dx": dx.tolist()}}


def rounded(r, shape, scale=1.0):
    return (np.round(r.standard_normal(shape) * scale, 3)).tolist()


def convnet_body():
    r = np.random.default_rng(231)
    return {
        "convention": "cs231n",
        "X": rounded(r, (2, 2, 6, 6)),
        "y": [1, 3],
        "layers": [
            {"name": "conv1", "type": "conv", "stride": 1, "pad": 1,
             "params": {"w": rounded(r, (3, 2, 3, 3), 0.3), "b": rounded(r, (3,), 0.1)}},
            {"name": "relu1", "type": "relu"},
            {"name": "pool1", "type": "max_pool", "pool_height": 2, "pool_width": 2, "stride": 2},
            {"name": "fc", "type": "affine", "params": {"w": rounded(r, (27, 4), 0.2), "b": rounded(r, (4,), 0.1)}},
        ],
        "loss": "softmax",
        "reg": 0.1,
    }


def lstm_net_body():
    r = np.random.default_rng(2312)
    n, t, v, d, h = 2, 4, 6, 4, 5
    return {
        "convention": "cs231n",
        "X": r.integers(0, v, (n, t)).tolist(),
        "y": r.integers(0, v, (n, t)).tolist(),
        "mask": [[1, 1, 1, 0], [1, 1, 0, 0]],
        "layers": [
            {"name": "embed", "type": "word_embedding", "params": {"W": rounded(r, (v, d))}},
            {"name": "lstm", "type": "lstm",
             "params": {"h0": rounded(r, (n, h), 0.5), "Wx": rounded(r, (d, 4 * h), 0.3),
                        "Wh": rounded(r, (h, 4 * h), 0.3), "b": rounded(r, (4 * h,), 0.1)}},
            {"name": "scores", "type": "temporal_affine", "params": {"w": rounded(r, (h, v), 0.5), "b": rounded(r, (v,), 0.1)}},
        ],
        "loss": "temporal_softmax",
    }


def server_gradients(server, body):
    request = urllib.request.Request(server.rstrip("/") + "/backward", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)["gradients"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", help="a local gradcheck-server whose /backward fills the networks' gradients")
    server = parser.parse_args().server
    if server and not server.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("--server must be a local server (http://127.0.0.1:PORT)")

    for name, fixture in LAYERS:
        save(name, layer_body(fixture))
    save("cs231n-sigmoid_loss", sigmoid_loss_body())

    for name, fixture, index, gradient in SLIPS:
        listed = load(os.path.join(FIXTURES, "layer-slips", fixture + ".json"))
        slip = (listed["slips"] if isinstance(listed, dict) else listed)[index]
        assert gradient in slip["gradients"], (fixture, index, gradient)
        save(f"{name}.fails-{gradient}-{slip['kind']}", layer_body(fixture, slip["gradients"]))

    convnet, lstm_net = convnet_body(), lstm_net_body()
    if server:
        convnet["gradients"] = server_gradients(server, convnet)
        lstm_net["gradients"] = server_gradients(server, lstm_net)
        # conv1's dw rotated by 180 degrees (the L2 term reg * w kept right): the first wrong step.
        slipped = json.loads(json.dumps(convnet))
        w = np.array(convnet["layers"][0]["params"]["w"])
        dw = np.array(convnet["gradients"]["conv1"]["dw"]) - convnet["reg"] * w
        slipped["gradients"]["conv1"]["dw"] = (dw[:, :, ::-1, ::-1] + convnet["reg"] * w).tolist()
        save("cs231n-convnet.fails-conv1.dw-flipped_kernel", slipped)
    save("cs231n-convnet", convnet)
    save("cs231n-lstm-net", lstm_net)


if __name__ == "__main__":
    main()
