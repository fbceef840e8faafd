#!/usr/bin/env bash
# Replays the "Gradient Checking" notebook's story against a running gradcheck-server:
#   1. the one-dimensional case J(theta) = theta * x: J, dtheta, and a passing check;
#   2. the 3-layer network: its cost, and its correct backward pass passing the check;
#   3. the notebook's buggy backward (dW2 doubled, db1 times four): caught, and pinned on
#      W2 and b1 by the per-parameter report;
#   4. the same backward's whole dict (dZ3, dW3, db3, dA2, ... as backward_propagation_n returns
#      it): the intermediates are checked too, and the two root causes are named, each with the
#      line to fix;
#   5. that check as an HTML report with heatmaps, written to a file (REPORT_FILE) it names.
# Exits non-zero if any step does not come out as the notebook says.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source-path=SCRIPTDIR source=common.sh
. ./common.sh

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    echo "Usage: scripts/demo.sh [SERVER_URL]   (default $GC_DEFAULT_URL; start the server with scripts/serve.sh)"
    exit 0
fi
url=${1:-$GC_DEFAULT_URL}
command -v python3 >/dev/null 2>&1 || { echo "demo.sh needs python3 to read the answers" >&2; exit 2; }

# post ENDPOINT PAYLOAD: the answer body, quietly; any HTTP error ends the demo.
post() {
    gc_post "$1" "$2" "$url" >/dev/null
}

# field JSON EXPR: evaluates a Python expression over the answer `r`.
field() {
    python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

echo "== 1. One-dimensional: J(theta) = theta * x with x = 2, theta = 4"
post forward examples/scalar.json
echo "   J = $(field "$GC_BODY" 'r["J"]')   (notebook: 8)"
post backward examples/scalar.json
echo "   dtheta = $(field "$GC_BODY" 'r["dtheta"]')   (notebook: 2)"
post gradcheck examples/scalar.json
echo "   gradcheck: difference = $(field "$GC_BODY" 'r["difference"]'), passed = $(field "$GC_BODY" 'r["passed"]')"
[ "$(field "$GC_BODY" 'r["passed"]')" = "True" ] || { echo "unexpected: the scalar check failed" >&2; exit 1; }

echo "== 2. The 3-layer ReLU network (LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID), correct backward"
post forward examples/notebook.json
echo "   cost = $(field "$GC_BODY" 'r["cost"]')   (notebook: 2.407833389834357)"
post gradcheck examples/notebook.json
echo "   $(field "$GC_BODY" 'r["message"]')"
[ "$(field "$GC_BODY" 'r["passed"]')" = "True" ] || { echo "unexpected: the correct backward pass failed the check" >&2; exit 1; }

echo "== 3. The notebook's buggy backward_propagation_n (dW2 doubled, db1 times four)"
post gradcheck examples/notebook-buggy.json
echo "   $(field "$GC_BODY" 'r["message"]')"
echo "   per parameter:"
python3 - "$GC_BODY" <<'PY'
import json, sys
report = json.loads(sys.argv[1])["parameters"]
for name, entry in report.items():
    verdict = "ok" if entry["passed"] else "WRONG"
    extra = ""
    if not entry["passed"] and entry.get("ratio") is not None:
        extra = f"  ratio {json.dumps(entry['ratio'])}"
    print(f"     {name:4} difference {entry['difference']:.3e}  {verdict}{extra}")
PY
flagged=$(field "$GC_BODY" '",".join(sorted(k for k, v in r["parameters"].items() if not v["passed"]))')
echo "   flagged: $flagged   (notebook's bugs: W2 and b1)"
[ "$(field "$GC_BODY" 'r["passed"]')" = "False" ] || { echo "unexpected: the buggy gradients passed" >&2; exit 1; }
[ "$flagged" = "W2,b1" ] || { echo "unexpected: flagged $flagged instead of W2,b1" >&2; exit 1; }
echo "== 4. The whole dict backward_propagation_n returns (dZ3, dW3, db3, dA2, dZ2, ...): which lines are wrong?"
post gradcheck examples/notebook-buggy-full.json
echo "   convention: $(field "$GC_BODY" 'r["convention"]')   (dZ3 = A3 - Y, dW = dZ A^T / m: the course's)"
echo "   intermediates: $(field "$GC_BODY" '", ".join(k + (" ok" if v["passed"] else " WRONG") for k, v in r["intermediates"].items())')"
echo "   root causes:"
python3 - "$GC_BODY" <<'PY'
import json, sys
for cause in json.loads(sys.argv[1])["root_causes"]:
    print(f"     {cause['gradient']} ({cause['kind']}): {cause['message']}")
PY
roots=$(field "$GC_BODY" '",".join(c["gradient"] for c in r["root_causes"])')
[ "$roots" = "dW2,db1" ] || { echo "unexpected: root causes $roots instead of dW2,db1" >&2; exit 1; }
[ "$(field "$GC_BODY" 'len(r["propagated"])')" = "0" ] || { echo "unexpected: propagated gradients" >&2; exit 1; }
report=${REPORT_FILE:-${TMPDIR:-/tmp}/gradcheck-notebook-buggy-report.html}
GC_ACCEPT=text/html GC_SAVE=$report post gradcheck examples/notebook-buggy-full.json
echo "== 5. The same check as a picture: per-entry heatmaps, root causes and verdict in one page"
echo "   wrote the HTML report to $report (open it in a browser; REPORT_FILE=... for another path)"
echo "== The story holds: correct gradients pass, the two planted bugs are caught, pinned, and traced to their lines."
