#!/usr/bin/env bash
# Regenerates the generation-service goldens with pinned reference tools (venvs outside the repo):
#   smollm2-gguf-header.json   gguf-py's reading of the shipped model's header (GgufHeaderGoldenTest)
#   greedy-smollm2.json        llama.cpp's own greedy continuations via llama-cpp-python (GreedyGoldenTest),
#                              in the venv scripts/llama-server.sh installs (pinned in llama-server.requirements.txt)
#
#   make_goldens.sh        both files, in this folder (the committed record: which CPU made it is in the file)
#   make_goldens.sh host   greedy continuations for this host only, cached outside the repo; prints the file's path
#                          last. The continuations depend on the CPU's instruction set (see greedy.py), so
#                          ./rag test makes this one (scripts/test-env.sh) and GreedyGoldenTest compares with it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}
model=$("$root/scripts/fetch-model.sh" | tail -n 1)
isa=$("$root/scripts/native-isa.sh")
"$root/scripts/llama-server.sh" install
python="$cache/venv-llama-server/bin/python"

if [[ ${1:-} == host ]]; then
    key=$( { echo "$isa"; cat "$here/greedy.py" "$root/scripts/llama-server.requirements.txt"; echo "$model"; } \
        | sha256sum | cut -c1-12)
    out="$cache/goldens/greedy-smollm2-$key.json"
    if [[ ! -s $out ]]; then
        mkdir -p "$cache/goldens"
        echo "make_goldens.sh: llama.cpp's greedy continuations on this CPU ($isa) -> $out" >&2
        "$python" "$here/greedy.py" "$model" "$isa" > "$out.tmp"
        mv "$out.tmp" "$out"
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
"$python" "$here/greedy.py" "$model" "$isa" > "$here/greedy-smollm2.json"
echo "wrote $here/greedy-smollm2.json" >&2
