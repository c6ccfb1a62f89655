#!/usr/bin/env bash
# Issue 4, "Speed": the headless server's hot reads, beside nginx serving the same response bytes, in one run:
#   1. `aqueduct-server serve` (ingest pipeline running) on a fresh data folder, AQ_BENCH_EVENTS events inserted
#      into analytics.events through insertAll (bench/seedevents);
#   2. the bodies of EVENTS_PATH and ITEM_PATH (the newest event's id in place of {id}) fetched once from the server
#      and written as static files for nginx (NGINX_WORKERS workers, access_log off, keep-alive), so that both
#      servers answer the same bytes on the same paths;
#   3. wrk -t THREADS -c CONNECTIONS -d DURATION --latency against each server for each path: requests/s, p99;
#   4. wrk -t THREADS -c HOLD_CONNECTIONS -d HOLD_DURATION against the server's EVENTS_PATH: no socket errors
#      (connect, read, write, timeout) and no error status;
#   5. the server's peak RSS (VmHWM): while seeding, and over the reads alone (reset in between via clear_refs).
# Usage: bench/run-serve-bench.sh [build-dir] ; env AQ_BENCH_EVENTS (1000000), THREADS (2), CONNECTIONS (64),
#        DURATION (10), HOLD_CONNECTIONS (1000), HOLD_DURATION (60; 0 skips it), NGINX_WORKERS (1),
#        EVENTS_PATH (/events?limit=100), ITEM_PATH (/api/v1/{id}), SERVER_ARGS (more `serve` flags).
# Needs wrk and nginx (./dev setup installs both). Prints every wrk output, then a markdown table; exits 1 when a
# target is missed or a run had errors.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
EVENTS=${AQ_BENCH_EVENTS:-1000000}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}   # not SECONDS: bash counts its own run time in that one
HOLD_CONNECTIONS=${HOLD_CONNECTIONS:-1000}
HOLD_DURATION=${HOLD_DURATION:-60}
NGINX_WORKERS=${NGINX_WORKERS:-1}
EVENTS_PATH=${EVENTS_PATH:-/events?limit=100}
ITEM_PATH=${ITEM_PATH:-/api/v1/\{id\}}
SERVER_ARGS=${SERVER_ARGS:-}
for tool in wrk nginx curl python3; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || { echo "$tool not found (./dev setup installs it)" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# wrk and the server each hold HOLD_CONNECTIONS sockets: the soft limit on open files up to the hard one.
ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
server=""
nginx_pid=""
cleanup() {
    if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; fi
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
vm() { sed -nE "s/^$1:[[:space:]]+([0-9]+) kB/\1/p" "/proc/$server/status"; }   # kB
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
load() { cut -d' ' -f1 /proc/loadavg; }

echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) cores, load average $(load), checkout at $(git rev-parse --short HEAD 2>/dev/null || echo "?"), build $BUILD"
load_start=$(load)

# 1. The server, on a fresh data folder; ready once its pipeline has created the topic, dataset and tables.
mkdir -p "$work/data" "$work/nginx/html"
# shellcheck disable=SC2086  # SERVER_ARGS is a list of flags
"$BUILD/app/aqueduct-server" serve --data-dir "$work/data" --listen 127.0.0.1:0 $SERVER_ARGS 2>"$work/server.log" &
server=$!
endpoint=""
for _ in $(seq 1 300); do
    endpoint=$(sed -nE 's/.*serving the local cloud on (http:[^ ]+).*/\1/p' "$work/server.log")
    [ -n "$endpoint" ] && grep -q "ingesting subscription" "$work/server.log" && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
grep -q "ingesting subscription" "$work/server.log" || { echo "aqueduct-server did not become ready:" >&2; cat "$work/server.log" >&2; exit 1; }
echo "# server: $endpoint, pid $server, flags: serve --data-dir DIR --listen 127.0.0.1:0 $SERVER_ARGS"

seed=$("$BUILD/bench/seedevents" --endpoint "$endpoint" --events "$EVENTS")
echo "$seed"
newest_id=$(sed -nE 's/.*"newest_event_id":"([^"]*)".*/\1/p' <<<"$seed")
seed_rps=$(sed -nE 's/.*"rows_per_s":([0-9]+).*/\1/p' <<<"$seed")
seed_hwm=$(vm VmHWM)
# From here on VmHWM is the peak of the reads alone (Linux >= 4.0: "5" resets it to the current RSS).
if echo 5 >"/proc/$server/clear_refs" 2>/dev/null; then reset_hwm=1; else reset_hwm=0; fi
item_path=${ITEM_PATH//\{id\}/$newest_id}

# 2. The same bytes for nginx, as files at the same paths (nginx ignores the query string of a static file).
fetch() {   # path file -> body in file; fails unless 200
    local code
    code=$(curl -s -o "$2" -w '%{http_code}' "$endpoint$1")
    [ "$code" = 200 ] || { echo "GET $1 answered $code: $(head -c 300 "$2")" >&2; exit 1; }
}
static_file() { local p=${1%%\?*}; echo "$work/nginx/html$p"; }
for path in "$EVENTS_PATH" "$item_path"; do
    file=$(static_file "$path")
    mkdir -p "$(dirname "$file")"
    fetch "$path" "$file"
done
events_bytes=$(stat -c %s "$(static_file "$EVENTS_PATH")")
item_bytes=$(stat -c %s "$(static_file "$item_path")")
events_in_body=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d) if isinstance(d, list) else "not an array")' \
    "$(static_file "$EVENTS_PATH")" 2>/dev/null || echo "not JSON")
