#!/usr/bin/env bash
# Fuzzes one target of the gradcheck-fuzz executable with libFuzzer + AddressSanitizer.
#
#   dev/fuzz.sh <target> [seconds]      e.g. dev/fuzz.sh json 600
#
# Targets are the cases of FuzzTarget (Sources/gradcheck-fuzz/FuzzTarget.swift). Each has a seed
# corpus in Tests/Fixtures/fuzz-corpus/<target>/ (read only during the run; replayed by
# `swift test`, FuzzCorpusReplayTests) and optionally a dictionary <target>.dict next to it.
# New inputs go to the scratch corpus .build-fuzz/runs/<target>/corpus (ignored by git, kept
# between runs). At the end, the inputs that add coverage over the seeds are merged back, at most
# FUZZ_KEEP (default 20) of them, smallest first, each at most FUZZ_KEEP_MAX_BYTES (default 8192).
# A crash stops the run; the input is saved under .build-fuzz/runs/<target>/artifacts/ and the
# script prints how to replay it without the fuzzer.
#
# Environment: FUZZ_KEEP, FUZZ_KEEP_MAX_BYTES, FUZZ_MAX_LEN (default 4096), FUZZ_ARGS (extra
# libFuzzer flags, word-split), FUZZ_NO_MERGE=1 (skip the merge back).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: dev/fuzz.sh <target> [seconds]}
seconds=${2:-600}
keep=${FUZZ_KEEP:-20}
keep_max_bytes=${FUZZ_KEEP_MAX_BYTES:-8192}
max_len=${FUZZ_MAX_LEN:-4096}

seeds=Tests/Fixtures/fuzz-corpus/$target
if [ ! -d "$seeds" ]; then
    echo "no seed corpus $seeds: create it with a few real inputs first" >&2
    exit 2
fi
run=.build-fuzz/runs/$target
mkdir -p "$run/corpus" "$run/artifacts"

echo "== build gradcheck-fuzz (fuzzer + address sanitizer)"
# swiftc keeps only the LAST -sanitize= flag, and SwiftPM passes `--sanitize=fuzzer --sanitize=address`
# as two flags in no fixed order: one build gets coverage without ASan, the next ASan without
# coverage. So: SwiftPM's --sanitize=fuzzer (it then leaves `main` to libFuzzer when linking), and
# one combined -sanitize=fuzzer,address after it, which wins. The check below keeps it honest.
build=(swift build --sanitize=fuzzer -Xswiftc "-sanitize=fuzzer,address" -Xswiftc -DFUZZING
       --product gradcheck-fuzz --scratch-path .build-fuzz)
# ld.gold warns once per ASan helper symbol; the warnings are harmless and drown the output.
"${build[@]}" 2>&1 | grep -v "Cannot export local symbol" || true
binary=$("${build[@]}" --show-bin-path)/gradcheck-fuzz
[ -x "$binary" ] || { echo "build failed: no $binary" >&2; exit 1; }
probe=$(find .build-fuzz -path "*/JSON.build/JSONReader.swift.o" | head -n 1)
# Read into variables first: under pipefail, grep -q closing the pipe early fails the writer (SIGPIPE).
sections=$(objdump -h "$probe")
symbols=$(nm "$probe")
if ! grep -q __sancov_cntrs <<<"$sections" || ! grep -q __asan_report <<<"$symbols"; then
    echo "$probe lacks coverage or ASan instrumentation: rm -rf .build-fuzz and retry" >&2
    exit 1
fi

dict=()
if [ -f "Tests/Fixtures/fuzz-corpus/$target.dict" ]; then
    dict=("-dict=Tests/Fixtures/fuzz-corpus/$target.dict")
fi
read -r -a extra <<< "${FUZZ_ARGS:-}"

# Swift's crash backtracer hangs inside libFuzzer + ASan: a fatalError (a broken API promise)
# would stall the run instead of being reported and saved.
export SWIFT_BACKTRACE=enable=no
echo "== fuzz $target for ${seconds}s"
status=0
GRADCHECK_FUZZ_TARGET=$target "$binary" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$run/artifacts/" \
    "${dict[@]}" "${extra[@]}" "$run/corpus" "$seeds" || status=$?
if [ "$status" -ne 0 ]; then
    echo "fuzzer stopped with status $status; inputs in $run/artifacts/:" >&2
    ls -l "$run/artifacts/" >&2
    echo "replay one without the fuzzer: swift build --product gradcheck-fuzz && .build/debug/gradcheck-fuzz $target <file>" >&2
    exit 1
fi

if [ "${FUZZ_NO_MERGE:-0}" = 1 ]; then
    exit 0
fi
echo "== merge: inputs that add coverage over $seeds (at most $keep)"
merged=$(mktemp -d)
trap 'rm -rf "$merged"' EXIT
cp "$seeds"/* "$merged"/
GRADCHECK_FUZZ_TARGET=$target "$binary" -merge=1 -max_len="$max_len" -timeout=10 \
    "$merged" "$run/corpus" 2>&1 | grep -E "^MERGE-OUTER: [0-9]+ new files" || true
added=0
while IFS= read -r file; do
    [ "$added" -lt "$keep" ] || break
    name=$(basename "$file")
    [ -e "$seeds/$name" ] && continue
    [ "$(wc -c < "$file")" -le "$keep_max_bytes" ] || continue
    cp "$file" "$seeds/$name"
    added=$((added + 1))
done < <(find "$merged" -maxdepth 1 -type f -printf '%s %p\n' | sort -n | cut -d' ' -f2-)
echo "added $added inputs to $seeds ($(find "$seeds" -type f | wc -l) files, $(du -sh "$seeds" | cut -f1))"
