#!/usr/bin/env bash
# Issue "2 of 5" speed target: PubSubClient publish msgs/s beside Google's official Node client publishing the same
# messages to the same server, in one run, against the local cloud (aqueduct-server) and Google's Pub/Sub emulator.
# Usage: bench/run-publish-bench.sh [build-dir] ; env MESSAGES (100000), ROUNDS (3)
# Prints one JSON line per measurement, then one ratio line per server (medians). Build with Release for figures.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
MESSAGES=${MESSAGES:-100000}
ROUNDS=${ROUNDS:-3}
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

for entry in "${servers[@]}"; do
    read -r name hostport <<<"$entry"
    ours=(); node=()
    for round in $(seq 1 "$ROUNDS"); do
        line=$("$BUILD/bench/benchpublisher" --endpoint "http://$hostport" --name "$name" --messages "$MESSAGES" --topic "bench-aq-$round")
        echo "$line"; ours+=("$(sed -E 's/.*"msgs_per_s":([0-9]+).*/\1/' <<<"$line")")
        line=$(node bench/publish-node.js "$hostport" "$name" "$MESSAGES" bench "bench-node-$round")
        echo "$line"; node+=("$(sed -E 's/.*"msgs_per_s":([0-9]+).*/\1/' <<<"$line")")
    done
    a=$(printf '%s\n' "${ours[@]}" | median); b=$(printf '%s\n' "${node[@]}" | median)
    echo "{\"server\":\"$name\",\"aqueduct_median\":$a,\"node_median\":$b,\"ratio\":$(awk "BEGIN {printf \"%.2f\", $a/$b}")}"
done
