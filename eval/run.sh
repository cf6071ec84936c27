#!/usr/bin/env bash
# ./rag eval: measures retrieval and answer quality of the running suite (eval/rag_eval.py).
#   eval/run.sh [--ingest-sets] [rag_eval.py options] [DATASET...]
# With no DATASET: the three shipped development sets (eval/sets/*.dev.jsonl). --ingest-sets first fetches the
# Debian packages the sets are built from (apt-get download, no root), builds their documents under the cache
# (eval/build_sets.py, which also rewrites eval/sets) and loads them through POST /v1/documents/batch.
# The plot needs matplotlib: a virtualenv made once under the cache from eval/requirements.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}"
venv="$cache/venv-eval"
if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$here/requirements.txt" "$venv/.requirements"; then
    echo "eval: installing $here/requirements.txt into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt" >&2
    cp "$here/requirements.txt" "$venv/.requirements"
fi
args=()
ingest=""
for a in "$@"; do
    if [[ "$a" == --ingest-sets ]]; then ingest=1; else args+=("$a"); fi
done
if [[ -n "$ingest" ]]; then
    debs="$cache/bench/debs"
    "$here/../scripts/unpack-debs.sh" "$debs" dict-foldoc debian-handbook dict-gcide
    python3 "$here/build_sets.py" --debs "$debs" --out "$cache/eval" --sets "$here/sets"
    args=(--ingest "$cache/eval/documents.jsonl" "${args[@]}")
fi
has_dataset=""
for a in "${args[@]}"; do [[ "$a" == *.jsonl && "$a" != "$cache/eval/documents.jsonl" ]] && has_dataset=1; done
if [[ -z "$has_dataset" ]]; then
    args+=("$here"/sets/*.dev.jsonl)
fi
exec "$venv/bin/python" "$here/rag_eval.py" "${args[@]}"
