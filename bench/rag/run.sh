#!/usr/bin/env bash
# The RAG race (README.md next to this script): our four services against the same pipeline written as a Ray
# Serve application (bench/peers/ray_serve_rag.py), one system at a time on this machine, driven by the same
# open-loop load generator (load.py) with the same 1,500 FOLDOC passages, the same 50 questions in the same
# order at the same (seeded Poisson) arrival times, the same GGUF, threads, top_k and answer length.
#   1. ours: ./rag up --no-build --no-sample on ports 18481-18484, ingest, fixed rates, sweep; ./rag down
#   2. Ray Serve: the peer on port 18490, ingest, the same load; stop
# Writes results/rag-race.{jsonl,md,png} (report.py). Never run by the tests or CI.
#
#   bench/rag/run.sh [--quick] [--max-tokens N] [--slots N]
#     --quick        15 s per level, fixed rates 0.5 and 1 req/s, a 2-step sweep (for trying the script; ~10 min)
#     --max-tokens   answer length for both systems (default 32; generation dominates every answer)
#     --slots        our generation service's parallel sequences (default: its shipped default)
#   Environment: RAG_BENCH_DURATION (s per level), RAG_BENCH_RATES (fixed rates), RAG_BENCH_THREADS
#     (llama.cpp threads of both systems; default: each system's own default).
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1  # corpus.py imports bench/embedding's make_sentences: leave no caches there
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}"
results="$here/results"
quick=false
max_tokens=32
slots=0
while (( $# )); do
    case $1 in
        --quick) quick=true ;;
        --max-tokens) max_tokens=$2; shift ;;
        --slots) slots=$2; shift ;;
        *) echo "usage: $0 [--quick] [--max-tokens N] [--slots N]" >&2; exit 2 ;;
    esac
    shift
done
# Threads and slots: each system's own defaults unless given (ours: 1 decode thread and all CPUs for prompts
# on 2 CPUs, EngineThreads; llama-cpp-python: cpu_count() // 2 and cpu_count(), the same here).
threads=${RAG_BENCH_THREADS:-0}
top_k=4
if $quick; then
    duration=${RAG_BENCH_DURATION:-15}; rates=${RAG_BENCH_RATES:-0.5,1}
    sweep=(--sweep --sweep-start 1.5 --sweep-factor 1.5 --sweep-max-steps 2 --refine 0 --warmup 4)
else
    duration=${RAG_BENCH_DURATION:-60}; rates=${RAG_BENCH_RATES:-0.5,1,1.5}
    sweep=(--sweep --sweep-start 0.3 --sweep-factor 1.3 --sweep-max-steps 9 --refine 1 --warmup 8)
fi
limits=4000,8000
ours_port=18484
ray_port=18490
mkdir -p "$results" "$cache/bench"
work=$(mktemp -d "${TMPDIR:-/tmp}/rag-race.XXXXXX")

echo "== virtualenv (Ray Serve peer, load generator, report)" >&2
venv="$cache/venv-bench-rag"
# llama-cpp-python compiles llama.cpp with native instructions (a few minutes on 2 cores): the venv is rebuilt
# for another CPU or other requirements (scripts/native-venv.sh).
"$root/scripts/native-venv.sh" ensure "$venv" "$here/requirements.txt"
py="$venv/bin/python"

echo "== corpus and questions" >&2
model=$("$root/scripts/fetch-model.sh" | tail -n 1)
dict=/usr/share/dictd
if [[ ! -f "$dict/foldoc.index" ]]; then
    dict="$cache/foldoc/usr/share/dictd"
    if [[ ! -f "$dict/foldoc.index" ]]; then
        (cd "$cache/bench" && apt-get download dict-foldoc >&2 && dpkg-deb -x dict-foldoc_*.deb "$cache/foldoc")
    fi
fi
"$py" "$here/corpus.py" --dict-dir "$dict" --out "$work/corpus" --check "$here/questions.json"
passages="$work/corpus/passages.jsonl"
questions="$here/questions.json"

out="$results/rag-race.jsonl"
raw="$cache/bench/rag-race-requests.jsonl"
: > "$out"
: > "$raw"
"$py" - "$out" <<EOF
import json, os, platform, sys, time
sys.path.insert(0, "$here")
from load import cpu_snapshot
a = cpu_snapshot(set()); time.sleep(5); b = cpu_snapshot(set())
busy = round((b[0] - a[0]) / 5, 2)
if busy > 0.2:
    print(f"warning: the machine is busy before the run ({busy} CPUs in use by others): the numbers will show it",
          file=sys.stderr)
line = {"busy_cpus_before": busy, "kind": "config", "quick": "$quick" == "true", "max_tokens": $max_tokens, "slots": $slots,
        "threads": $threads, "top_k": $top_k, "duration_s": $duration, "rates": "$rates",
        "p99_limits_ms": "$limits", "cpus": os.cpu_count(), "machine": platform.machine(),
        "passages": sum(1 for _ in open("$passages")), "questions": len(json.load(open("$questions"))),
        "model": os.path.basename("$model")}
open(sys.argv[1], "a").write(json.dumps(line) + "\n")
EOF
load() {
    "$py" "$here/load.py" --questions "$questions" --top-k $top_k --duration "$duration" --rates "$rates" \
        --p99-limits-ms "$limits" --raw "$raw" "${sweep[@]}" "$@" >> "$out"
}

