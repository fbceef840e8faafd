#!/usr/bin/env bash
# POST a payload to /backward and print the answer: the cost and the gradients dW1, db1, ... (scalar body: dtheta).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
gc_main backward.sh backward "the cost and the gradients dW1, db1, ... (scalar body: dtheta)" "$@"
