#!/usr/bin/env bash
# The whole test suite under ThreadSanitizer and under AddressSanitizer, each in its own scratch
# directory (.build-tsan, .build-asan) so they never mix with the normal build. Fails on a test
# failure or on any sanitizer report. Roughly 2 x (2-4 min build + 1-2 min tests) on 2 cores.
#
#   dev/sanitizers.sh                 # both
#   dev/sanitizers.sh thread          # one of them
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

SANITIZERS=("$@")
[ ${#SANITIZERS[@]} -eq 0 ] && SANITIZERS=(thread address)
# Report every problem (not just the first per location) and fail the process at exit. The
# suppressions are accesses under Synchronization.Mutex that TSan cannot see ordered on Linux
# (dev/tsan-suppressions.txt says why, one by one).
export TSAN_OPTIONS=${TSAN_OPTIONS:-"halt_on_error=0 report_signal_unsafe=0 exitcode=66 suppressions=$ROOT/dev/tsan-suppressions.txt"}
export ASAN_OPTIONS=${ASAN_OPTIONS:-"detect_leaks=0 abort_on_error=0"}

status=0
for sanitizer in "${SANITIZERS[@]}"; do
    case "$sanitizer" in
        thread) scratch=.build-tsan ;;
        address) scratch=.build-asan ;;
        *) echo "unknown sanitizer $sanitizer (thread or address)" >&2; exit 2 ;;
    esac
    log=$(mktemp "/tmp/gradcheck-$sanitizer.XXXXXX")
    echo "== $sanitizer: building ($scratch)"
    timeout 1800 swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" >"$log" 2>&1 \
        || { tail -n 30 "$log" >&2; echo "FAIL: $sanitizer build" >&2; status=1; continue; }
    echo "== $sanitizer: testing"
    test_status=0
    timeout 1200 swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" >"$log" 2>&1 || test_status=$?
    reports=$(grep -c -E "WARNING: ThreadSanitizer|ERROR: AddressSanitizer|runtime error:" "$log" || true)
    summary=$(grep -E "^(✔|✘|􁁛|􀢄)? ?Test run with|Executed [0-9]+ tests" "$log" | tail -n 2 | tr '\n' ' ')
    echo "   exit $test_status, sanitizer reports $reports; $summary"
    if [ "$test_status" -ne 0 ] || [ "$reports" -ne 0 ]; then
        grep -E -A 30 "WARNING: ThreadSanitizer|ERROR: AddressSanitizer|runtime error:|✘" "$log" | head -n 120 >&2 || true
        echo "FAIL: $sanitizer (full log $log)" >&2
        status=1
    else
        rm -f "$log"
    fi
done
[ "$status" -eq 0 ] && echo "OK: ${SANITIZERS[*]} clean"
exit "$status"
