#!/usr/bin/env bash
# Regenerates the generation-service goldens with pinned reference tools (venv outside the repo):
#   smollm2-gguf-header.json   gguf-py's reading of the shipped model's header (GgufHeaderGoldenTest)
#   greedy-smollm2.json        llama.cpp's own greedy continuations via llama-cpp-python (GreedyGoldenTest),
#                              in the venv scripts/llama-server.sh installs (pinned in llama-server.requirements.txt)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}/venv-generation-goldens"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
model=$("$root/scripts/fetch-model.sh" | tail -n 1)
"$venv/bin/python" "$here/gguf_header.py" "$model" > "$here/smollm2-gguf-header.json"
echo "wrote $here/smollm2-gguf-header.json" >&2
"$root/scripts/llama-server.sh" install
"${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}/venv-llama-server/bin/python" "$here/greedy.py" "$model" > "$here/greedy-smollm2.json"
echo "wrote $here/greedy-smollm2.json" >&2
