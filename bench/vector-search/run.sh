#!/usr/bin/env bash
# Vector search benchmark, side by side in one run on this machine (see README.md next to this script):
#   ours in process (LuceneVectorStore, as the service runs it), ours over gRPC (the packaged service),
#   hnswlib and FAISS HNSW - same vectors, same M / ef_construction, one thread each;
#   plus retrieval quality of dense, BM25 and hybrid on labelled FOLDOC terms.
# Vectors: ~101k chunks of FOLDOC, the Debian handbook and GCIDE embedded by our embedding service
# (all-MiniLM-L6-v2, 384-d); the last 1,000 (pseudo-random order) are held apart as queries; ground truth
# by exact brute force. Writes results/vector-search.{jsonl,md,png}.
#
#   bench/vector-search/run.sh          (~45 min on 2 cores, most of it embedding the corpus once;
#                                        the vectors are cached under ${RAG_CACHE_DIR:-~/.cache/rag-suite})
#   bench/vector-search/run.sh --ours-only   re-measures our side only, keeping the peers' rows of the
#                                        last run (same machine and vectors), e.g. after a change to ours
# Never run by the tests or CI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}"
data="$cache/bench/vector-search"
results="$here/results"
m=16
efc=100
efs=10,16,24,32,48,64,96,128,192,256,384
ours_only=false
[[ ${1:-} == --ours-only ]] && ours_only=true
source "$root/scripts/java-home.sh" || exit 1
mkdir -p "$data" "$results"

echo "== build" >&2
(cd "$root" && ./mvnw -q -B -ntp install -DskipTests -pl rag-api,service-support,vector-search-service,embedding-service \
    && ./mvnw -q -B -ntp package -DskipTests -pl bench/vector-search)

echo "== virtualenv" >&2
venv="$cache/venv-vector-bench"
stamp="$venv/.requirements"
if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$here/requirements.txt" "$stamp"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$stamp"
fi

echo "== corpus" >&2
# Debian packages, downloaded (no root needed) and unpacked under the cache: FOLDOC, the handbook, GCIDE.
debs="$cache/bench/debs"
"$root/scripts/unpack-debs.sh" "$debs" dict-foldoc debian-handbook dict-gcide
if [[ ! -f "$data/chunks.jsonl" ]]; then
    python3 "$here/corpus.py" --foldoc "$debs/dict-foldoc/usr/share/dictd" \
        --handbook "$debs/debian-handbook/usr/share/doc/debian-handbook/html/en-US" \
        --gcide "$debs/dict-gcide/usr/share/dictd" --out "$data"
fi

if [[ ! -f "$data/meta.json" ]]; then
    echo "== embedding the corpus with our embedding service" >&2
    source "$root/bench/embedding/lib.sh"
    start_embedding_service
    trap stop_embedding_service EXIT
    "$venv/bin/python" "$here/prepare.py" --dir "$data" --url "http://127.0.0.1:$service_port"
    stop_embedding_service
    trap - EXIT
fi

out="$results/vector-search.jsonl"
if $ours_only && [[ -f $out ]]; then
    grep -v '"system": *"ours' "$out" > "$out.peers" || true
    mv "$out.peers" "$out"
else
    : > "$out"
fi
bench_java() {
    java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g \
        -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" \
        io.ragsuite.bench.vectorsearch.VectorBench "$@" --dir "$data" --out "$out"
}
store="$data/store"
rm -rf "$store"

echo "== ours, in process: build, search as loaded, optimize, search (none, int8)" >&2
# Loaded as a client would (batches of 1,000, each committed) the index has several segments, each with
# its own graph; the Optimize RPC merges them into one, as one does after a bulk load.
for q in none int8; do
    bench_java build --store "$store" --quantization "$q" --m "$m" --ef-construction "$efc"
    # As loaded a search is ~20x slower, so one timed pass per ef there; optimized, the median of 7 (as the peers).
    bench_java search --store "$store" --quantization "$q" --ef "$efs" --passes 1 --label "ours (Lucene, in process, as loaded)"
    bench_java optimize --store "$store" --quantization "$q"
    bench_java search --store "$store" --quantization "$q" --ef "$efs"
done

echo "== ours, over gRPC (the packaged service on the same store)" >&2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RAG_VECTOR_DATA_DIR="$store" QUARKUS_HTTP_PORT="$port" QUARKUS_HTTP_HOST=127.0.0.1 \
    java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -jar "$root/vector-search-service/target/quarkus-app/quarkus-run.jar" > "$data/service.log" 2>&1 &
service_pid=$!
trap 'kill $service_pid 2>/dev/null || true' EXIT
for _ in $(seq 120); do
    curl -sf "http://127.0.0.1:$port/q/health/ready" > /dev/null && break
    sleep 1
done
for q in none int8; do
    bench_java grpc --port "$port" --quantization "$q" --ef "$efs"
done
kill "$service_pid"
wait "$service_pid" 2>/dev/null || true
trap - EXIT

if ! $ours_only; then
    echo "== hnswlib and FAISS" >&2
    "$venv/bin/python" "$here/peers.py" --dir "$data" --out "$out" --m "$m" --ef-construction "$efc" --ef "$efs"
fi

echo "== retrieval quality: dense, BM25, hybrid" >&2
bench_java quality --store "$store"

echo "== report" >&2
"$venv/bin/python" "$here/report.py" "$out" --meta "$data/meta.json" --out "$results/vector-search"
