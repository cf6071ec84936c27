#!/usr/bin/env bash
# Ingests every document under a folder into the running orchestrator (the batch path; ./rag ingest DIR calls it):
# .txt, .md/.markdown, .html/.htm and .pdf files, each uploaded as it is (PUT /v1/documents/{id}, the text extracted
# by the orchestrator), the id being the file's path under DIR ('/' written as '__'). Shows a progress bar on a
# terminal and a log line per file otherwise.
#
# Resumable: each file that was stored is recorded with its SHA-256 in a state file, so a run that crashed or was
# stopped picks up where it left off, and unchanged files are skipped on later runs. Re-uploading an id replaces
# that document, so a file uploaded twice (a crash between upload and record) is still stored once.
#
#   scripts/ingest.sh DIR [--url URL] [--state FILE]
#   URL:   default http://127.0.0.1:$RAG_ORCHESTRATOR_PORT (8080); RAG_API_KEY, when set, is sent as a Bearer key
#   FILE:  default $RAG_RUN_DIR/ingest-state/<hash of DIR>.tsv (RAG_RUN_DIR defaults to .rag in the repo)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "ingest: error: $*" >&2; exit 1; }

[[ $# -ge 1 ]] || die "usage: ingest DIR [--url URL] [--state FILE]"
dir=$(realpath -- "$1") || die "no folder $1"
[[ -d $dir ]] || die "$1 is not a folder"
shift
url="http://127.0.0.1:${RAG_ORCHESTRATOR_PORT:-8080}"
state=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --url) url=${2:?--url needs a value}; shift 2 ;;
        --state) state=${2:?--state needs a value}; shift 2 ;;
        *) die "unknown option $1" ;;
    esac
done
if [[ -z $state ]]; then
    state="${RAG_RUN_DIR:-$root/.rag}/ingest-state/$(printf %s "$dir" | sha256sum | cut -c1-16).tsv"
fi
mkdir -p "$(dirname "$state")"
touch "$state"

content_type() {
    case ${1,,} in
        *.txt) echo text/plain ;;
        *.md|*.markdown) echo text/markdown ;;
        *.html|*.htm) echo text/html ;;
        *.pdf) echo application/pdf ;;
    esac
}

mapfile -d '' files < <(find "$dir" -type f \( -iname '*.txt' -o -iname '*.md' -o -iname '*.markdown' \
    -o -iname '*.html' -o -iname '*.htm' -o -iname '*.pdf' \) -print0 | sort -z)
total=${#files[@]}
(( total > 0 )) || die "no .txt, .md, .html or .pdf files under $dir"
curl -sf -o /dev/null --max-time 5 "$url/q/health/ready" || die "the orchestrator at $url is not ready (./rag up starts it)"

auth=()
[[ -n ${RAG_API_KEY:-} ]] && auth=(-H "authorization: Bearer $RAG_API_KEY")
tty=0
[[ -t 2 ]] && tty=1
done_n=0 skipped=0 failed=0 i=0
for file in "${files[@]}"; do
    i=$((i + 1))
    rel=${file#"$dir"/}
    id=${rel//\//__}
    sum=$(sha256sum "$file" | cut -c1-64)
    if grep -qxF "$id	$sum" "$state"; then
        skipped=$((skipped + 1))
        outcome="unchanged"
    else
        encoded=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$id")
        reply=$(curl -s -w '\n%{http_code}' -X PUT --max-time 600 "${auth[@]}" -H "content-type: $(content_type "$file")" \
            --data-binary @"$file" "$url/v1/documents/$encoded") || reply=$'\n000'
        code=${reply##*$'\n'}
        if [[ $code == 201 ]]; then
            printf '%s\t%s\n' "$id" "$sum" >> "$state"
            done_n=$((done_n + 1))
            outcome="stored"
        else
            failed=$((failed + 1))
            outcome="FAILED (HTTP $code: $(head -c 300 <<<"${reply%$'\n'*}"))"
        fi
    fi
    if (( tty )); then
        width=30 filled=$((i * 30 / total))
        printf '\r[%s%s] %d/%d %-40.40s' "$(printf '%*s' "$filled" '' | tr ' ' '#')" \
            "$(printf '%*s' $((width - filled)) '')" "$i" "$total" "$rel" >&2
        [[ $outcome == FAILED* ]] && printf '\n%s: %s\n' "$rel" "$outcome" >&2
    else
        echo "ingest: $i/$total $outcome $rel" >&2
    fi
done
(( tty )) && echo >&2
echo "ingest: ingested $done_n, skipped $skipped (unchanged), failed $failed of $total files under $dir"
(( failed == 0 ))
