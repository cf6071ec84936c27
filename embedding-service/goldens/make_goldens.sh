#!/usr/bin/env bash
# Regenerates src/test/resources/goldens/*.json with the reference implementation, in a virtualenv of its own
# (outside the repo: ${RAG_CACHE_DIR:-~/.cache/rag-suite}/venv-goldens) pinned by requirements.txt.
# Needs ~6 GB of disk for torch; only maintainers run it, never the build or CI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}/venv-goldens"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r "$here/requirements.txt"
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$venv/bin/python" "$here/make_goldens.py"
