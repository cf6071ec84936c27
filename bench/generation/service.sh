# Sourced by the generation benchmarks (needs $root and $JAVA_HOME): the packaged generation service on loopback.
#   start_service PORT LOG [NAME=VALUE ...]   starts it with those settings, sets $service to its pid, waits until
#                                             it is ready; exits with the log's tail if it is not within 120 s
#   stop_service                              stops the one started last
start_service() {
    local port=$1 log=$2
    shift 2
    env "$@" QUARKUS_HTTP_PORT="$port" \
        "$JAVA_HOME/bin/java" -jar "$root/generation-service/target/quarkus-app/quarkus-run.jar" > "$log" 2>&1 &
    service=$!
    for _ in $(seq 120); do
        curl -sf "http://127.0.0.1:$port/q/health/ready" > /dev/null && return 0
        kill -0 "$service" 2>/dev/null || break
        sleep 1
    done
    echo "the generation service did not start; see $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
}

stop_service() {
    if [[ -n ${service:-} ]]; then
        kill "$service" 2>/dev/null || true
        wait "$service" 2>/dev/null || true
    fi
    service=""
}
