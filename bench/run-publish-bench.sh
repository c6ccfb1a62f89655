#!/usr/bin/env bash
# Issue "2 of 5" speed target: PubSubClient publish msgs/s beside Google's official Node client publishing the same
# messages to the same server, in one run, against the local cloud (aqueduct-server) and Google's Pub/Sub emulator.
# Usage: bench/run-publish-bench.sh [build-dir] ; env MESSAGES (100000), ROUNDS (3), WARMUP (MESSAGES; 0 for none)
# Prints one JSON line per measurement, then one ratio line per server (medians). Build with Release for figures.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
MESSAGES=${MESSAGES:-100000}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-$MESSAGES}
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_http() {
    for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done
    echo "no answer from $1" >&2; return 1
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

local_port=$(free_port)
setsid "$BUILD/app/aqueduct-server" serve --no-ingest --data-dir "$work/local" --listen "127.0.0.1:$local_port" 2>"$work/local.log" &
pids+=($!)
wait_http "http://127.0.0.1:$local_port/healthz"
servers=("aqueduct-local-cloud 127.0.0.1:$local_port")
if command -v gcloud >/dev/null 2>&1; then
    emulator_port=$(free_port)
    mkdir -p "$work/emulator"
    CLOUDSDK_CONFIG="$work/gcloud" CLOUDSDK_CORE_DISABLE_PROMPTS=1 setsid gcloud beta emulators pubsub start --project=bench --host-port="127.0.0.1:$emulator_port" \
        --data-dir="$work/emulator" >"$work/emulator.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$emulator_port/v1/projects/bench/topics"
    servers+=("google-pubsub-emulator 127.0.0.1:$emulator_port")
else
    echo '{"server":"google-pubsub-emulator","skipped":"gcloud not found"}'
fi

ours_run() { "$BUILD/bench/benchpublisher" --endpoint "http://$1" --name "$2" --messages "$3" --topic "$4"; }
node_run() { node bench/publish-node.js "$1" "$2" "$3" bench "$4"; }
rate() { sed -E 's/.*"msgs_per_s":([0-9]+).*/\1/' <<<"$1"; }

for entry in "${servers[@]}"; do
    read -r name hostport <<<"$entry"
    # Google's emulator runs on the JVM and gets faster as its JIT warms up: left cold, whichever client goes first
    # pays for the warm-up. Both clients publish WARMUP messages untimed first, and the rounds alternate who starts.
    if (( WARMUP > 0 )); then
        ours_run "$hostport" "$name" "$WARMUP" bench-aq-warmup >/dev/null
        node_run "$hostport" "$name" "$WARMUP" bench-node-warmup >/dev/null
    fi
    ours=(); node=()
    for round in $(seq 1 "$ROUNDS"); do
        if (( round % 2 )); then
            line=$(ours_run "$hostport" "$name" "$MESSAGES" "bench-aq-$round"); echo "$line"; ours+=("$(rate "$line")")
            line=$(node_run "$hostport" "$name" "$MESSAGES" "bench-node-$round"); echo "$line"; node+=("$(rate "$line")")
        else
            line=$(node_run "$hostport" "$name" "$MESSAGES" "bench-node-$round"); echo "$line"; node+=("$(rate "$line")")
            line=$(ours_run "$hostport" "$name" "$MESSAGES" "bench-aq-$round"); echo "$line"; ours+=("$(rate "$line")")
        fi
    done
    a=$(printf '%s\n' "${ours[@]}" | median); b=$(printf '%s\n' "${node[@]}" | median)
    echo "{\"server\":\"$name\",\"aqueduct_median\":$a,\"node_median\":$b,\"ratio\":$(awk "BEGIN {printf \"%.2f\", $a/$b}")}"
done
