#!/usr/bin/env python3
"""Writes a /gradcheck body for the largest network of the bench ladder (1024-512-256-1, relu,
m = 512: 656,385 parameters), with notebook_numpy.py's random weights, to measure the size and
time of its HTML and SVG reports:

    python3 Benchmarks/large_report_body.py > /tmp/large.json
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notebook_numpy import random_case  # noqa: E402

X, Y, parameters = random_case([1024, 512, 256, 1], 512, seed=0)
json.dump({"X": X.tolist(), "Y": Y.tolist(), "parameters": {k: v.tolist() for k, v in parameters.items()}}, sys.stdout)
