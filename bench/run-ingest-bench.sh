#!/usr/bin/env bash
# Issue "3 of 5", section 6: end-to-end ingest on the local cloud, from the first publish to the last row stored.
#   1. events/s with the pipeline in this process (as the console runs it), ROUNDS times;
#   2. the same over HTTP against `aqueduct-server serve` (its pipeline ingests), a fresh server each round;
#   3. end-to-end latency p50/p95/p99 at a steady RATE events/s for DURATION s, LATENCY_ROUNDS times;
#   4. events/s in-process with Google's Pub/Sub emulator as the Pub/Sub side (BigQuery local), EMULATOR_MESSAGES
#      events, ROUNDS times, when gcloud and the emulator are installed.
# Usage: bench/run-ingest-bench.sh [build-dir] ; env MESSAGES (200000), ROUNDS (3), RATE (10000), DURATION (30),
# LATENCY_ROUNDS (3), HTTP (1: also over HTTP), EMULATOR (1), EMULATOR_MESSAGES (20000). Prints one JSON line per
# run (bench/benchingest), then the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
MESSAGES=${MESSAGES:-200000}
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-10000}
DURATION=${DURATION:-30}   # not SECONDS: bash counts its own run time in that one
LATENCY_ROUNDS=${LATENCY_ROUNDS:-3}
HTTP=${HTTP:-1}
EMULATOR=${EMULATOR:-1}
EMULATOR_MESSAGES=${EMULATOR_MESSAGES:-20000}
work=$(mktemp -d)
server=""
emulator=""
stop_server() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        server=""
    fi
}
stop_emulator() {
    if [ -n "$emulator" ]; then
        kill -- "-$emulator" 2>/dev/null || true
        wait "$emulator" 2>/dev/null || true
        emulator=""
    fi
}
trap 'stop_server; stop_emulator; rm -rf "$work"' EXIT

field() { sed -E "s/.*\"$1\":([0-9.]+).*/\1/" <<<"$2"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

inproc=(); http=(); p50=(); p95=(); p99=()
for round in $(seq 1 "$ROUNDS"); do
    line=$("$BUILD/bench/benchingest" --messages "$MESSAGES" 2>/dev/null)
    echo "$line"; inproc+=("$(field events_per_s "$line")")
done

if [ "$HTTP" = 1 ]; then
    for round in $(seq 1 "$ROUNDS"); do
        mkdir -p "$work/http-$round"
        "$BUILD/app/aqueduct-server" serve --data-dir "$work/http-$round" --listen 127.0.0.1:0 2>"$work/http-$round.log" &
        server=$!
        endpoint=""
        for _ in $(seq 1 300); do
            endpoint=$(sed -nE 's/.*serving the local cloud on (http:[^ ]+).*/\1/p' "$work/http-$round.log")
            [ -n "$endpoint" ] && break
            sleep 0.1
        done
        [ -n "$endpoint" ] || { echo "aqueduct-server did not start:" >&2; cat "$work/http-$round.log" >&2; exit 1; }
        line=$("$BUILD/bench/benchingest" --endpoint "$endpoint" --server-pid "$server" --messages "$MESSAGES" 2>/dev/null)
        echo "$line"; http+=("$(field events_per_s "$line")")
        stop_server
    done
fi

for round in $(seq 1 "$LATENCY_ROUNDS"); do
    line=$("$BUILD/bench/benchingest" --rate "$RATE" --seconds "$DURATION" 2>/dev/null)
    echo "$line"
    p50+=("$(field latency_ms_p50 "$line")"); p95+=("$(field latency_ms_p95 "$line")"); p99+=("$(field latency_ms_p99 "$line")")
done

withemulator=()
if [ "$EMULATOR" = 1 ] && command -v gcloud >/dev/null 2>&1; then
    # A fresh emulator each round: one that ran a round still holds that pipeline's last leased, unacknowledged
    # messages and redelivers them a minute later.
    for round in $(seq 1 "$ROUNDS"); do
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
        mkdir -p "$work/emulator-$round"
        CLOUDSDK_CONFIG="$work/gcloud" CLOUDSDK_CORE_DISABLE_PROMPTS=1 setsid gcloud beta emulators pubsub start --project=aqueduct-local \
            --host-port="127.0.0.1:$port" --data-dir="$work/emulator-$round" >"$work/emulator-$round.log" 2>&1 &
        emulator=$!
        for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$port/v1/projects/aqueduct-local/topics" && break; sleep 0.2; done
        line=$("$BUILD/bench/benchingest" --pubsub-emulator "127.0.0.1:$port" --messages "$EMULATOR_MESSAGES" 2>/dev/null)
        echo "$line"; withemulator+=("$(field events_per_s "$line")")
        stop_emulator
    done
fi

summary="{\"summary\":\"medians\",\"rounds\":$ROUNDS,\"in_process_events_per_s\":$(printf '%s\n' "${inproc[@]}" | median)"
[ "$HTTP" = 1 ] && summary+=",\"http_events_per_s\":$(printf '%s\n' "${http[@]}" | median)"
[ ${#withemulator[@]} -gt 0 ] && summary+=",\"pubsub_emulator_events_per_s\":$(printf '%s\n' "${withemulator[@]}" | median)"
if [ "$LATENCY_ROUNDS" -gt 0 ]; then
    summary+=",\"paced_rate\":$RATE,\"latency_ms_p50\":$(printf '%s\n' "${p50[@]}" | median),\"latency_ms_p95\":$(printf '%s\n' "${p95[@]}" | median)"
    summary+=",\"latency_ms_p99\":$(printf '%s\n' "${p99[@]}" | median)"
fi
echo "$summary}"
