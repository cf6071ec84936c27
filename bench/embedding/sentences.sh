#!/usr/bin/env bash
# Prints the path of the benchmark's sentence file (COUNT real FOLDOC sentences, default 5000), making it
# once under ${RAG_CACHE_DIR:-~/.cache/rag-suite}/bench. FOLDOC comes from Debian's dict-foldoc package:
# the installed one, or one fetched with `apt-get download` and unpacked there (no root needed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
count=${1:-5000}
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}"
mkdir -p "$cache/bench"
dict=/usr/share/dictd
if [[ ! -f "$dict/foldoc.index" ]]; then
    dict="$cache/foldoc/usr/share/dictd"
    if [[ ! -f "$dict/foldoc.index" ]]; then
        (cd "$cache/bench" && apt-get download dict-foldoc >&2 && dpkg-deb -x dict-foldoc_*.deb "$cache/foldoc")
    fi
fi
out="$cache/bench/foldoc-sentences-$count.txt"
python3 "$here/make_sentences.py" --dict-dir "$dict" --out "$out" --count "$count"
echo "$out"
