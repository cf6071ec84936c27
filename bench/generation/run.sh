#!/usr/bin/env bash
# Generation benchmark, side by side in one run on this machine (README.md next to this script):
#   (the raw engine's own ceiling is llama.cpp's batched-bench: engine-ceiling.sh and ceiling-compare.sh)
#   (b) our generation service over gRPC (GenerateStream)     (c) the same over REST (OpenAI SSE endpoint)
#   (d) llama-cpp-python's OpenAI server (scripts/llama-server.sh)
# Same GGUF (SmolLM2-135M-Instruct Q4_1), same 2 threads, same 16 prompts, greedy, 64 tokens per request,
# at 1, 2, 4, 8 and 16 concurrent streams (each sends 2 requests back to back). One system runs at a time.
# Writes results/generation.{jsonl,md,png}. Never run by the tests or CI; ~10 minutes on 2 cores.
#
#   bench/generation/run.sh [--quick]      (--quick: 1,4 streams, 1 request each, for trying the script)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}"
results="$here/results"
levels=1,2,4,8,16
per_stream=2
[[ "${1:-}" == "--quick" ]] && { levels=1,4; per_stream=1; }
threads=${RAG_BENCH_THREADS:-2}
slots=16
ctx=512
max_tokens=64
port=18383
source "$root/scripts/java-home.sh" || exit 1
source "$here/service.sh"
mkdir -p "$results" "$cache/bench"

echo "== build" >&2
(cd "$root" && ./mvnw -q -B -ntp package -DskipTests -pl generation-service -am)
model=$("$root/scripts/fetch-model.sh" | tail -n 1)

echo "== load generator virtualenv" >&2
venv="$cache/venv-bench-generation"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"

out="$results/generation.jsonl"
: > "$out"
load() { "$venv/bin/python" "$here/load.py" --concurrency "$levels" --per-stream "$per_stream" --max-tokens "$max_tokens" "$@"; }

echo "== (b, c) generation service: gRPC, then REST (OpenAI SSE)" >&2
log="$cache/bench/generation-service.log"
mkdir -p "$cache/bench"
trap stop_service EXIT
start_service "$port" "$log" RAG_GENERATION_MODEL_PATH="$model" RAG_GENERATION_SLOTS="$slots" \
    RAG_GENERATION_CONTEXT_PER_SLOT="$ctx" RAG_GENERATION_THREADS="$threads" RAG_GENERATION_MAX_QUEUED=64
load --target grpc --url "127.0.0.1:$port" --label "ours, gRPC" >> "$out"
load --target openai --url "http://127.0.0.1:$port/v1" --label "ours, REST (OpenAI SSE)" >> "$out"
curl -sf "http://127.0.0.1:$port/q/metrics" | grep -E '^rag_generation_(inter_token_latency|time_to_first_token)_seconds_(sum|count)' \
    > "$results/generation-service-metrics.txt" || true
stop_service
trap - EXIT

echo "== (d) llama-cpp-python's server" >&2
# A fresh server with this run's thread count (one the tests left running is stopped first).
"$root/scripts/llama-server.sh" stop
llama_url=$(RAG_LLAMA_SERVER_THREADS=$threads "$root/scripts/llama-server.sh" start "$model" | tail -n 1)
load --target openai --url "$llama_url" --label "llama-cpp-python server" >> "$out"
"$root/scripts/llama-server.sh" stop

echo "== report" >&2
"$venv/bin/python" "$here/report.py" "$out" --out "$results/generation"
