#!/usr/bin/env python3
# Usage: python3 dev/generate-openapi.py > Sources/GradCheckService/Generated/OpenAPIDocument.swift
#        python3 dev/generate-openapi.py --docs (or --check-docs): the request-field tables in docs/
import json
import os
import re
import sys
# The API's choices, each spelled once here; OpenAPIDocumentTests holds them (and the request
# fields) equal to the Swift enums' allCases: DifferenceMethod, GradientCheckOptions.Mode.Kind,
# Precision, Activation, OutputLayer, RequestField, ShardField.
methods = ["central", "complex-step"]
modes = ["full", "sample", "directional"]
dtypes = ["float64", "float32", "float16", "bfloat16"]
activations = ["relu", "tanh", "sigmoid", "leaky_relu"]
outputs = ["sigmoid", "softmax"]
# Layer bodies: LayerConvention, LayerCatalog.names(convention), NetworkLoss, LayerSlipKind.
conventions = ["cs231n", "dlai"]
layer_types = {
    "cs231n": ["affine", "relu", "leaky_relu", "tanh", "sigmoid", "sigmoid_loss", "rnn_step", "rnn", "lstm_step", "lstm",
               "conv", "max_pool", "avg_pool", "dropout", "word_embedding", "temporal_affine", "softmax_loss", "svm_loss",
               "temporal_softmax_loss", "batchnorm", "layernorm", "spatial_batchnorm", "spatial_groupnorm"],
    "dlai": ["rnn_cell", "rnn", "lstm_cell", "lstm", "conv", "pool"],
}
losses = ["softmax", "svm", "sigmoid", "temporal_softmax"]
layer_slip_kinds = ["scaled", "sign_flipped", "transposed", "wrong_axis", "flipped_kernel", "padding_not_removed", "stride_ignored", "unpadded_input", "every_maximum", "overwritten", "missing_norm_terms", "bessel_mismatch", "eps_misplaced", "gamma_factored_out", "mask_not_applied", "keep_drop_swapped", "upstream_not_added", "wrong_activation_derivative", "gate_order", "missing_path", "mask_ignored", "missing_l2", "zero", "wrong_entries", "unexplained"]
matrix = {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 1, "items": {"type": "number"}},
          "description": "Row-major nested list of numbers, as numpy's .tolist() gives; all rows the same length."}
vector_or_matrix = {"oneOf": [{"$ref": "#/components/schemas/Matrix"},
                              {"type": "array", "minItems": 1, "items": {"type": "number"}}],
                    "description": "A matrix, or a flat list of numbers (one row for Y, one column for a bias)."}
