#!/usr/bin/env bash
# Generation under CPU contention: one answer at a time (64 tokens, greedy), on a quiet machine and with one
# core taken by a busy loop in another process, for
#   - llama.cpp's own llama-bench (llama-cpp-python's vendored llama.cpp, built by engine-ceiling.sh), and
#   - our generation service (our binding over the same llama.cpp since 2026-12-07), at each thread count given,
# so that the cost of more decode threads than free cores shows in both engines alike.
#   bench/generation/contention.sh [THREAD_COUNTS]     (default "1 2"; 0 = the service's default)
# Writes results/contention.md. Needs the packaged generation service (./mvnw package -pl generation-service).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}"
counts=${1:-"1 2"}
port=18384
source "$root/scripts/java-home.sh" || exit 1
source "$here/service.sh"
model=$("$root/scripts/fetch-model.sh" | tail -n 1)
bin=$("$here/engine-ceiling.sh" build)
log="$cache/bench/contention-service.log"
out="$here/results/contention.md"
mkdir -p "$cache/bench" "$here/results"

hog=""
hog_on() { sh -c 'while :; do :; done' & hog=$!; sleep 1; }
hog_off() { [[ -n $hog ]] && kill "$hog" 2>/dev/null; hog=""; }
service=""
trap 'hog_off; stop_service' EXIT

# Tokens/s of llama-bench's tg64 (5 repetitions).
raw() { "$bin/llama-bench" -m "$model" -p 0 -n 64 -t "$1" -r 5 -o csv 2>/dev/null | tail -n 1 | awk -F, '{gsub(/"/,""); print $(NF-1)}'; }

# Median tokens/s of 5 requests of 64 greedy tokens to the running service (its own decode timing).
ours() {
    python3 - "$port" <<'EOF'
import json, sys, urllib.request, statistics
port = sys.argv[1]
rates = []
for i in range(6):
    body = json.dumps({"messages": [{"role": "user", "content": "Write a story about a lighthouse keeper."}],
                       "max_tokens": 64, "temperature": 0, "ignore_eos": True}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/generate", body, {"content-type": "application/json"})
    r = json.load(urllib.request.urlopen(req, timeout=120))
    if i > 0:  # the first warms the slot
        rates.append(r["usage"]["completion_tokens"] * 1e6 / r["timing"]["compute_us"])
print(f"{statistics.median(rates):.1f}")
EOF
}

{
    echo "# Generation under contention ($(date -u +%F), $(nproc) CPUs)"
    echo
    echo "\`bench/generation/contention.sh \"$counts\"\`: one sequence, 64 greedy tokens; tokens/s (llama-bench tg64, or the"
    echo "service's completion tokens over its compute time, median of 5). \"busy\": another process spins on one core."
    echo
    echo "| engine | threads | quiet tok/s | one core busy tok/s | busy / quiet |"
    echo "|---|---:|---:|---:|---:|"
} > "$out"
for t in $counts; do
    tt=$t; [[ $t == 0 ]] && tt=$(nproc)
    q=$(raw "$tt"); hog_on; b=$(raw "$tt"); hog_off
    echo "| llama-bench (llama-cpp-python $(basename "$(dirname "$bin")" | sed 's/llama-build-//')) | $tt | $q | $b | $(python3 -c "print(f'{$b/$q:.2f}')") |" >> "$out"
done
for t in $counts; do
    start_service "$port" "$log" RAG_GENERATION_MODEL_PATH="$model" RAG_GENERATION_THREADS="$t"
    q=$(ours); hog_on; b=$(ours); hog_off
    stop_service
    label=$t; [[ $t == 0 ]] && label="default"
    echo "| ours | $label | $q | $b | $(python3 -c "print(f'{$b/$q:.2f}')") |" >> "$out"
done
cat "$out"
