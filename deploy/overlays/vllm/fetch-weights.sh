#!/bin/sh
# Init container of vLLM: downloads every file listed in /config/weights.txt into /models/model, checks its
# SHA-256, and fails (so vLLM never starts) on any mismatch or an empty list. Files already present with the
# right hash are kept, so a restarted pod does not download again. Runs in busybox (wget, sha256sum).
set -eu
list=/config/weights.txt
dest=/models/model
mkdir -p "$dest"
n=0
while read -r sum path url; do
    case "$sum" in ''|'#'*) continue ;; esac
    n=$((n + 1))
    case "$path" in /*|*..*) echo "fetch-weights: refusing path $path" >&2; exit 1 ;; esac
    target="$dest/$path"
    if [ -f "$target" ] && [ "$(sha256sum "$target" | cut -d' ' -f1)" = "$sum" ]; then
        echo "fetch-weights: $path present and verified"
        continue
    fi
    mkdir -p "$(dirname "$target")"
    echo "fetch-weights: downloading $path"
    wget -q -O "$target.part" "$url"
    got=$(sha256sum "$target.part" | cut -d' ' -f1)
    if [ "$got" != "$sum" ]; then
        rm -f "$target.part"
        echo "fetch-weights: $path: SHA-256 $got, expected $sum; refusing it" >&2
        exit 1
    fi
    mv "$target.part" "$target"
done < "$list"
[ "$n" -gt 0 ] || { echo "fetch-weights: $list lists no files; put the model's files and their SHA-256 there" >&2; exit 1; }
echo "fetch-weights: $n files verified"
