#!/usr/bin/env bash
# The CUDA check of the embedding service, for a machine with an NVIDIA GPU (driver, CUDA 12, cuDNN 9):
#   1. proves the CUDA execution provider is active: the GPU build (-Pgpu) is started with
#      RAG_EMBEDDING_EXECUTION_PROVIDER=cuda and RAG_EMBEDDING_FALLBACK_TO_CPU=false, so it refuses to start
#      on CPU, and its metric rag_embedding_execution_provider must say provider="cuda";
#   2. measures GPU vs CPU throughput of the same build: raw ONNX Runtime in the JVM (both providers) and
#      the service over gRPC (16 and 64 clients) on each provider.
# Writes docs/benchmarks/embedding-gpu.md (and .jsonl).
#
#   bench/embedding/gpu-check.sh [--no-build] [--sentences FILE]
#
# --no-build uses embedding-service/target/quarkus-app and bench/embedding/target as built before with
#   ./mvnw -B -Pgpu package -DskipTests -pl bench/embedding -am   (needs Maven Central: the jar is ~550 MB)
# --sentences defaults to the 5,000 FOLDOC sentences of bench/embedding/sentences.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}"
build=1 sentences=""
while (($#)); do
    case "$1" in
        --no-build) build=0 ;;
        --sentences) sentences=$2; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
source "$root/scripts/java-home.sh" || exit 1
source "$here/lib.sh"
mkdir -p "$cache/bench" "$root/docs/benchmarks"
command -v nvidia-smi > /dev/null || { echo "gpu-check: nvidia-smi not found; this needs an NVIDIA GPU" >&2; exit 1; }
if ((build)); then
    (cd "$root" && ./mvnw -q -B -ntp -Pgpu package -DskipTests -pl bench/embedding -am)
fi
grep -q onnxruntime_gpu "$here/target/classpath.txt" \
    || { echo "gpu-check: bench/embedding was built without -Pgpu" >&2; exit 1; }
ls "$root/embedding-service/target/quarkus-app/lib/main/" | grep -q onnxruntime_gpu \
    || { echo "gpu-check: embedding-service was built without -Pgpu" >&2; exit 1; }
[[ -n "$sentences" ]] || sentences=$("$here/sentences.sh" 5000)

out="$root/docs/benchmarks/embedding-gpu.jsonl"
md="$root/docs/benchmarks/embedding-gpu.md"
: > "$out"
gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)

echo "== raw ONNX Runtime in the JVM: cuda, then cpu" >&2
bench_java raw --sentences "$sentences" --provider cuda --batch-sizes 32,128,256 >> "$out"
bench_java raw --sentences "$sentences" --provider cpu --batch-sizes 8,32 >> "$out"

provider_line=""
for provider in cuda cpu; do
    echo "== service over gRPC on $provider" >&2
    start_embedding_service RAG_EMBEDDING_EXECUTION_PROVIDER=$provider RAG_EMBEDDING_FALLBACK_TO_CPU=false \
        RAG_EMBEDDING_MAX_BATCH_TEXTS=128 RAG_EMBEDDING_WORKERS=2
    trap stop_embedding_service EXIT
    line=$(curl -sf "http://127.0.0.1:$service_port/q/metrics" | grep '^rag_embedding_execution_provider{')
    echo "$line" >&2
    if [[ $provider == cuda ]]; then
        [[ "$line" == *'provider="cuda"'* ]] || { echo "gpu-check: CUDA provider NOT active: $line" >&2; exit 1; }
        provider_line=$line
    fi
    bench_java grpc --target "127.0.0.1:$service_port" --sentences "$sentences" --concurrency 16,64 \
        | sed "s/\"system\":\"service-grpc\"/\"system\":\"service-grpc-$provider\"/" >> "$out"
    stop_embedding_service
    trap - EXIT
done

{
    echo "# Embedding service on GPU: CUDA provider check"
    echo
    echo "Run $(date -u +%F) on: $gpu; $(nproc) CPUs. Command: \`bench/embedding/gpu-check.sh\`."
    echo
    echo "The service started with \`RAG_EMBEDDING_EXECUTION_PROVIDER=cuda RAG_EMBEDDING_FALLBACK_TO_CPU=false\` and reported:"
    echo
    echo '```'
    echo "$provider_line"
    echo '```'
    echo
    echo "| system | detail | configuration | sentences/s | p50 ms | p99 ms |"
    echo "|---|---|---|---:|---:|---:|"
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    conf = f"batch {r[\"batch_size\"]}" if "batch_size" in r else f"{r[\"clients\"]} clients"
    print(f"| {r[\"system\"]} | {r[\"detail\"]} | {conf} | {r[\"sentences_per_s\"]} | {r[\"p50_ms\"]} | {r[\"p99_ms\"]} |")
' "$out"
    echo
    echo '```'
    nvidia-smi
    echo '```'
} > "$md"
cat "$md"
