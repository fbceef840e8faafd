#!/usr/bin/env bash
# Regenerates Tests/Fixtures/layers/*.json from every generator in this folder (numpy only).
set -euo pipefail
cd "$(dirname "$0")"
for generator in *.py; do
    [ "$generator" = common.py ] && continue
    python3 "$generator"
done
