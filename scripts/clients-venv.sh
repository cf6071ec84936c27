#!/usr/bin/env bash
# Creates (once) the virtualenv with the third-party clients the end-to-end test uses
# (e2e-tests/src/test/python/requirements.txt), outside the repo, and prints its python path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
req="$root/e2e-tests/src/test/python/requirements.txt"
venv="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}/venv-clients"
stamp="$venv/.requirements"
if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$req" "$stamp"; then
    echo "clients-venv: installing $(grep -cv '^#' "$req") packages into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
    cp "$req" "$stamp"
fi
echo "$venv/bin/python"
