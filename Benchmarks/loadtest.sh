#!/usr/bin/env bash
# Throughput and latency of the service beside nginx (and, with BASELINE_BIN, beside an older
# build), all in the same run: builds the release server, then for each of ROUNDS rounds starts
# every server in turn on a free port of 127.0.0.1 (the order rotates each round, so no server
# always runs first or last), drives its endpoints with wrk, and stops it by its PID. Prints one
# line per measurement as it goes, then a table of the medians over the rounds with their ratios
# (/healthz to nginx's, each endpoint to the baseline's). Exits non-zero on any socket error or non-2xx answer.
#
# The servers:
#   nginx            Debian's nginx-light, GET /healthz answering a static JSON body ({"status":"ok"},
#                    15 bytes, like ours), access log off, worker_processes auto
#   gradcheck+log    this build, GET /healthz with its default access log on (written to a file)
#   gradcheck        this build, --no-access-log: /healthz, /forward, /backward and /gradcheck on the
#                    notebook body, /forward on the 251 KB body
#   baseline+log, baseline   the same two for BASELINE_BIN, when set
#
#   Benchmarks/loadtest.sh                                  # wrk -t2 -c64 -d5s, 3 rounds (~4 min)
#   BASELINE_BIN=/tmp/main/gradcheck-server Benchmarks/loadtest.sh   # before/after in one run
#   DURATION=3s ROUNDS=1 CONNECTIONS=32 Benchmarks/loadtest.sh
#   SKIP_BUILD=1 Benchmarks/loadtest.sh                     # use the existing .build/release binary
#   SERVER_BIN=/tmp/other/gradcheck-server Benchmarks/loadtest.sh    # measure another build as "gradcheck"
#   NGINX=0 Benchmarks/loadtest.sh                          # without the nginx row
#
# Compare only numbers from the same run: on a shared machine they move with everything else.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../dev source=lib-server.sh
. "$(dirname "$0")/../dev/lib-server.sh"

DURATION=${DURATION:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-1s}
ROUNDS=${ROUNDS:-3}
NGINX=${NGINX:-1}
BASELINE_BIN=${BASELINE_BIN:-}
NOTEBOOK=$ROOT/scripts/examples/notebook.json
BIG=$ROOT/Tests/Fixtures/100-50-20-1_m64.json
SCRIPT=$ROOT/Benchmarks/wrk/request.lua
THIS_BIN=$SERVER_BIN

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
if [ "$NGINX" = 1 ] && ! command -v nginx >/dev/null; then
    echo "nginx is missing: apt-get install -y nginx-light (or NGINX=0)" >&2
    exit 1
fi
if [ -n "$BASELINE_BIN" ] && [ ! -x "$BASELINE_BIN" ]; then echo "BASELINE_BIN=$BASELINE_BIN is not an executable" >&2; exit 1; fi

WORK=$(mktemp -d /tmp/gradcheck-loadtest.XXXXXX)
RESULTS=$WORK/results
NGINX_PID=""
stop_nginx() {
    if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
        kill -TERM "$NGINX_PID" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$NGINX_PID" 2>/dev/null && kill -KILL "$NGINX_PID" 2>/dev/null
        wait "$NGINX_PID" 2>/dev/null || true
    fi
    NGINX_PID=""
}
cleanup() {
    stop_server || true
    stop_nginx
    rm -rf "$WORK"
}
trap cleanup EXIT
build_server

# A port nothing listens on right now (nginx cannot be told to pick one).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_nginx: sets SERVER_PORT; nginx's master is NGINX_PID.
start_nginx() {
    local dir=$WORK/nginx _
    mkdir -p "$dir"
    SERVER_PORT=$(free_port)
    cat >"$dir/nginx.conf" <<EOF
worker_processes auto;
error_log stderr warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path body;
    proxy_temp_path proxy;
    fastcgi_temp_path fastcgi;
    uwsgi_temp_path uwsgi;
    scgi_temp_path scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$SERVER_PORT;
        location = /healthz {
            default_type application/json;
            return 200 '{"status":"ok"}';
        }
    }
}
EOF
    nginx -p "$dir" -c "$dir/nginx.conf" -g "daemon off; pid $dir/nginx.pid;" >"$dir/log" 2>&1 &
    NGINX_PID=$!
    for _ in $(seq 100); do
        curl -fsS -o /dev/null "http://127.0.0.1:$SERVER_PORT/healthz" 2>/dev/null && return 0
        kill -0 "$NGINX_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "nginx did not start; log:" >&2
    cat "$dir/log" >&2
    return 1
}

