#!/usr/bin/env bash
# Downloads Debian packages with `apt-get download` (no root needed) and unpacks each once into DIR/PACKAGE;
# already unpacked packages are left as they are. Used for the text corpora (FOLDOC, the Debian handbook,
# GCIDE) of the benchmarks and ./rag eval.
#   scripts/unpack-debs.sh DIR PACKAGE...
set -euo pipefail
dir=$1
shift
mkdir -p "$dir"
for pkg in "$@"; do
    if [[ ! -d "$dir/$pkg" ]]; then
        (cd "$dir" && apt-get download "$pkg" >&2 && dpkg-deb -x "$pkg"_*.deb "$pkg.part" && mv "$pkg.part" "$pkg")
    fi
done
