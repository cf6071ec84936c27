#!/usr/bin/env bash
# Prints what `kubectl apply -k DIR` would apply: `kubectl kustomize DIR` where kubectl is installed, else the
# same through kustomize itself, built once from the Go module proxy into the cache (needs Go).
#
#   deploy/render.sh DIR       Env: RAG_CACHE_DIR (default ~/.cache/rag-suite)
set -euo pipefail
dir=${1:?usage: deploy/render.sh DIR}
if command -v kubectl >/dev/null; then
    exec kubectl kustomize "$dir"
fi
bin="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}/go-bin"
if [[ ! -x $bin/kustomize ]]; then
    command -v go >/dev/null || { echo "render: neither kubectl nor go is installed" >&2; exit 2; }
    echo "render: no kubectl; building kustomize v5.7.1 into $bin" >&2
    GOBIN=$bin go install sigs.k8s.io/kustomize/kustomize/v5@v5.7.1 >&2
fi
exec "$bin/kustomize" build "$dir"
