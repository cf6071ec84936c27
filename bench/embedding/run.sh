#!/usr/bin/env bash
# Embedding benchmark, side by side in one run on this machine (see README.md next to this script):
#   (a) raw ONNX Runtime in one JVM (EmbeddingBench raw), several batch sizes and thread layouts
#   (b) the embedding service over gRPC, 1/4/16/64 concurrent clients, one sentence per request
#   (c) sentence-transformers on CPU        (d) onnxruntime in Python
# all on the same 5,000 FOLDOC sentences and all-MiniLM-L6-v2. Writes results/embedding-cpu.{jsonl,md,png}.
#
#   bench/embedding/run.sh [--quick]     (--quick: 1,000 sentences, for trying the script)
#
# Needs ~6 GB under ${RAG_CACHE_DIR:-~/.cache/rag-suite} for the reference virtualenv (torch), shared with
# embedding-service/goldens. Never run by the tests or CI. Takes ~25 minutes on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}"
results="$here/results"
count=5000
[[ "${1:-}" == "--quick" ]] && count=1000
source "$root/scripts/java-home.sh" || exit 1
mkdir -p "$cache/bench" "$results"

echo "== build" >&2
(cd "$root" && ./mvnw -q -B -ntp package -DskipTests -pl bench/embedding -am)

echo "== sentences" >&2
sentences=$("$here/sentences.sh" "$count")

echo "== reference virtualenv" >&2
venv="$cache/venv-goldens"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"

out="$results/embedding-cpu.jsonl"
: > "$out"
source "$here/lib.sh"

echo "== (a) raw ONNX Runtime in the JVM" >&2
bench_java raw --sentences "$sentences" --batch-sizes 1,8,32 --threads 0 --parallel 1 >> "$out"
bench_java raw --sentences "$sentences" --batch-sizes 1,8,32 --threads 1 --parallel 2 >> "$out"
bench_java raw --sentences "$sentences" --batch-sizes 8,32 --threads 1 --parallel 2 --sort true >> "$out"

echo "== (b) embedding service over gRPC" >&2
start_embedding_service
trap stop_embedding_service EXIT
bench_java grpc --target "127.0.0.1:$service_port" --sentences "$sentences" --concurrency 1,4,16,64 >> "$out"
curl -sf "http://127.0.0.1:$service_port/q/metrics" | grep -E '^rag_embedding_(batch_texts|batch_tokens)_(sum|count)' \
    > "$results/embedding-cpu-service-batches.txt" || true
stop_embedding_service
trap - EXIT

echo "== (c) sentence-transformers, (d) onnxruntime in Python" >&2
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
"$venv/bin/python" "$here/python_peers.py" st --sentences "$sentences" --batch-sizes 1,8,32 >> "$out"
"$venv/bin/python" "$here/python_peers.py" ort --sentences "$sentences" --batch-sizes 1,8,32 >> "$out"

echo "== report" >&2
"$venv/bin/python" "$here/report.py" "$out" --sentences "$sentences" --out "$results/embedding-cpu"
