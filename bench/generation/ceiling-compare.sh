#!/usr/bin/env bash
# Our generation service against the engine's own ceiling, in one run on this machine: llama.cpp's
# batched-bench (engine-ceiling.sh: llama-cpp-python's vendored llama.cpp, same GGUF) decoding 1, 2, 4 and 8
# sequences together, and our service (8 slots) streaming to 1, 2, 4 and 8 concurrent clients over gRPC, at
# each thread count given ("default" = the service's own choice, EngineThreads; it is compared with the
# ceiling at the count it resolves to).
#
# Compared: decode throughput over all sequences. batched-bench: S_TG (generated tokens / decode time). Ours:
# streams x 1000 / inter-token gap p50 (ms), the gap being one decode step of all active sequences, so the
# service's own costs (gRPC, JNI, the scheduler) count while prefill does not, as for S_TG. Also the engine
# alone (EngineBench.java: LlamaCppEngine in one JVM, no service, no gRPC, no client on the same cores), by
# the same measure, to tell the engine's cost from the service's and the load generator's.
# All three run at the same flash-attention setting, RAG_BENCH_FLASH_ATTENTION (default on, the service's default
# rag.generation.flash-attention=true since 2026-12-08; batched-bench's own default, auto, turns it on for this CPU,
# so the runs before that day compared a ceiling with it against a service without it).
#   bench/generation/ceiling-compare.sh ["default 2"]     writes results/ceiling-compare.md (-flash-off.md with it off)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}"
counts=${1:-"default 2"}
flash=${RAG_BENCH_FLASH_ATTENTION:-on}
[[ $flash == on || $flash == off ]] || { echo "ceiling-compare.sh: RAG_BENCH_FLASH_ATTENTION is on or off" >&2; exit 2; }
port=18386
source "$root/scripts/java-home.sh" || exit 1
source "$here/service.sh"
model=$("$root/scripts/fetch-model.sh" | tail -n 1)
bin=$("$here/engine-ceiling.sh" build)
venv="$cache/venv-bench-generation"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
out="$here/results/ceiling-compare.md"
[[ $flash == on ]] || out="$here/results/ceiling-compare-flash-off.md"
log="$cache/bench/ceiling-compare-service.log"
mkdir -p "$cache/bench" "$here/results"
trap stop_service EXIT

{
    echo "# Our generation service vs llama.cpp's batched-bench ($(date -u +%F), $(nproc) CPUs)"
    echo
    echo "\`RAG_BENCH_FLASH_ATTENTION=$flash bench/generation/ceiling-compare.sh \"$counts\"\`: decode tokens/s over all sequences; 64 tokens per sequence,"
    echo "prompts of about 48 tokens (ours: bench/generation/prompts.json in the chat template; batched-bench: -npp 48)."
    echo
    echo "| threads | sequences | batched-bench S_TG | engine alone | engine / ceiling | service (streams x 1000 / ITL p50) | service / ceiling |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
} > "$out"

for t in $counts; do
    env_threads=()
    if [[ $t == default ]]; then
        resolved=$(( $(nproc) / 2 )); (( resolved < 1 )) && resolved=1
    else
        resolved=$t; env_threads=(RAG_GENERATION_THREADS="$t")
    fi
    ceiling=$("$bin/llama-batched-bench" -m "$model" -c 4096 -b 2048 -ub 512 -t "$resolved" -tb "$(nproc)" -fa "$flash" \
        -npp 48 -ntg 64 -npl 1,2,4,8 2>/dev/null | grep '^|' | tail -n 4 | awk -F'|' '{gsub(/ /,""); print $4" "$9}')
    engine=$("$JAVA_HOME/bin/java" -cp "$root/generation-service/target/quarkus-app/lib/main/*:$root/generation-service/target/classes" \
        "$here/EngineBench.java" "$model" 8 "$resolved" "$(nproc)" 1,2,4,8 64 "$here/prompts.json" "$flash" 2>> "$log")
    start_service "$port" "$log" ${env_threads[@]+"${env_threads[@]}"} RAG_GENERATION_MODEL_PATH="$model" \
        RAG_GENERATION_SLOTS=8 RAG_GENERATION_CONTEXT_PER_SLOT=512 RAG_GENERATION_MAX_QUEUED=64 \
        RAG_GENERATION_FLASH_ATTENTION="$([[ $flash == on ]] && echo true || echo false)"
    ours=$("$venv/bin/python" "$here/load.py" --target grpc --url "127.0.0.1:$port" --label ours --concurrency 1,2,4,8 \
        --per-stream 2 --max-tokens 64 2>> "$log")
    stop_service
    while read -r b stg; do
        itl=$(echo "$ours" | python3 -c "import json,sys; rows=[json.loads(l) for l in sys.stdin if l.startswith('{')]; print(next(r['itl_ms_p50'] for r in rows if r['concurrency']==$b))")
        e=$(echo "$engine" | python3 -c "import json,sys; rows=[json.loads(l) for l in sys.stdin if l.startswith('{')]; print(next(r['decode_tokens_per_s'] for r in rows if r['concurrency']==$b))")
        python3 -c "b=$b; s=$stg; e=$e; o=b*1000/$itl; print(f'| $t ($resolved) | {b} | {s:.1f} | {e:.1f} | {e/s:.2f} | {o:.1f} | {o/s:.2f} |')" >> "$out"
    done <<< "$ceiling"
done
cat "$out"
