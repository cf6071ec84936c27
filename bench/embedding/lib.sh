# shellcheck shell=bash
# Shared by run.sh and gpu-check.sh (source it after setting $root and $cache).

# The Java load generator (EmbeddingBench). C1-only and the serial collector keep its own CPU use small:
# it shares the cores with what it measures.
bench_java() {
    java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED \
        -cp "$root/bench/embedding/target/classes:$(cat "$root/bench/embedding/target/classpath.txt")" \
        io.ragsuite.bench.embedding.EmbeddingBench "$@"
}

# Starts the packaged embedding service on a free loopback port with the given extra environment
# (e.g. RAG_EMBEDDING_EXECUTION_PROVIDER=cuda) and waits until it is ready. Sets $service_pid, $service_port.
start_embedding_service() {
    service_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    local log="$cache/bench/embedding-service-$service_port.log"
    env "$@" QUARKUS_HTTP_PORT="$service_port" QUARKUS_HTTP_HOST=127.0.0.1 \
        java --enable-native-access=ALL-UNNAMED -jar "$root/embedding-service/target/quarkus-app/quarkus-run.jar" \
        > "$log" 2>&1 &
    service_pid=$!
    for _ in $(seq 180); do
        curl -sf "http://127.0.0.1:$service_port/q/health/ready" > /dev/null && return 0
        if curl -s "http://127.0.0.1:$service_port/q/health/ready" | grep -q "failed to load"; then
            echo "embedding service could not load its models; its log:" >&2
            grep -E "ERROR|WARN" "$log" | tail -5 >&2
            return 1
        fi
        if ! kill -0 "$service_pid" 2>/dev/null; then
            echo "embedding service exited during startup; its log:" >&2
            tail -20 "$log" >&2
            return 1
        fi
        sleep 1
    done
    echo "embedding service not ready after 180 s, see $log" >&2
    return 1
}

stop_embedding_service() {
    kill "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
}
