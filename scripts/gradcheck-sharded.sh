#!/usr/bin/env bash
# A full gradient check split into N shards, sent in parallel, merged by the server.
#   scripts/gradcheck-sharded.sh PAYLOAD.json [SERVER_URL] [N]
# Sends N copies of PAYLOAD with "shard": {"index": i, "count": N} to SERVER_URL/gradcheck at
# once (behind a load balancer such as SystemTests/fleet.sh's HAProxy front, each lands on a
# replica), then POSTs {"shards": [the N partial answers]} to SERVER_URL/gradcheck/merge and
# prints the merged answer: the same verdict, per-tensor verdicts, worst entries and kinks as
# the unsharded check. Exit status as scripts/gradcheck.sh: 0 passed, 1 the check failed,
# 2 usage, 3 server unreachable, 4 the server answered an error (its problem+json is printed).
set -euo pipefail
if [ $# -lt 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    [ $# -ge 1 ] && exit 0
    exit 2
fi
payload=$1 url=${2:-http://127.0.0.1:8080} n=${3:-3}
[ -f "$payload" ] || { echo "error: payload file not found: $payload" >&2; exit 2; }
case $n in '' | *[!0-9]*) echo "error: N must be a whole number from 1 to 1024, got $n" >&2; exit 2 ;; esac
if [ "$n" -lt 1 ] || [ "$n" -gt 1024 ]; then echo "error: N must be from 1 to 1024, got $n" >&2; exit 2; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pids=()
started=$(date +%s.%N)
for ((i = 0; i < n; i++)); do
    # The payload with the shard field first: replace its opening brace.
    { printf '{"shard":{"index":%d,"count":%d},' "$i" "$n"; sed '0,/{/s/{//' "$payload"; } > "$work/body.$i"
    curl -sS -o "$work/answer.$i" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary "@$work/body.$i" "$url/gradcheck" > "$work/status.$i" 2> "$work/error.$i" &
    pids+=($!)
done
failed=0
for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
        echo "error: shard $i: could not reach $url: $(cat "$work/error.$i")" >&2
        exit 3
    fi
    status=$(cat "$work/status.$i")
    if [ "${status:0:1}" != 2 ]; then
        echo "error: shard $i of $n: HTTP $status" >&2
        cat "$work/answer.$i" >&2; echo >&2
        failed=1
    fi
done
[ "$failed" = 0 ] || exit 4
sharded=$(date +%s.%N)
{
    printf '{"shards":['
    for ((i = 0; i < n; i++)); do
        [ "$i" -gt 0 ] && printf ','
        cat "$work/answer.$i"
    done
    printf ']}'
} > "$work/merge"
status=$(curl -sS -o "$work/merged" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "@$work/merge" "$url/gradcheck/merge") || { echo "error: could not reach $url/gradcheck/merge" >&2; exit 3; }
cat "$work/merged"; echo
if [ "${status:0:1}" != 2 ]; then echo "error: merge: HTTP $status" >&2; exit 4; fi
merged=$(date +%s.%N)
awk -v a="$started" -v b="$sharded" -v c="$merged" -v n="$n" \
    'BEGIN { printf "%d shards in %.3f s, merged in %.3f s\n", n, b - a, c - b }' >&2
if ! grep -q '^{"difference":[^,]*,"passed":true' "$work/merged"; then
    echo "gradient check FAILED" >&2
    exit 1
fi
