#!/usr/bin/env bash
# llama-cpp-python's OpenAI-compatible server on loopback, serving the same GGUF as the generation service:
# a real server we did not write, for the generation service's openai backend tests and benchmark.
#   scripts/llama-server.sh start [GGUF]   installs (once) and starts it; prints its base URL (.../v1) last
#   scripts/llama-server.sh stop|url
# The virtualenv lives outside the repo (RAG_CACHE_DIR); pip builds llama.cpp from source the first time
# (~10 min on 2 cores). Concurrent requests wait for each other (--interrupt_requests false; by default the
# server cuts off a stream when the next request arrives). Settings: RAG_LLAMA_SERVER_PORT (18090), RAG_LLAMA_SERVER_THREADS (2),
# RAG_LLAMA_SERVER_CTX (2048), RAG_LLAMA_SERVER_ALIAS (smollm2-135m-instruct).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}
venv="$cache/venv-llama-server"
req="$root/scripts/llama-server.requirements.txt"
port=${RAG_LLAMA_SERVER_PORT:-18090}
run="$cache/llama-server"
pidfile="$run/server-$port.pid"
log="$run/server-$port.log"

die() { echo "llama-server.sh: error: $*" >&2; exit 1; }
info() { echo "llama-server.sh: $*" >&2; }
url() { echo "http://127.0.0.1:$port/v1"; }
running() { [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

stop() {
    if running; then
        local pid
        pid=$(cat "$pidfile")
        kill "$pid"
        # Wait until it is gone, so a server started next can take the port.
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        rm -f "$pidfile"
    fi
}

# pip builds llama.cpp with native instructions: the venv is rebuilt for another CPU or other requirements
# (scripts/native-venv.sh).
install() {
    if ! "$root/scripts/native-venv.sh" current "$venv" "$req"; then
        info "installing llama-cpp-python[server] into $venv (builds llama.cpp; several minutes the first time)"
        stop   # a server still running from the old venv would lose its files
        "$root/scripts/native-venv.sh" build "$venv" "$req" || die "pip install failed"
    fi
}

start() {
    local model=${1:-}
    [[ -n $model ]] || model=$("$root/scripts/fetch-model.sh" | tail -n 1)
    [[ -f $model ]] || die "no GGUF at $model"
    install
    mkdir -p "$run"
    if ! running; then
        info "starting llama-cpp-python server on 127.0.0.1:$port ($model)"
        nohup "$venv/bin/python" -m llama_cpp.server --model "$model" --host 127.0.0.1 --port "$port" \
            --model_alias "${RAG_LLAMA_SERVER_ALIAS:-smollm2-135m-instruct}" \
            --n_ctx "${RAG_LLAMA_SERVER_CTX:-2048}" --n_threads "${RAG_LLAMA_SERVER_THREADS:-2}" \
            --interrupt_requests false \
            > "$log" 2>&1 < /dev/null &
        echo $! > "$pidfile"
    fi
    for _ in $(seq 120); do
        curl -sf "$(url)/models" > /dev/null && { url; return 0; }
        running || die "the server exited; see $log"
        sleep 1
    done
    die "the server did not answer within 120 s; see $log"
}

case ${1:-} in
    start) start "${2:-}" ;;
    stop) stop ;;
    url) url ;;
    install) install ;;
    *) echo "usage: $0 start [GGUF]|stop|url|install" >&2; exit 2 ;;
esac