# ---------------------------------------------------------------------------------------------------- ours
ours_env=(RAG_RUN_DIR="$work/ours" RAG_VECTOR_DATA_DIR="$work/ours/vector-data"
    RAG_EMBEDDING_PORT=18481 RAG_VECTOR_SEARCH_PORT=18482 RAG_GENERATION_PORT=18483 RAG_ORCHESTRATOR_PORT=$ours_port
    RAG_GENERATION_MODEL_PATH="$model"
    RAG_GENERATION_MAX_QUEUED=512 RAG_ORCHESTRATOR_MAX_ANSWER_TOKENS=$max_tokens
    # The peer has no guardrails: ours runs without them too (prompt-injection check, PII redaction), and
    # without the per-client rate limit (600 requests/min) and with a long enough waiting line in front of the
    # generation stage, so an overloaded level shows as latency, as it does for Ray, not as 429s.
    RAG_ORCHESTRATOR_INJECTION_QUESTION_POLICY=off RAG_ORCHESTRATOR_INJECTION_PASSAGE_POLICY=off
    RAG_ORCHESTRATOR_PII_ON_INGEST=false RAG_ORCHESTRATOR_PII_ON_ANSWER=false
    RAG_ORCHESTRATOR_AUTH_REQUESTS_PER_MINUTE=100000000 RAG_ORCHESTRATOR_AUTH_BURST=10000000
    IO_RAGSUITE_ORCHESTRATOR_CLIENTS_STAGECALLS_GENERATION_BULKHEAD_WAITINGTASKQUEUE=2048
    IO_RAGSUITE_ORCHESTRATOR_CLIENTS_STAGECALLS_EMBEDDING_BULKHEAD_WAITINGTASKQUEUE=2048
    IO_RAGSUITE_ORCHESTRATOR_CLIENTS_STAGECALLS_VECTORSEARCH_BULKHEAD_WAITINGTASKQUEUE=2048
    # Ingestion only (not measured): concurrent writes share one fsync.
    RAG_VECTOR_COMMIT_POLICY=group)
(( threads > 0 )) && ours_env+=(RAG_GENERATION_THREADS=$threads RAG_GENERATION_THREADS_BATCH=$threads)
(( slots > 0 )) && ours_env+=(RAG_GENERATION_SLOTS=$slots)
ray_pid=
cleanup() {
    env "${ours_env[@]}" "$root/rag" down > /dev/null 2>&1 || true
    if [[ -n $ray_pid ]]; then
        kill -TERM "$ray_pid" 2>/dev/null || true  # the driver shuts Serve and its local Ray down
        # Ray's processes all stay in the session setsid gave the driver (their process groups differ).
        session() { ps -eo pid=,sid= | awk -v s="$ray_pid" '$2 == s { print $1 }'; }
        for _ in $(seq 30); do [[ -z $(session) ]] && break; sleep 1; done
        session | xargs -r kill -KILL 2>/dev/null || true
    fi
}
trap cleanup EXIT

for jar in embedding-service vector-search-service generation-service rag-orchestrator; do
    for _ in $(seq 30); do  # someone may be rebuilding it right now: wait, never build here
        [[ -f "$root/$jar/target/quarkus-app/quarkus-run.jar" ]] && break
        echo "$jar's jar is missing; waiting" >&2; sleep 10
    done
done

echo "== ours: start (slots $slots, $threads threads, $max_tokens tokens per answer)" >&2
env "${ours_env[@]}" "$root/rag" up --no-build --no-sample > "$work/ours-up.log" 2>&1 \
    || { cat "$work/ours-up.log" >&2; exit 1; }
"$py" "$here/ingest.py" --target ours --url "http://127.0.0.1:$ours_port" --passages "$passages" --label ours \
    --concurrency 8 >> "$out"
load --url "http://127.0.0.1:$ours_port" --label ours --sessions "$(cat "$work"/ours/pids/*.pid | paste -sd,)"
env "${ours_env[@]}" "$root/rag" down >&2
cp "$work/ours/logs/generation-service.log" "$cache/bench/rag-race-generation-service.log" 2>/dev/null || true

# ----------------------------------------------------------------------------------------------- Ray Serve
echo "== Ray Serve: start (1 llama.cpp replica, $threads threads, $max_tokens tokens per answer)" >&2
ray_log="$cache/bench/rag-race-ray.log"
RAY_USAGE_STATS_ENABLED=0 setsid "$py" "$root/bench/peers/ray_serve_rag.py" --model "$model" --port $ray_port \
    --max-tokens "$max_tokens" --threads "$threads" > "$ray_log" 2>&1 < /dev/null &
ray_pid=$!
for _ in $(seq 300); do
    grep -q '^READY' "$ray_log" && break
    kill -0 $ray_pid 2>/dev/null || { tail -n 40 "$ray_log" >&2; exit 1; }
    sleep 1
done
grep -q '^READY' "$ray_log" || { tail -n 40 "$ray_log" >&2; echo "Ray Serve did not start" >&2; exit 1; }
"$py" "$here/ingest.py" --target ray --url "http://127.0.0.1:$ray_port" --passages "$passages" --label "Ray Serve" \
    >> "$out"
load --url "http://127.0.0.1:$ray_port" --label "Ray Serve" --sessions "$ray_pid"
curl -sf "http://127.0.0.1:$ray_port/v1/health" | "$py" -c \
    'import json, sys; h = json.load(sys.stdin); print(json.dumps({"system": "Ray Serve", "kind": "embedder_batches", **h["embedder"]}))' \
    >> "$out" || true
cleanup
ray_pid=

echo "== report" >&2
"$py" "$here/report.py" "$out" --out "$results/rag-race"
rm -rf "$work"
