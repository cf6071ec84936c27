#!/usr/bin/env bash
# Copies the Kubernetes manifests the build generated (<service>/target/kubernetes/kubernetes.yml, written by
# quarkus-kubernetes at every `./mvnw package`) into deploy/base/generated/, where kustomize reads them.
# Run after changing a service's quarkus.kubernetes.* settings or its src/main/kubernetes/ fragment;
# DeployManifestsTest fails while a copy differs from what the build makes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
for svc in embedding-service vector-search-service generation-service rag-orchestrator; do
    src="$root/$svc/target/kubernetes/kubernetes.yml"
    [[ -f $src ]] || { echo "sync-manifests: $src missing; run ./mvnw package -DskipTests first" >&2; exit 1; }
    cp "$src" "$root/deploy/base/generated/$svc.yml"
done
echo "sync-manifests: deploy/base/generated/ updated" >&2