common_check = {
    "epsilon": {"type": "number", "exclusiveMinimum": True, "minimum": 0, "description": "Step of the numerical derivative: 1e-12 to 0.1 for central, 1e-300 to 1e-8 for complex-step (422 outside)."},
    "threshold": {"type": "number", "exclusiveMinimum": True, "minimum": 0, "default": 1e-7, "description": "Largest difference that passes, > 0."},
    "method": {"type": "string", "enum": methods, "default": "central",
               "description": "`central` (the notebook's formula, (J(theta+eps) - J(theta-eps)) / (2 eps)) or `complex-step` (Im J(theta + i h) / h, exact to rounding)."},
}
network = {
    "type": "object", "additionalProperties": False, "required": ["X", "Y", "parameters"],
    "properties": {
        "X": {"allOf": [{"$ref": "#/components/schemas/Matrix"}], "description": "n0 x m inputs, one column per example."},
        "Y": {"allOf": [{"$ref": "#/components/schemas/MatrixOrVector"}], "description": "1 x m labels in [0, 1] (sigmoid), or nL x m columns that are distributions: non-negative, summing to 1 within 1e-9 (softmax). A flat list is one row."},
        "parameters": {"type": "object", "minProperties": 1, "additionalProperties": {"$ref": "#/components/schemas/MatrixOrVector"},
                       "description": "`W1`, `b1`, ..., `WL`, `bL`: `Wl` is n_l x n_{l-1}, `bl` is n_l x 1 (a flat list is one column). L is read from the keys; shapes are checked against each other, `X` and `Y`."},
        "activation": {"type": "string", "enum": activations, "default": "relu", "description": "Hidden layers: `relu`, `tanh`, `sigmoid`, `leaky_relu` (slope 0.01)."},
        "output": {"type": "string", "enum": outputs, "default": "sigmoid", "description": "`sigmoid` (binary cross-entropy) or `softmax` (cross-entropy)."},
        "lambd": {"type": "number", "minimum": 0, "default": 0, "description": "L2 regularisation, >= 0: cost += lambd/(2m) * sum of squared weights."},
        "gradients": {"type": "object", "minProperties": 1, "additionalProperties": {"$ref": "#/components/schemas/MatrixOrVector"},
                      "description": "`/gradcheck` only: your `dW1`, `db1`, ..., and any of `dZ1`...`dZL`, `dA0`...`dA(L-1)` (`dAL` for a sigmoid output) shaped like Z_l / A_l: the whole dict the course's `backward_propagation_n` returns. Intermediates are checked numerically, their convention (sum or mean) is detected, and the answer names the root causes. Without it the service checks its own backward."},
        **common_check,
        "mode": {"type": "string", "enum": modes, "default": "full",
                 "description": "`full` (every coordinate), `sample` (`samples` coordinates, stratified over the tensors), `directional` (`directions` random unit directions)."},
        "samples": {"type": "integer", "minimum": 1, "maximum": 100000000, "default": 100, "description": "Coordinates checked by `mode: \"sample\"` (1 to 1e8; the price decides how many fit). Refused with another mode."},
        "directions": {"type": "integer", "minimum": 1, "maximum": 100000000, "default": 8, "description": "Random directions of `mode: \"directional\"` (1 to 1e8; the price decides; the answer lists the first 1,000). Refused with another mode."},
        "seed": {"type": "integer", "minimum": 0, "maximum": 9007199254740992, "default": 0, "description": "Seed of the `sample`/`directional` draws (0 to 2^53): same seed, same draws. Refused with `mode: \"full\"`."},
        "only": {"type": "array", "minItems": 1, "maxItems": 1024, "items": {"type": "string", "minLength": 1, "maxLength": 64},
                 "description": "Check only these tensors: names or `*` patterns, e.g. `[\"W2\", \"b*\"]`, in every mode; at most 1024 of at most 64 bytes (422 beyond), matched without backtracking, priced against `--max-work` (patterns with `*` x tensors) with the check, and stopped when the client leaves."},
        "dtype": {"type": "string", "enum": dtypes, "default": "float64",
                  "description": "The precision your forward and backward ran in: `float64`, `float32`, `float16`, `bfloat16`. It sets the rounding floor: a difference within what that rounding explains passes."},
        "shard": {"type": "object", "additionalProperties": False, "required": ["index", "count"],
                  "properties": {"index": {"type": "integer", "minimum": 0, "maximum": 1023}, "count": {"type": "integer", "minimum": 1, "maximum": 1024}},
                  "description": "`{\"index\": i, \"count\": n}`, `/gradcheck` with mode full only: check part i of n deterministic, cost-balanced parts of the coordinates and answer a partial result (`ShardPartial`, application/json only) for `POST /gradcheck/merge`. index < count."},
    },
}
num = {"type": "number"}
pair = {"type": "array", "minItems": 3, "maxItems": 3, "items": {"type": "number"}, "description": "A scaled compensated sum (LAPACK dlassq's scaling): [scale, sum, compensation], worth scale^2 x (sum + compensation); scale is 0 or a power of two."}
tensor_partial = {
    "type": "object", "additionalProperties": False,
    "required": ["checked", "compared", "sums", "worst", "max_relative_error", "excess_relative_error", "distinguishable", "kinks"],
    "properties": {
        "checked": {"type": "integer", "minimum": 0}, "compared": {"type": "integer", "minimum": 0},
        "sums": {"type": "object", "additionalProperties": False,
                 "required": ["analytic_squares", "numeric_squares", "difference_squares", "products", "floor_error_squares"],
                 "properties": {k: pair for k in ["analytic_squares", "numeric_squares", "difference_squares", "products", "floor_error_squares"]},
                 "description": "Over this shard's compared entries of the tensor: sums of a^2, n^2, (a - n)^2, a n and the rounding model's error^2."},
        "worst": {"type": "object", "nullable": True, "additionalProperties": False, "required": ["row", "col", "analytic", "numeric"],
                  "properties": {"row": {"type": "integer", "minimum": 0}, "col": {"type": "integer", "minimum": 0}, "analytic": num, "numeric": num}},
        "max_relative_error": {"type": "number"},
        "excess_relative_error": {"type": "number", "description": "The largest relative error rounding does not explain (the tensor's band)."},
        "distinguishable": {"type": "integer", "minimum": 0, "description": "Compared entries above the absolute floor (none: the tensor is inconclusive)."},
        "kinks": {"type": "object", "additionalProperties": False, "required": ["count", "subgradient_checked", "examples"],
                  "properties": {"count": {"type": "integer", "minimum": 0}, "subgradient_checked": {"type": "integer", "minimum": 0},
                                 "examples": {"type": "array", "maxItems": 5, "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "integer", "minimum": 0}}}}},
    },
}
shard_partial = {
    "type": "object", "additionalProperties": False,
    "required": ["partial", "shard", "fingerprint", "epsilon", "threshold", "method", "method_used", "dtype", "checked",
                 "cost_evaluations", "seconds", "float32_gradients", "notes_before", "notes_after", "parameters"],
    "description": "The answer of /gradcheck with shard: one part's sums, worst entries and kinks, to be merged by POST /gradcheck/merge. Root causes and intermediates are not checked in sharded mode.",
    "properties": {
        "partial": {"type": "boolean", "enum": [True]},
        "shard": {"type": "object", "required": ["index", "count"], "properties": {"index": {"type": "integer"}, "count": {"type": "integer"}}},
        "fingerprint": {"type": "string", "description": "Hash of the network, data, gradients and options: the same in every shard of one check."},
        "epsilon": num, "threshold": num,
        "method": {"type": "string", "enum": methods}, "method_used": {"type": "string", "enum": methods},
        "dtype": {"type": "string", "enum": dtypes},
        "checked": {"type": "integer"}, "cost_evaluations": {"type": "integer"}, "seconds": num,
        "float32_gradients": {"type": "boolean"},
        "notes_before": {"type": "array", "items": {"type": "string"}}, "notes_after": {"type": "array", "items": {"type": "string"}},
        "parameters": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/TensorPartial"}},
        "signature": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "HMAC-SHA256 (hex) over the partial's canonical bytes, under the key the replicas share (--shard-key-file); absent when the server has none."},
    },
}
scalar = {
    "type": "object", "additionalProperties": False, "required": ["x", "theta"],
    "description": "The notebook's one-dimensional case J(theta) = theta * x.",
    "properties": {
        "x": {"type": "number", "description": "J = theta * x: the input."}, "theta": {"type": "number", "description": "J = theta * x: the parameter checked."},
        "dtheta": {"type": "number", "description": "`/gradcheck` only: your dJ/dtheta; without it the service's (`x`) is checked."},
        **common_check,
    },
}
ndarray = {"description": "A number, or a nested list of numbers of any rank (numpy's .tolist() of an ndarray), rectangular at every level.",
           "oneOf": [{"type": "number"}, {"type": "array", "minItems": 1, "items": {}}]}
named_arrays = {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/NDArray"}}
layer_type_list = sorted(set(layer_types["cs231n"] + layer_types["dlai"]))
layer_request = {
    "type": "object", "additionalProperties": False, "required": ["layer", "inputs"],
    "description": "A layer check: one layer function, like CS231n's notebooks check with eval_numerical_gradient_array. The checked function is f(inputs) = sum(upstream * layer(inputs)) (a loss: the loss itself), so /backward returns exactly what the layer's backward must return and /forward the layer's outputs. The layer types of each convention, their arguments, hyper-parameters and gradients are listed in docs/layers.md.",
    "properties": {
        "convention": {"type": "string", "enum": conventions, "default": "cs231n",
                       "description": "`cs231n` or `dlai`: whose names and layouts the body uses. cs231n: CS231n's layers.py and rnn_layers.py (NCHW, x @ w, LSTM gates i, f, o, g, dropout p = keep probability). dlai: the deeplearning.ai Step by Step notebooks' names and layouts."},
        "layer": {"type": "object", "required": ["type"], "additionalProperties": True,
                  "properties": {"type": {"type": "string", "enum": layer_type_list, "description": "cs231n: " + ", ".join(layer_types["cs231n"]) + (". dlai: " + ", ".join(layer_types["dlai"]) if layer_types["dlai"] else "")}},
                  "description": "`type` and the layer's hyper-parameters, side by side (stride, pad, pool_height, eps, batch norm's ddof, p and dropout's mask, G, alpha, f, mode). A hyper-parameter the type does not take is a 422 that lists the ones it does take."},
        "inputs": {"allOf": [named_arrays], "description": "The layer function's array arguments by the convention's names (x, w, b; A_prev, W, b): inputs and parameters alike. Every argument must be there, and a name the layer does not take is a 422 that lists the ones it does take. Integer arguments (embedding indices, labels, temporal softmax's `mask`) must hold whole numbers; they are never perturbed and have no gradient."},
        "upstream": {"allOf": [named_arrays], "description": "The gradient that flows into the backward, one array per output (`dout`; `dnext_h` and `dnext_c` for an LSTM step; `dZ`, `dA`, `da_next`). When absent, it is drawn from a standard normal seeded by `seed` (never all ones: an all-ones upstream makes batch norm's `dx` exactly zero and hides mistakes), and the answer says so. A loss has no upstream: sending one is a 422."},
        "gradients": {"allOf": [named_arrays], "description": "`/gradcheck` only: your backward's results by gradient name (dx, dw, db; dA_prev, dW, db). Only the gradients sent are checked, and the answer's `notes` lists the rest as \"not sent, so not checked\". Without it, `/gradcheck` checks the service's own backward."},
        "epsilon": {"type": "number", "exclusiveMinimum": True, "minimum": 0, "default": 1e-7, "description": "The central difference's step."},
        "threshold": {"type": "number", "exclusiveMinimum": True, "minimum": 0, "default": 1e-7, "description": "The notebook's threshold on `difference` (the rounding floor may allow more)."},
        "seed": {"type": "integer", "minimum": 0, "maximum": 9007199254740992, "default": 0, "description": "Seeds the drawn upstream (0 to 2^53)."},
        "dtype": {"type": "string", "enum": dtypes, "default": "float64",
                  "description": "The precision your backward ran in: each entry may then be off by a few of its roundoffs (and its subnormal spacing) beyond the central differences' own rounding."},
    },
}
layer_network_request = {
    "type": "object", "additionalProperties": False, "required": ["X", "y", "layers"],
    "description": "A network check: named layers in order, ending in a loss. The checked function is the loss plus CS231n's 0.5 * reg * sum(w**2) over every parameter named w or W.",
    "properties": {
        "convention": layer_request["properties"]["convention"],
        "X": {"allOf": [{"$ref": "#/components/schemas/NDArray"}], "description": "The first layer's input. It holds integers when the first layer is `word_embedding`."},
        "y": {"allOf": [{"$ref": "#/components/schemas/NDArray"}], "description": "The loss's labels: (N) class indices for `softmax` and `svm`, 0/1 (or in [0, 1]) of the scores' shape for `sigmoid`, (N, T) for `temporal_softmax`."},
        "mask": {"allOf": [{"$ref": "#/components/schemas/NDArray"}], "description": "(N, T) 0/1, only with `temporal_softmax`: which steps count. All ones when absent."},
        "layers": {"type": "array", "minItems": 1, "maxItems": 256,
                   "description": "1 to 256 layers in order. Each has a `type` of the convention, its hyper-parameters beside `type`, and its `params` (every argument except the one the previous layer feeds: `x`, or `A_prev` in dlai's conv and pool). `name` is optional: it defaults to the type followed by the layer's 1-based position (`affine1`, `relu2`), must be unique, 1 to 64 characters long and contain no dot. A loss type cannot be a layer. A recurrent layer's `h0` (`a0`) is one of its `params`.",
                   "items": {"type": "object", "required": ["type"], "additionalProperties": True,
                             "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 64, "description": "Unique, without a dot; default type + position (affine1)."},
                                            "type": layer_request["properties"]["layer"]["properties"]["type"],
                                            "params": {"allOf": [named_arrays], "description": "Every argument but the data input, which is the previous layer's output (X for the first)."}},
                             "description": "A layer: name, type, hyper-parameters (as in a layer check's layer object) and params."}},
        "loss": {"type": "string", "enum": losses, "default": "softmax", "description": "`softmax` (`softmax_loss`, `y` (N) integer labels), `svm` (`svm_loss`), `sigmoid` (`sigmoid_loss`: `y` has as many entries as the scores, each in [0, 1]), or `temporal_softmax` (`temporal_softmax_loss`: `y` (N, T), summed over the masked steps, divided by N). The losses are CS231n's in both conventions, so the last layer's output must have the layout the loss reads; the dlai convention has no affine (flattening) layer, so a dlai network whose output is not (N, C) can only end in `sigmoid`."},
        "reg": {"type": "number", "minimum": 0, "default": 0, "description": "CS231n's L2 term `0.5 * reg * sum(w**2)`, added to the loss, over every parameter named `w` or `W` (not `Wx`, `Wh`, `Wf`, ...); >= 0."},
        "gradients": {"type": "object", "additionalProperties": {"allOf": [named_arrays]},
                      "description": "`/gradcheck` only: keyed by layer name, then gradient name (`{\"conv1\": {\"dw\": ...}}`). A `dw`/`dW` must include the L2 term `reg * w`. A layer's input gradient (`dx`, `dA_prev`) is optional; when sent it is checked as an intermediate, so the answer can say which layer's backward is the first wrong one. An unknown layer name, an unknown gradient name or a wrong shape is a 422. Without it, the service's own backward is checked."},
        "epsilon": layer_request["properties"]["epsilon"],
        "threshold": layer_request["properties"]["threshold"],
        "dtype": layer_request["properties"]["dtype"],
    },
}
gradient_verdict = {
    "type": "object", "required": ["difference", "passed", "inconclusive", "rel_error", "band", "checked"],
    "properties": {
        "difference": {"type": "number", "description": "||a - n|| / (||a|| + ||n||) over this gradient."},
        "passed": {"type": "boolean"},
        "inconclusive": {"type": "boolean", "description": "Rounding at this epsilon is as large as the gradient: no verdict is earned."},
        "rel_error": {"type": "number", "description": "CS231n's rel_error: max |a - n| / max(1e-8, |a| + |n|)."},
        "band": {"type": "string", "enum": ["good", "acceptable with kinks", "uncomfortable", "wrong"]},
        "floor": {"type": "number", "description": "The difference rounding alone can produce here."},
        "shape": {"type": "array", "items": {"type": "integer"}},
        "checked": {"type": "integer"}, "kinks": {"type": "integer", "description": "Entries at a kink, checked as subgradients."},
        "tied_groups": {"type": "integer", "description": "Tied max-pool windows, checked jointly."},
        "worst": {"type": "object", "nullable": True, "properties": {"index": {"type": "array", "items": {"type": "integer"}}, "analytic": num, "numeric": num}},
        "wrong_count": {"type": "integer"},
        "wrong_entries": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}, "description": "The first 20 wrong entries' indices."},
    },
}
layer_root_cause = {
    "type": "object", "required": ["gradient", "kind", "message"],
    "properties": {
        "gradient": {"type": "string", "example": "conv1.dw"},
        "kind": {"type": "string", "enum": layer_slip_kinds},
        "factor": {"type": "number", "nullable": True},
        "entries": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
        "message": {"type": "string", "example": "conv1.dw: dw is rotated by 180 degrees: the cross-correlation's arguments are swapped"},
    },
}
layer_check_resp = {
    "type": "object", "required": ["difference", "passed", "inconclusive", "message", "epsilon", "threshold", "gradients", "failed", "root_causes"],
    "description": "A layer or network check's answer. Gradients are named plainly in a layer check (dx) and layer.name in a network check (conv1.dw).",
    "properties": {
        "difference": {"type": "number"}, "passed": {"type": "boolean"},
        "inconclusive": {"type": "boolean", "description": "No gradient failed but some could not be judged: passed is false and message says why and what works."},
        "message": {"type": "string"}, "epsilon": num, "threshold": num,
        "layer": {"type": "string"}, "convention": {"type": "string", "enum": conventions}, "loss": {"type": "string", "enum": losses},
        "upstream": {"type": "object", "properties": {"drawn": {"type": "boolean"}, "seed": {"type": "integer"}, "note": {"type": "string"}}},
        "checked": {"type": "integer"}, "kinks": {"type": "integer"}, "cost_evaluations": {"type": "integer"}, "seconds": num,
        "failed": {"type": "array", "items": {"type": "string"}},
        "gradients": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/GradientVerdict"}},
        "root_causes": {"type": "array", "items": {"$ref": "#/components/schemas/LayerRootCause"}},
        "propagated": {"type": "array", "items": {"type": "string"}},
        "notes": {"type": "array", "items": {"type": "string"}},
    },
}
problem = {
    "type": "object", "required": ["type", "title", "status", "detail"],
    "description": "RFC 9457 problem details, served as application/problem+json.",
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string", "example": "Unprocessable Content"},
        "status": {"type": "integer", "example": 422},
        "detail": {"type": "string", "example": "parameters.W2: row 3 has 4 entries, row 1 has 5 (rows must all be the same length)"},
        "field": {"type": "string", "description": "The offending field path, when one field is to blame.", "example": "parameters.W2"},
        "offset": {"type": "integer", "description": "Byte offset of a JSON syntax error in the body."},
        "request_id": {"type": "string", "description": "The answer's X-Request-Id, to find the request in the access log.", "example": "3f0c9a1e2b4d5c6e7f8091a2b3c4d5e6"},
    },
}
gradients_obj = {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Matrix"}, "description": "dW1, db1, ..., dWL, dbL, each the shape of its parameter."}
num = {"type": "number"}
per_param = {
    "type": "object", "required": ["difference", "passed", "checked", "worst", "ratio", "diagnosis", "kinks"],
    "properties": {
        "difference": {"type": "number", "description": "||grad - gradapprox|| / (||grad|| + ||gradapprox||) over this tensor's checked, kink-free coordinates, on the tensor's own scale; 0 when both are exactly zero."},
        "passed": {"type": "boolean", "description": "False when inconclusive."},
        "inconclusive": {"type": "boolean", "description": "The numbers cannot decide for this tensor: every entry is at or below the absolute floor of the dtype (its subnormal spacing, or 2^-1074 / epsilon), none was compared, or its difference is above the threshold and its floor lets a wrong gradient pass (10 x floor >= 1/2). Never passed."},
        "checked": {"type": "integer", "description": "Entries compared (kinks included)."},
        "worst": {"type": "object", "nullable": True, "description": "The entry where analytic and numeric disagree most.",
                  "properties": {"row": {"type": "integer"}, "col": {"type": "integer"}, "analytic": num, "numeric": num}},
        "ratio": {"type": "number", "nullable": True, "description": "analytic / numeric when it is the same across the tensor (2 when dW2 is doubled)."},
        "diagnosis": {"type": "string", "nullable": True, "example": "dW2 is 2.000 times the numerical gradient"},
        "floor": {"type": "number", "description": "The difference rounding alone can produce in this tensor at the caller's dtype."},
        "max_relative_error": {"type": "number", "description": "CS231n's per-entry form: max |a - n| / max(|a|, |n|)."},
        "band": {"type": "string", "enum": ["good", "acceptable with kinks", "uncomfortable", "wrong"], "description": "CS231n's band for the largest relative error rounding does not explain (|a - n| less 10x the entry's rounding estimate, over max(|a|, |n|)); a tensor in band wrong never passes."},
        "kinks": {"type": "object", "description": "ReLU/leaky-ReLU coordinates whose perturbation crosses a kink: checked as subgradients (between the one-sided quotients) when the engine gives them, else left out of the verdict.",
                  "properties": {"count": {"type": "integer"}, "subgradient_checked": {"type": "integer"},
                                 "examples": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}}},
    },
}
direction = {"type": "object", "properties": {"analytic": num, "numeric": num, "crosses_kink": {"type": "boolean"}}}
root_cause = {
    "type": "object", "required": ["gradient", "layer", "kind", "message", "inferred"],
    "description": "A step of the caller's backward that is wrong while everything it is computed from is right.",
    "properties": {
        "gradient": {"type": "string", "example": "dW2"},
        "layer": {"type": "integer", "example": 2},
        "kind": {"type": "string", "enum": ["scaled", "sign_flipped", "zero", "transposed", "missing_l2", "l2_scaled", "l2_on_bias",
                                            "wrong_axis", "wrong_layer", "wrong_activation_derivative", "wrong_entries", "unexplained"]},
        "factor": {"type": "number", "description": "scaled, sign_flipped (-1) and l2_scaled only.", "example": 2},
        "entries": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}, "description": "wrong_entries only: [row, col] of the wrong entries."},
        "message": {"type": "string", "example": "dZ2 and A1 are right but dW2 is 2 times the right value: the line that computes dW2 multiplies by 2"},
        "inferred": {"type": "boolean", "description": "The gradient was not sent: the mistake is located from the ones that were."},
    },
}
gradcheck_resp = {
    "type": "object", "required": ["difference", "passed", "message", "epsilon", "threshold", "method"],
    "properties": {
        "difference": {"type": "number", "example": 0.2850931567761623},
        "passed": {"type": "boolean", "example": False},
        "inconclusive": {"type": "boolean", "example": False, "description": "Network checks only: the numbers cannot decide (passed is then false): every coordinate crossed a kink, or the difference is above the threshold and rounding explains as much for a wrong gradient (10 x floor >= 1/2, e.g. outputs saturated at their labels). The message says why and what works."},
        "message": {"type": "string", "example": "There is a mistake in the backward propagation! difference = 0.2850931567761623"},
        "epsilon": {"type": "number", "example": 1e-7},
        "threshold": {"type": "number", "example": 1e-7},
        "method": {"type": "string", "enum": methods, "description": "The method used."},
        "mode": {"type": "string", "enum": modes},
        "dtype": {"type": "string", "enum": dtypes},
        "floor": {"type": "number", "description": "The difference rounding alone can produce at dtype (see docs/api.md, precision section)."},
        "explanation": {"type": "string", "description": "Which rule decided the verdict: the threshold, the rounding floor, a tensor wrong on its own scale, or why the numbers cannot decide."},
        "checked": {"type": "integer", "description": "Coordinates (or directions) compared."},
        "kinks": {"type": "integer", "description": "How many of those were left out because they cross a ReLU kink."},
        "cost_evaluations": {"type": "integer", "description": "Cost evaluations the numerical side used."},
        "seconds": {"type": "number", "description": "Time the check took."},
        "failed": {"type": "array", "items": {"type": "string"}, "example": ["b1", "W2"], "description": "Parameters that failed (not those that are inconclusive)."},
        "parameters": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/ParameterCheck"},
                       "description": "Per-parameter report, keyed W1, b1, ... (empty in directional mode)."},
        "directions": {"type": "array", "items": direction, "description": "Directional mode only: one entry per direction (the first 1,000)."},
        "convention": {"type": "string", "enum": ["sum", "mean"], "nullable": True, "description": "The convention the caller's intermediates follow (null when none were sent)."},
        "intermediates": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/ParameterCheck"},
                          "description": "The caller's dZ_l and dA_l, checked numerically, keyed dZ3, dA2, ..."},
        "root_causes": {"type": "array", "items": root_cause, "description": "The first wrong steps of the caller's backward (empty when everything is right)."},
        "propagated": {"type": "array", "items": {"type": "string"}, "example": ["dW1", "db1"], "description": "Gradients the caller sent that are wrong only because an input is."},
        "notes": {"type": "array", "items": {"type": "string"}, "description": "Kinks left out, method fallbacks."},
        "verified": {"type": "boolean", "description": "Merged answers only: every partial carried a valid HMAC-SHA256 signature under the fleet's shard key (false: the server has no key, and the partials were trusted as sent)."},
        "verification": {"type": "string", "description": "Merged answers only: why verified is what it is."},
        "dtheta": {"type": "number", "description": "Scalar body only: the gradient checked."},
        "gradapprox": {"type": "number", "description": "Scalar body only: the numerical gradient."},
    },
}
forward_resp = {"oneOf": [
    {"type": "object", "required": ["outputs"], "description": "A layer check: the layer's outputs by name (out; next_h, next_c).", "properties": {"outputs": {"type": "object"}}},
    {"type": "object", "required": ["loss"], "description": "A loss layer's value, or a network's loss (with the L2 term) and scores.", "properties": {"loss": {"type": "number"}, "scores": {"$ref": "#/components/schemas/NDArray"}}},
    {"type": "object", "required": ["cost", "AL"], "properties": {"cost": {"type": "number", "example": 2.407833389834357}, "AL": {"$ref": "#/components/schemas/Matrix"}}},
    {"type": "object", "required": ["J"], "properties": {"J": {"type": "number", "example": 8}}},
]}
backward_resp = {"oneOf": [
    {"type": "object", "required": ["gradients"], "not": {"required": ["cost"]}, "description": "A layer check (by gradient name) or a network (loss, and by layer name then gradient name).", "properties": {"gradients": {"type": "object"}, "loss": {"type": "number"}, "upstream": {"type": "object"}}},
    {"type": "object", "required": ["cost", "gradients"], "properties": {"cost": {"type": "number"}, "gradients": {"$ref": "#/components/schemas/Gradients"}}},
    {"type": "object", "required": ["dtheta"], "properties": {"dtheta": {"type": "number", "example": 2}}},
]}
def problem_responses():
    ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {
        "400": {"description": "The body is not JSON the service can read (syntax, invalid UTF-8, trailing garbage, NaN/Infinity literals, nesting too deep, empty body).", "content": ref},
        "413": {"description": "The body is larger than the server's limit (raw chunked bytes included), or than its whole memory budget.", "content": ref},
        "415": {"description": "The body has a Content-Encoding (gzip, br, ...): send it uncompressed (the answer carries Accept-Encoding: identity).", "content": ref},
        "422": {"description": "JSON, but a field is missing, of the wrong type, ragged, out of range, unknown, or shapes do not match; labels the loss is not defined for; an epsilon outside the method's range; a result that is not finite; or the work is priced over the compute or memory budget.", "content": ref},
        "503": {"description": "The server is draining or at capacity, its memory budget is held by other requests (Retry-After), or a check ran past the time its price allows and was stopped.", "content": ref},
    }