failures=0
# measure server-label endpoint-label path body-file ("" = GET) round
measure() {
    local server=$1 label=$2 path=$3 body=$4 round=$5 line
    BODY_FILE=$body wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$SCRIPT" \
        "http://127.0.0.1:$SERVER_PORT$path" >/dev/null
    line=$(BODY_FILE=$body wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$SCRIPT" \
        "http://127.0.0.1:$SERVER_PORT$path" | sed -n 's/^RESULT //p')
    if [ -z "$line" ]; then
        echo "$server $label: wrk printed no result" >&2
        failures=$((failures + 1))
        return
    fi
    local rps p50_ms p99_ms socket_errors non2xx
    read -r rps p50_ms p99_ms _ _ socket_errors non2xx _ <<<"$line"
    printf '%-6s %-14s %-24s %10s %9s %9s %7s %7s\n' "$round" "$server" "$label" "$rps" "$p50_ms" "$p99_ms" "$socket_errors" "$non2xx"
    printf '%s|%s|%s|%s|%s|%s\n' "$server" "$label" "$rps" "$p50_ms" "$p99_ms" "$round" >>"$RESULTS"
    if [ "$socket_errors" != 0 ] || [ "$non2xx" != 0 ]; then failures=$((failures + 1)); fi
}

# run_server label round: starts the server the label names, measures its endpoints, stops it.
run_server() {
    local server=$1 round=$2 bin
    case "$server" in
        nginx)
            start_nginx
            measure nginx "GET /healthz" /healthz "" "$round"
            stop_nginx
            return
            ;;
        gradcheck*) bin=$THIS_BIN ;;
        baseline*) bin=$BASELINE_BIN ;;
    esac
    case "$server" in
        *+log)
            # shellcheck disable=SC2119 # no extra server flags
            SERVER_BIN=$bin ACCESS_LOG=1 start_server
            measure "$server" "GET /healthz" /healthz "" "$round"
            ;;
        *)
            # shellcheck disable=SC2119 # no extra server flags
            SERVER_BIN=$bin start_server
            measure "$server" "GET /healthz" /healthz "" "$round"
            measure "$server" "POST /forward notebook" /forward "$NOTEBOOK" "$round"
            measure "$server" "POST /backward notebook" /backward "$NOTEBOOK" "$round"
            measure "$server" "POST /gradcheck notebook" /gradcheck "$NOTEBOOK" "$round"
            measure "$server" "POST /forward 251 KB" /forward "$BIG" "$round"
            ;;
    esac
    stop_server_after_run || failures=$((failures + 1))
}

servers=()
[ "$NGINX" = 1 ] && servers+=(nginx)
servers+=(gradcheck+log gradcheck)
[ -n "$BASELINE_BIN" ] && servers+=(baseline+log baseline)

echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP), $ROUNDS rounds; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# gradcheck = $THIS_BIN${BASELINE_BIN:+; baseline = $BASELINE_BIN}"
printf '%-6s %-14s %-24s %10s %9s %9s %7s %7s\n' round server endpoint req/s p50_ms p99_ms errors non2xx
for round in $(seq "$ROUNDS"); do
    count=${#servers[@]}
    for index in $(seq 0 $((count - 1))); do
        run_server "${servers[$(((index + round - 1) % count))]}" "$round"
    done
done

# The medians over the rounds, with the ratios: /healthz to nginx's, and each endpoint to the
# baseline's. A ratio is the median of the per-round ratios (each round's two measurements are a
# minute apart, so a machine that slows down for a while moves both).
echo
echo "# medians of $ROUNDS rounds; x_ columns: median of the per-round req/s ratios"
awk -F'|' '
    function median(list, n,    values, i, j, t) {
        n = split(list, values, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (values[j] + 0 < values[i] + 0) { t = values[i]; values[i] = values[j]; values[j] = t }
        return n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2
    }
    {
        key = $1 "|" $2
        if (!(key in rps)) order[++keys] = key
        rps[key] = rps[key] " " $3; p50[key] = p50[key] " " $4; p99[key] = p99[key] " " $5
        byRound[key "|" $6] = $3; rounds[$6] = 1
    }
    # The median over the rounds of (req/s of key) / (req/s of other), "" when never paired.
    function ratio(key, other,    r, list) {
        list = ""
        for (r in rounds) if ((key "|" r) in byRound && (other "|" r) in byRound && byRound[other "|" r] > 0)
            list = list " " (byRound[key "|" r] / byRound[other "|" r])
        return list == "" ? "" : sprintf("%.2f", median(list))
    }
    END {
        printf "%-14s %-24s %10s %9s %9s %9s %11s\n", "server", "endpoint", "req/s", "p50_ms", "p99_ms", "x_nginx", "x_baseline"
        for (k = 1; k <= keys; k++) {
            key = order[k]; split(key, part, "|")
            printf "%-14s %-24s %10.0f %9.2f %9.2f %9s %11s\n", part[1], part[2], median(rps[key]), median(p50[key]), median(p99[key]),
                part[1] != "nginx" ? ratio(key, "nginx|" part[2]) : "",
                part[1] ~ /^gradcheck/ ? ratio(key, "baseline" substr(part[1], 10) "|" part[2]) : ""
        }
    }' "$RESULTS"

if [ "$failures" -ne 0 ]; then echo "FAIL: $failures measurement(s) had errors or non-2xx answers" >&2; exit 1; fi
echo "OK"