echo "# bodies: $EVENTS_PATH $events_bytes bytes ($events_in_body elements), $item_path $item_bytes bytes"

nginx_port=$(free_port)
mkdir -p "$work/nginx/tmp"
# Run as root, nginx would switch its workers to "nobody", who cannot read the mktemp folder: keep the same user.
user_line=""
[ "$(id -u)" = 0 ] && user_line="user $(id -un);"
cat >"$work/nginx/nginx.conf" <<EOF
$user_line
worker_processes $NGINX_WORKERS;
worker_rlimit_nofile 20000;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type application/json;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=100 inactive=60s;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/nginx/html;
    }
}
EOF
"$NGINX" -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
nginx_url="http://127.0.0.1:$nginx_port"
for _ in $(seq 1 100); do curl -s -o /dev/null "$nginx_url/" && break; sleep 0.1; done
for path in "$EVENTS_PATH" "$item_path"; do
    curl -s "$nginx_url$path" | cmp -s - "$(static_file "$path")" || {
        echo "nginx does not answer the same bytes for $path:" >&2; curl -si "$nginx_url$path" | head -c 500 >&2; cat "$work/nginx/error.log" >&2; exit 1; }
done
echo "# nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'): $nginx_url, worker_processes $NGINX_WORKERS"

# 3. and 4. wrk; the summary of each run parsed from its output.
rps() { sed -nE 's/^Requests\/sec:[[:space:]]+([0-9.]+).*/\1/p' "$1"; }
p99_ms() {   # wrk prints 99% as e.g. 812.00us, 3.45ms or 1.02s
    awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
         print (u == "us" ? v / 1000 : u == "s" ? v * 1000 : u == "m" ? v * 60000 : v) }' "$1"
}
errors() {   # socket errors and error statuses, "0" when none
    awk '/Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } /Non-2xx or 3xx responses:/ { n += $5 } END { print n + 0 }' "$1"
}
run_wrk() {   # name connections duration url
    local out="$work/wrk-$1.txt"
    echo "## $1: wrk -t$THREADS -c$2 -d${3}s --latency $4"
    wrk -t"$THREADS" -c"$2" -d"${3}s" --latency "$4" >"$out" 2>&1 || { cat "$out"; echo "wrk failed" >&2; exit 1; }
    cat "$out"
}
run_wrk aqueduct-events "$CONNECTIONS" "$DURATION" "$endpoint$EVENTS_PATH"
run_wrk nginx-events "$CONNECTIONS" "$DURATION" "$nginx_url$EVENTS_PATH"
run_wrk aqueduct-item "$CONNECTIONS" "$DURATION" "$endpoint$item_path"
run_wrk nginx-item "$CONNECTIONS" "$DURATION" "$nginx_url$item_path"
if [ "$HOLD_DURATION" -gt 0 ]; then
    run_wrk aqueduct-hold "$HOLD_CONNECTIONS" "$HOLD_DURATION" "$endpoint$EVENTS_PATH"