request_body = {"required": True, "description": "Any Content-Type is read as JSON (curl -d sends application/x-www-form-urlencoded).",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Request"}}}}
def op(op_id, summary, schema):
    return {"post": {"operationId": op_id, "summary": summary, "requestBody": request_body,
                     "responses": {"200": {"description": "The result.", "content": {"application/json": {"schema": schema}}}, **problem_responses()}}}
gradcheck_op = op("gradcheck", "Compares gradients (yours, or the service's backward) with numerical ones: difference = ||grad - gradapprox|| / (||grad|| + ||gradapprox||).",
                  {"$ref": "#/components/schemas/GradcheckResult"})
gradcheck_op["post"]["description"] = ("The representation follows the Accept header (q-values honoured; every answer carries Vary: Accept): "
    "application/json, */* or no Accept give the JSON result; text/html a self-contained HTML report (verdict, root causes, and per tensor a heatmap of each entry's "
    "relative error |g - n| / (|g| + |n|) on a log scale, wrong entries outlined, kinks marked, a tooltip per cell; tensors with a side over 170 entries are drawn in "
    "blocks showing each block's worst entry); image/svg+xml the heatmaps alone as one SVG; application/vnd.gradescope+json Gradescope's autograder results; application/x-ndjson streams progress lines, then the JSON result. Anything else is 406. Errors are application/problem+json whatever was asked for.")
gradcheck_op["post"]["responses"]["200"]["content"]["application/json"]["schema"] = {
    "anyOf": [{"$ref": "#/components/schemas/GradcheckResult"}, {"$ref": "#/components/schemas/ShardPartial"}, {"$ref": "#/components/schemas/LayerCheckResult"}],
    "description": "The result; with shard, the shard's partial result."}
merge_op = {"post": {"operationId": "gradcheckMerge",
                     "summary": "Merges the partial answers of every shard of one full check into the answer /gradcheck gives unsharded: the same verdict, per-tensor verdicts, worst entries and kinks, the difference equal within 1e-12 relative.",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "additionalProperties": False, "required": ["shards"],
                         "properties": {"shards": {"type": "array", "minItems": 1, "maxItems": 1024, "items": {"$ref": "#/components/schemas/ShardPartial"},
                                                   "description": "Every shard index 0..count-1 exactly once, in any order, all with the same fingerprint."}}}}}},
                     "responses": {"200": {"description": "The merged result.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GradcheckResult"}}}},
                                   **problem_responses()}}}
