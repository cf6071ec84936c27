#!/usr/bin/env bash
# The engine's own ceiling: llama.cpp's batched-bench (and llama-bench) built from the llama.cpp source that
# the PyPI package llama-cpp-python carries (vendor/llama.cpp in its sdist), run on the same GGUF with the
# same threads at 1, 2, 4 and 8 parallel sequences. ceiling-compare.sh puts our service beside it.
#   bench/generation/engine-ceiling.sh build          fetches the sdist with pip (once) and builds the tools
#   bench/generation/engine-ceiling.sh run [GGUF]     prints batched-bench's table and writes results/engine-ceiling.md
# Settings: RAG_BENCH_THREADS ("1 2"), RAG_BENCH_TOKENS (64 generated per sequence), RAG_BENCH_PROMPT (prompt
# tokens per sequence, 256, about what a RAG prompt of this model is).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}
version=0.3.36   # the llama-cpp-python version scripts/llama-server.requirements.txt pins
src="$cache/bench/llama-src/llama_cpp_python-$version/vendor/llama.cpp"
build="$cache/bench/llama-build-$version-$("$root/scripts/native-isa.sh")"   # native instructions: one build per CPU type
threads=${RAG_BENCH_THREADS:-"1 2"}   # one table per thread count
tokens=${RAG_BENCH_TOKENS:-64}
prompt=${RAG_BENCH_PROMPT:-256}
die() { echo "engine-ceiling.sh: error: $*" >&2; exit 1; }

build_tools() {
    if [[ ! -d $src ]]; then
        mkdir -p "$cache/sdist" "$cache/bench/llama-src"
        local sdist="$cache/sdist/llama_cpp_python-$version.tar.gz"
        [[ -f $sdist ]] || python3 -m pip download -q --no-deps --no-binary :all: -d "$cache/sdist" \
            "llama-cpp-python==$version" || die "pip download failed"
        tar -xzf "$sdist" -C "$cache/bench/llama-src"
    fi
    if [[ ! -x $build/bin/llama-batched-bench ]]; then
        # CPU only, native instructions, as pip builds the package on this machine.
        cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DGGML_NATIVE=ON \
            -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TESTS=OFF > "$build.cmake.log" 2>&1 \
            || die "cmake failed; see $build.cmake.log"
        cmake --build "$build" -j "$(nproc)" --target llama-batched-bench llama-bench > "$build.log" 2>&1 \
            || die "build failed; see $build.log"
    fi
    echo "$build/bin"
}

case ${1:-} in
    build) build_tools ;;
    run)
        model=${2:-}
        [[ -n $model ]] || model=$("$root/scripts/fetch-model.sh" | tail -n 1)
        bin=$(build_tools)
        out="$here/results/engine-ceiling.md"
        mkdir -p "$here/results"
        {
            echo "# llama.cpp batched-bench (llama-cpp-python $version's vendored llama.cpp), $(date -u +%F)"
            echo
            echo "\`bench/generation/engine-ceiling.sh run\`: $prompt prompt tokens and $tokens generated per sequence,"
            echo "each sequence its own prompt (no -pps). S_TG: generation tokens/s over all sequences; S_PP: prompt tokens/s."
        } > "$out"
        for t in $threads; do
            # -npp prompt tokens per sequence, -ntg generated per sequence, -npl parallel sequences.
            table=$("$bin/llama-batched-bench" -m "$model" -c $(( (prompt + tokens) * 8 + 64 )) -b 2048 -ub 512 \
                -t "$t" -tb "$t" -npp "$prompt" -ntg "$tokens" -npl 1,2,4,8 2>/dev/null | grep '^|')
            printf '\n## %s thread(s)\n\n%s\n' "$t" "$table" >> "$out"
        done
        cat "$out" ;;
    *) echo "usage: $0 build|run [GGUF]" >&2; exit 2 ;;
esac
