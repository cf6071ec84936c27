#!/usr/bin/env bash
# Regenerates the generation-service goldens with pinned reference tools (venvs outside the repo):
#   smollm2-gguf-header.json   gguf-py's reading of the shipped model's header (GgufHeaderGoldenTest)
#   greedy-smollm2.json        llama.cpp's own greedy continuations via llama-cpp-python (GreedyGoldenTest),
#   greedy-smollm2-flash.json  the same with flash attention (the service's default), in the venv
#                              scripts/llama-server.sh installs (pinned in llama-server.requirements.txt)
#
#   make_goldens.sh        all three, in this folder (the committed record: which CPU made it is in the files)
#   make_goldens.sh host   the two greedy files for this host only, in a folder outside the repo whose path it
#                          prints last. The continuations depend on the CPU's instruction set (see greedy.py), so
#                          ./rag test makes these (scripts/test-env.sh) and GreedyGoldenTest compares with them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}
model=$("$root/scripts/fetch-model.sh" | tail -n 1)
isa=$("$root/scripts/native-isa.sh")
"$root/scripts/llama-server.sh" install
python="$cache/venv-llama-server/bin/python"

greedy() {   # greedy OUT_DIR
    "$python" "$here/greedy.py" "$model" "$isa" off > "$1/greedy-smollm2.json.tmp"
    "$python" "$here/greedy.py" "$model" "$isa" on > "$1/greedy-smollm2-flash.json.tmp"
    mv "$1/greedy-smollm2.json.tmp" "$1/greedy-smollm2.json"
    mv "$1/greedy-smollm2-flash.json.tmp" "$1/greedy-smollm2-flash.json"
}

if [[ ${1:-} == host ]]; then
    key=$( { echo "$isa"; cat "$here/greedy.py" "$root/scripts/llama-server.requirements.txt"; echo "$model"; } \
        | sha256sum | cut -c1-12)
    out="$cache/goldens/greedy-$key"
    if [[ ! -s $out/greedy-smollm2-flash.json ]]; then
        mkdir -p "$out"
        echo "make_goldens.sh: llama.cpp's greedy continuations on this CPU ($isa) -> $out" >&2
        greedy "$out"
    fi
    echo "$out"
    exit 0
fi
[[ $# -eq 0 ]] || { echo "usage: make_goldens.sh [host]" >&2; exit 2; }

venv="$cache/venv-generation-goldens"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" "$here/gguf_header.py" "$model" > "$here/smollm2-gguf-header.json"
echo "wrote $here/smollm2-gguf-header.json" >&2
greedy "$here"
echo "wrote $here/greedy-smollm2.json and greedy-smollm2-flash.json" >&2