merge_op["post"]["responses"]["406"] = {"description": "The Accept header does not take application/json, the only format the merge answers.",
                                        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
merge_op["post"]["responses"]["422"] = {"description": "A partial answer is malformed, a shard index is missing or repeated, or the shards come from different networks or options (the detail names which).",
                                        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
gradcheck_op["post"]["responses"]["200"]["content"].update({
    "application/x-ndjson": {"schema": {"type": "string", "description": "Streamed with chunked transfer coding: a line {\"progress\": {\"done\": k, \"total\": n, \"seconds\": s, \"eta_seconds\": e}} at least once a second while the check runs, then the JSON result as the last line; a check that fails after the stream began ends it with its problem object (type, title, status, detail) as the last line. The check is cancelled when the client goes away."}},
    "text/html": {"schema": {"type": "string", "description": "The HTML report (Content-Security-Policy: its own inline stylesheet only)."}},
    "image/svg+xml": {"schema": {"type": "string", "description": "The heatmaps as one SVG document."}},
    "application/vnd.gradescope+json": {"schema": {
        "type": "object", "required": ["score", "output", "tests"],
        "description": "Gradescope's autograder results: a test per tensor worth 1 point, hints without values.",
        "properties": {"score": {"type": "number"}, "execution_time": {"type": "number"}, "output": {"type": "string"},
                       "visibility": {"type": "string"}, "stdout_visibility": {"type": "string"},
                       "tests": {"type": "array", "items": {"type": "object", "required": ["name", "score", "max_score", "status"],
                                 "properties": {"name": {"type": "string"}, "number": {"type": "string"}, "score": {"type": "number"},
                                                "max_score": {"type": "number"}, "status": {"type": "string", "enum": ["passed", "failed"]},
                                                "output": {"type": "string"}, "visibility": {"type": "string"}}}}}}},
})
gradcheck_op["post"]["responses"]["406"] = {"description": "The Accept header takes none of application/json, text/html, image/svg+xml, application/vnd.gradescope+json, application/x-ndjson (listed in `acceptable`).",
                                            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
def static_get(op_id, summary, media):
    return {"get": {"operationId": op_id, "summary": summary,
                    "responses": {"200": {"description": summary, "content": {media: {"schema": {"type": "string"}}}}}}}
doc = {
    "openapi": "3.0.3",
    "info": {"title": "gradcheck", "version": "1.0.0",
             "description": "Checks neural-network gradients over HTTP: the cost, the gradients (backprop) and the gradient check of the classic Gradient Checking notebook, for fully connected networks given as numpy .tolist() matrices. Errors are RFC 9457 problem details."},
    "servers": [{"url": "http://127.0.0.1:8080"}],
    "paths": {
        "/forward": op("forward", "Cost and output activations AL (network), or J = theta * x (scalar).", forward_resp),
        "/backward": op("backward", "Cost and gradients dW1, db1, ... by backpropagation (network), or dtheta = x (scalar).", backward_resp),
        "/gradcheck": gradcheck_op,
        "/gradcheck/merge": merge_op,
        "/": static_get("page", "The browser page: paste or upload a request body, pick method, mode and epsilon, and see the HTML report.", "text/html"),
        "/app.js": static_get("pageScript", "The page's script.", "text/javascript"),
        "/app.css": static_get("pageStyle", "The page's stylesheet (with the report's).", "text/css"),
        "/healthz": {"get": {"operationId": "healthz", "summary": "200 while the server accepts work.",
                             "responses": {"200": {"description": "Healthy.", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string", "example": "ok"}}}}}},
                                           "503": {"description": "Draining.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}},
        "/readyz": {"get": {"operationId": "readyz", "summary": "Readiness: 200 while the server takes new work; 503 while it drains, its worker queue is full, or its memory budget is 90% reserved. /healthz stays the liveness probe.",
                            "responses": {"200": {"description": "Ready.", "content": {"application/json": {"schema": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["ready"]}}}}}},
                                          "503": {"description": "Not ready: reason is draining, queue_full or memory_full.", "content": {"application/json": {"schema": {"type": "object", "required": ["status", "reason"], "properties": {"status": {"type": "string", "enum": ["unavailable"]}, "reason": {"type": "string", "enum": ["draining", "queue_full", "memory_full"]}}}}}}}}},
        "/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus metrics in the text exposition format 0.0.4: requests, durations, in-flight, connections, worker queue, memory budget, checks, cancellations, rejections, process_*.",
                             "responses": {"200": {"description": "The metrics.", "content": {"text/plain; version=0.0.4; charset=utf-8": {"schema": {"type": "string"}}}}}}},
        "/openapi.json": {"get": {"operationId": "openapi", "summary": "This document.",
                                  "responses": {"200": {"description": "The OpenAPI 3 description of the API.", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    },
    "components": {"schemas": {
        "Matrix": matrix, "MatrixOrVector": vector_or_matrix,
        "NetworkRequest": network, "ScalarRequest": scalar,
        "Request": {"oneOf": [{"$ref": "#/components/schemas/NetworkRequest"}, {"$ref": "#/components/schemas/ScalarRequest"},
                              {"$ref": "#/components/schemas/LayerRequest"}, {"$ref": "#/components/schemas/LayerNetworkRequest"}]},
        "LayerRequest": layer_request, "LayerNetworkRequest": layer_network_request, "NDArray": ndarray,
        "GradientVerdict": gradient_verdict, "LayerRootCause": layer_root_cause, "LayerCheckResult": layer_check_resp,
        "Gradients": gradients_obj, "ParameterCheck": per_param, "GradcheckResult": gradcheck_resp, "Problem": problem,
        "ShardPartial": shard_partial, "TensorPartial": tensor_partial,
    }},
}


# The docs' request-field tables are rendered from the same schemas (`--docs` rewrites them,
# `--check-docs` fails when they differ), so a field's meaning is written once.
absent_means = {"epsilon": "`1e-7` (`1e-20` for complex-step)", "only": "all tensors"}


def default_text(schema, name, prop):
    if name in schema.get("required", []):
        return "required"
    if "default" in prop:
        value = prop["default"]
        shown = value if isinstance(value, str) else json.dumps(value) if not isinstance(value, float) else re.sub(r"e([+-])0*(\d)", lambda m: "e" + m.group(1).replace("+", "") + m.group(2), repr(value))
        return "`" + shown + "`"
    return absent_means.get(name, "none")


def field_table(schema):
    rows = ["| field | default | meaning |", "|---|---|---|"]
    for name, prop in schema["properties"].items():
        meaning = prop.get("description", "").replace("|", "\\|")
        rows.append(f"| `{name}` | {default_text(schema, name, prop)} | {meaning} |")
    return "\n".join(rows)


docs_tables = {"docs/api.md": ["NetworkRequest", "ScalarRequest"], "docs/layers.md": ["LayerRequest", "LayerNetworkRequest"]}


def rendered_docs(path, text):
    for name in docs_tables[path]:
        begin = f"<!-- {name} fields: generated by dev/generate-openapi.py --docs -->"
        end = f"<!-- end of {name} fields -->"
        pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
        if not pattern.search(text):
            sys.exit(f"{path}: no {begin} ... {end} block")
        table = field_table(doc["components"]["schemas"][name])
        text = pattern.sub(lambda _: begin + "\n\n" + table + "\n\n" + end, text)
    return text


if len(sys.argv) > 1 and sys.argv[1] in ("--docs", "--check-docs"):
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    stale = []
    for path in docs_tables:
        full = os.path.join(root, path)
        current = open(full).read()
        wanted = rendered_docs(path, current)
        if wanted != current:
            if sys.argv[1] == "--docs":
                open(full, "w").write(wanted)
            else:
                stale.append(path)
    if stale:
        sys.exit("request-field tables out of date in " + ", ".join(stale) + ": run python3 dev/generate-openapi.py --docs")
    sys.exit(0)

text = json.dumps(doc, indent=2)
print("""// swift-format-ignore-file
// The OpenAPI 3 description of the v1 API, served at GET /openapi.json.
// Generated from dev/generate-openapi.py; edit that script, rerun it, and keep
// OpenAPIDocumentTests green (it checks this document against the request reader).
public enum OpenAPIDocument {
    /// The document as JSON text.
    public static let json: String = #\"\"\"
""" + text + """
\"\"\"#

    /// The document as UTF-8 bytes, ready to serve with Content-Type application/json.
    public static var bytes: [UInt8] { Array(json.utf8) }
}""")
