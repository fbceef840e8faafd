#!/usr/bin/env bash
# POST a payload to /gradcheck and print the answer; exit 1 when the check fails.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"
gc_main gradcheck.sh gradcheck \
    'the difference between the gradients (the payload'"'"'s "gradients", or the service'"'"'s own backward) and numerical ones, per parameter' \
    "$@"
passed=$(gc_json_field "$GC_BODY" passed)
if [ "$passed" != "true" ]; then
    echo "gradient check FAILED (passed: $passed)" >&2
    exit 1
fi
