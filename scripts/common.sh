# shellcheck shell=bash
# Sourced (not run) by the curl client scripts, forward.sh, backward.sh, gradcheck.sh and demo.sh,
# which talk to a server someone already runs (dev/lib-server.sh is for scripts that start their own).
#
# Exit codes of those scripts:
#   0  the server answered 2xx (and, for gradcheck.sh, the check passed)
#   1  gradcheck.sh only: the gradient check failed ("passed": false)
#   2  usage error, or the payload file does not exist
#   3  the server could not be reached
#   4  the server answered an error (4xx/5xx); its problem+json body is printed

GC_DEFAULT_URL="http://127.0.0.1:8080"
GC_EXAMPLES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/examples"

# gc_usage NAME ENDPOINT WHAT: the --help text of one endpoint script.
gc_usage() {
    cat <<USAGE
Usage: scripts/$1 $( [ "$1" = gradcheck.sh ] && printf '[--html FILE | --svg FILE | --progress] ')[PAYLOAD.json] [SERVER_URL]

POSTs PAYLOAD.json to SERVER_URL/$2 and prints the JSON answer: $3.

  PAYLOAD.json  request body (default: scripts/examples/notebook.json)
  SERVER_URL    where gradcheck-server listens (default: $GC_DEFAULT_URL)

Exit status: 0 success; 1 gradient check failed (gradcheck.sh); 2 usage or missing file;
3 server unreachable (start it with scripts/serve.sh); 4 the server answered an error.
USAGE
}

# gc_post ENDPOINT PAYLOAD URL: prints the answer body; sets GC_BODY to it. Returns 3 or 4 on failure.
# With GC_ACCEPT and GC_SAVE set (gradcheck.sh --html/--svg), asks for that type and saves a 2xx
# answer to the file GC_SAVE instead of printing it.
gc_post() {
    local endpoint=$1 payload=$2 url=$3 status out
    local accept=()
    [ -n "${GC_ACCEPT:-}" ] && accept=(-H "Accept: $GC_ACCEPT")
    if [ ! -f "$payload" ]; then
        echo "error: payload file not found: $payload" >&2
        return 2
    fi
    out=$(mktemp)
    # --data-binary sends the file byte for byte (-d would strip newlines); the server reads any
    # Content-Type as JSON, but we say what it is.
    if ! status=$(curl -sS -o "$out" -w '%{http_code}' -H 'Content-Type: application/json' "${accept[@]}" \
        --data-binary "@$payload" "${url%/}/$endpoint"); then
        rm -f "$out"
        echo "error: could not reach $url (is the server running? start it with scripts/serve.sh)" >&2
        return 3
    fi
    if [ -n "${GC_SAVE:-}" ] && [ "$status" -ge 200 ] && [ "$status" -lt 300 ]; then
        mv "$out" "$GC_SAVE"
        GC_BODY=""
        echo "saved the $GC_ACCEPT report to $GC_SAVE"
        return 0
    fi
    GC_BODY=$(cat "$out")
    rm -f "$out"
    printf '%s\n' "$GC_BODY"
    if [ "$status" -lt 200 ] || [ "$status" -ge 300 ]; then
        echo "error: $endpoint answered HTTP $status" >&2
        return 4
    fi
}

# gc_post_progress ENDPOINT PAYLOAD URL: like gc_post, but asks for application/x-ndjson and
# draws a progress bar on stderr from the progress lines; the last line (the answer, or the
# problem that ended the check) is printed and kept in GC_BODY. Returns 3 or 4 on failure.
gc_post_progress() {
    local endpoint=$1 payload=$2 url=$3 line last="" count total eta filled width=30 bar
    if [ ! -f "$payload" ]; then
        echo "error: payload file not found: $payload" >&2
        return 2
    fi
    while IFS= read -r line || [ -n "$line" ]; do
        if [[ $line =~ ^\{\"progress\":\{\"done\":([0-9]+),\"total\":([0-9]+),\"seconds\":[^,]*,\"eta_seconds\":([^}]*)\}\}$ ]]; then
            count=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]} eta=${BASH_REMATCH[3]}
            [ "$total" -gt 0 ] || continue
            filled=$((count * width / total))
            printf -v bar '%*s' "$filled" ''
            bar=${bar// /#}
            printf -v bar '%-*s' "$width" "$bar"
            [ "$eta" = null ] && eta='?' || eta=$(printf '%.1f' "$eta")
            printf '\r[%s] %3d%% %d/%d, about %s s left ' "${bar// /.}" $((count * 100 / total)) "$count" "$total" "$eta" >&2
        else
            last=$line
        fi
    done < <(curl -sSN -H 'Content-Type: application/json' -H 'Accept: application/x-ndjson' \
        --data-binary "@$payload" "${url%/}/$endpoint" || echo "__curl_failed__")
    printf '\r%*s\r' 70 '' >&2
    if [ -z "$last" ] || [ "$last" = __curl_failed__ ]; then
        echo "error: could not reach $url (is the server running? start it with scripts/serve.sh)" >&2
        return 3
    fi
    GC_BODY=$last
    printf '%s\n' "$GC_BODY"
    if [[ $GC_BODY == '{"type":'* ]]; then
        echo "error: $endpoint ended with a problem (see above)" >&2
        return 4
    fi
}

# gc_main SCRIPT ENDPOINT WHAT ARGS...: argument handling shared by the endpoint scripts.
gc_main() {
    local script=$1 endpoint=$2 what=$3
    shift 3
    case "${1:-}" in
        -h | --help) gc_usage "$script" "$endpoint" "$what"; exit 0 ;;
        -*) gc_usage "$script" "$endpoint" "$what" >&2; exit 2 ;;
    esac
    if [ $# -gt 2 ]; then
        gc_usage "$script" "$endpoint" "$what" >&2
        exit 2
    fi
    GC_PAYLOAD=${1:-$GC_EXAMPLES/notebook.json}
    GC_URL=${2:-$GC_DEFAULT_URL}
    if [ -n "${GC_PROGRESS:-}" ]; then
        gc_post_progress "$endpoint" "$GC_PAYLOAD" "$GC_URL"
    else
        gc_post "$endpoint" "$GC_PAYLOAD" "$GC_URL"
    fi
}

# gc_json_field JSON FIELD: prints a top-level field of a JSON object (python3, else grep).
gc_json_field() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json, sys; v = json.loads(sys.argv[1]).get(sys.argv[2]); print(json.dumps(v))' "$1" "$2"
    else
        printf '%s' "$1" | grep -o "\"$2\": *[^,}]*" | head -n 1 | sed 's/^[^:]*: *//'
    fi
}
