#!/usr/bin/env bash
# Issue "1 of 5" speed targets, measured side by side in one run on this machine:
#   - publish and pull+ack msgs/s, ~300-byte messages in batches of 1,000, keep-alive connections, against
#     Google's Pub/Sub emulator and against the local cloud (aqueduct-server serve), same client, same run;
#   - insertAll rows/s in 500-row batches into one table, and the newest 100 rows of a large table by query,
#     over HTTP and through the in-process route (10 million rows by default).
# Usage: bench/run-localcloud-bench.sh [build-dir] ; env MESSAGES (200000), ROWS (1000000), QUERIES (200),
#        ROWS_IN_PROCESS (10000000)
# Writes one JSON line per measurement to stdout. Build with -DCMAKE_BUILD_TYPE=Release for figures.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
MESSAGES=${MESSAGES:-200000}
ROWS=${ROWS:-1000000}
QUERIES=${QUERIES:-200}
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

wait_http() {   # url
    for _ in $(seq 1 300); do
        curl -s -o /dev/null "$1" && return 0
        sleep 0.2
    done
    echo "no answer from $1" >&2
    return 1
}

local_port=$(free_port)
"$BUILD/app/aqueduct-server" serve --no-ingest --data-dir "$work/local" --listen "127.0.0.1:$local_port" 2>"$work/local.log" &
pids+=($!)
wait_http "http://127.0.0.1:$local_port/healthz"

if command -v gcloud >/dev/null 2>&1; then
    emulator_port=$(free_port)
    gcloud beta emulators pubsub start --project=bench --host-port="127.0.0.1:$emulator_port" >"$work/emulator.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$emulator_port/v1/projects/bench/topics"
    "$BUILD/bench/benchpubsub" --endpoint "http://127.0.0.1:$emulator_port" --name google-pubsub-emulator --messages "$MESSAGES"
else
    echo '{"server":"google-pubsub-emulator","skipped":"gcloud not found"}'
fi
"$BUILD/bench/benchpubsub" --endpoint "http://127.0.0.1:$local_port" --name aqueduct-local-cloud --messages "$MESSAGES"
"$BUILD/bench/benchbigquery" --endpoint "http://127.0.0.1:$local_port" --rows "$ROWS" --queries "$QUERIES" --in-flight 16
# The same insertAll and query load through the app's in-process route (no HTTP), on a larger table:
# the newest 100 rows of a 10-million-row table. ROWS_IN_PROCESS=0 skips it.
ROWS_IN_PROCESS=${ROWS_IN_PROCESS:-10000000}
if [ "$ROWS_IN_PROCESS" -gt 0 ]; then
    "$BUILD/bench/benchbigquery" --in-process "$work/in-process" --rows "$ROWS_IN_PROCESS" --queries "$QUERIES" --in-flight 16 2>/dev/null
fi