fi
kill -0 "$server" 2>/dev/null && curl -sf -o /dev/null "$endpoint/healthz" && alive=yes || alive=no
reads_hwm=$(vm VmHWM)
rss_end=$(vm VmRSS)
load_end=$(load)

# 5. The table.
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = op == ">=" ? v >= t : v < t; print ok ? "met" : "**not met**" }'; }
failed=0
row() {   # label aqueduct-run nginx-run
    local a n ratio p99 e
    a=$(rps "$work/wrk-$2.txt"); n=$(rps "$work/wrk-$3.txt")
    ratio=$(awk -v a="$a" -v n="$n" 'BEGIN { printf "%.2f", a / n }')
    p99=$(p99_ms "$work/wrk-$2.txt"); e=$(( $(errors "$work/wrk-$2.txt") + $(errors "$work/wrk-$3.txt") ))
    printf '| %s | %s | %s | %s× (%s) | %s ms / %s ms (%s) | %s |\n' "$1" "$a" "$n" "$ratio" "$(verdict "$ratio" 0.5 '>=')" "$p99" \
        "$(p99_ms "$work/wrk-$3.txt")" "$(verdict "$p99" 10 '<')" "$e"
    [ "$(verdict "$ratio" 0.5 '>=')" = met ] && [ "$(verdict "$p99" 10 '<')" = met ] && [ "$e" = 0 ] || failed=1
}
echo
echo "Load average $load_start at the start, $load_end at the end; $EVENTS events seeded at $seed_rps rows/s."
echo
echo "| wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s | aqueduct req/s | nginx req/s | ratio (≥ 0.5×) | p99 aqueduct / nginx (< 10 ms) | errors |"
echo "|---|---:|---:|---:|---:|---:|"
row "\`$EVENTS_PATH\` ($events_bytes bytes)" aqueduct-events nginx-events
row "\`${ITEM_PATH}\` ($item_bytes bytes)" aqueduct-item nginx-item
echo
if [ "$HOLD_DURATION" -gt 0 ]; then
    hold="$work/wrk-aqueduct-hold.txt"
    hold_errors=$(errors "$hold")
    echo "| wrk -t$THREADS -c$HOLD_CONNECTIONS -d${HOLD_DURATION}s \`$EVENTS_PATH\` | req/s | p99 | socket errors + error statuses | server alive after |"
    echo "|---|---:|---:|---:|---|"
    echo "| aqueduct | $(rps "$hold") | $(p99_ms "$hold") ms | $hold_errors ($( [ "$hold_errors" = 0 ] && echo met || echo '**not met**')) | $alive |"
    [ "$hold_errors" = 0 ] || failed=1
    echo
fi
[ "$alive" = yes ] || failed=1
echo "| server peak RSS (VmHWM) | MB |"
echo "|---|---:|"
echo "| start and seeding $EVENTS events | $(mb "$seed_hwm") |"
if [ "$reset_hwm" = 1 ]; then
    echo "| after seeding, through the reads (VmHWM reset after seeding) | $(mb "$reads_hwm") |"
else
    echo "| whole run (clear_refs not writable: not reset after seeding) | $(mb "$reads_hwm") |"
fi
echo "| RSS at the end | $(mb "$rss_end") |"
exit "$failed"
