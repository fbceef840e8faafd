#!/usr/bin/env bash
# How a course grades a student's gradients with gradcheck: POST the student's JSON (the
# network, and the gradients their backward returned) with Accept: application/vnd.gradescope+json
# and write Gradescope's results.json: a test per tensor worth one point, a hint that names the
# kind of mistake without the expected values, and the notebook's verdict as the output.
#
#   scripts/autograde.sh STUDENT.json [SERVER_URL] [RESULTS_FILE]
#   scripts/autograde.sh scripts/examples/notebook-buggy-full.json http://127.0.0.1:8080 /autograder/results/results.json
#
# Exit status: 0 when results were written (whatever the score), 2 on a usage error, 3 when the
# server is unreachable, 4 when it answers an error (the problem is printed).
set -euo pipefail
if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
student=$1
url=${2:-http://127.0.0.1:8080}
results=${3:-results.json}
[ -f "$student" ] || { echo "autograde.sh: no such file: $student" >&2; exit 2; }
status=$(curl -s -o "$results.tmp" -w '%{http_code}' -H 'Accept: application/vnd.gradescope+json' \
    --data-binary @"$student" "$url/gradcheck") || { echo "autograde.sh: cannot reach $url" >&2; rm -f "$results.tmp"; exit 3; }
if [ "$status" != 200 ]; then
    echo "autograde.sh: the server answered $status:" >&2
    cat "$results.tmp" >&2
    echo >&2
    rm -f "$results.tmp"
    exit 4
fi
mv "$results.tmp" "$results"
python3 - "$results" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
print(f"score {results['score']:g} / {len(results['tests'])}: {results['output']}")
for test in results["tests"]:
    print(f"  {test['status']:6} {test['name']:4} {test['output']}")
PY
echo "results written to $results"
