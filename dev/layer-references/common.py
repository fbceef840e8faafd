"""Shared helpers of the layer reference generators: each generator writes, from the math and
numpy alone (no course code), a layer's inputs, upstream, outputs and gradients as a JSON file in
Tests/Fixtures/layers/, which LayerReferenceTests replays against the Swift layers.

The gradient of f(inputs) = sum(upstream * layer(inputs)) is what every backward returns."""
import json
import os
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "layers")


def rng(seed):
    return np.random.default_rng(seed)


def write(name, layer_type, hyper, inputs, upstream, outputs, gradients, convention="cs231n"):
    """outputs: a list of arrays (one per upstream name; a loss: [scalar]); gradients by name."""
    def listed(value):
        return np.asarray(value, dtype=float).tolist() if not isinstance(value, (int, float)) else float(value)

    body = {
        "type": layer_type,
        "convention": convention,
        "hyper": {k: (listed(v) if isinstance(v, np.ndarray) else v) for k, v in hyper.items()},
        "inputs": {k: listed(v) for k, v in inputs.items()},
        "upstream": {k: listed(v) for k, v in upstream.items()},
        "outputs": [listed(o) for o in outputs],
        "gradients": {k: listed(v) for k, v in gradients.items()},
    }
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(body, f, separators=(",", ":"))
        f.write("\n")


SLIPS = os.path.join(OUT, "..", "layer-slips")


def write_slips(name, slips):
    """Tests/Fixtures/layer-slips/<name>.json: {"slips": [{kind, gradients}]}, each slip's
    gradients from the generator's own backward written with the slip, at the same inputs and
    upstream as the layer fixture `name` (only the gradients the slip changes)."""
    body = {"slips": [{"kind": kind, "gradients": {k: np.asarray(v, dtype=float).tolist() for k, v in g.items()}}
                      for kind, g in slips]}
    os.makedirs(SLIPS, exist_ok=True)
    with open(os.path.join(SLIPS, name + ".json"), "w") as f:
        json.dump(body, f, separators=(",", ":"))
        f.write("\n")
