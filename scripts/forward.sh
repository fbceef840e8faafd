#!/usr/bin/env bash
# POST a payload to /forward and print the answer: the cost and the output activations AL (scalar body: J).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
gc_main forward.sh forward "the cost and the output activations AL (scalar body: J)" "$@"
