#!/usr/bin/env bash
# Server-side dry run of every kustomization in deploy/ against a real kube-apiserver on loopback:
#   - etcd from Debian's etcd-server package, data in a temporary folder;
#   - kube-apiserver built from the Go module proxy (k8s.io/kubernetes, KUBE_VERSION below) into the cache by
#     kube-binaries.sh, once (~10-20 min on 2 cores; cached);
#   - the namespace applied for real (a dry run of namespaced objects needs it), its Pod Security "restricted"
#     enforcement included, and minimal CRDs for the kinds the cluster would get from KEDA, the Prometheus operator
#     and KServe (manifest-schemas/crds/: open schemas; deploy/validate-manifests.sh validates those objects against their real schemas);
#   - `kubectl apply --dry-run=server -k DIR` for base, jobs/* and overlays/*: the API server runs defaulting,
#     validation and admission (PodSecurity among them) on every object without storing it. Any error, and any
#     PodSecurity warning, fails.
#
#   deploy/dry-run.sh        Env: RAG_CACHE_DIR (default ~/.cache/rag-suite), RAG_KUBE_VERSION (v1.34.4)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}
KUBE_VERSION=${RAG_KUBE_VERSION:-v1.34.4}
apiserver=$cache/go-bin/kube-apiserver-$KUBE_VERSION
say() { echo "dry-run: $*" >&2; }

command -v kubectl >/dev/null || { say "kubectl is needed (it applies; Debian: kubernetes-client)"; exit 2; }
# shellcheck source=../scripts/debian-packages.sh
source "$here/../scripts/debian-packages.sh"
command -v etcd >/dev/null || install_debian_packages dry-run etcd-server || exit 2
# shellcheck source=kube-binaries.sh
source "$here/kube-binaries.sh"
kube_binaries "$KUBE_VERSION" kube-apiserver || exit 2

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

etcd --data-dir "$work/etcd" --listen-client-urls http://127.0.0.1:23790 --advertise-client-urls http://127.0.0.1:23790 \
    --listen-peer-urls http://127.0.0.1:23800 >"$work/etcd.log" 2>&1 &
pids+=($!)

openssl genrsa -out "$work/sa.key" 2048 2>/dev/null
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$token,admin,admin,system:masters" >"$work/tokens.csv"
"$apiserver" --etcd-servers=http://127.0.0.1:23790 --secure-port=16443 --bind-address=127.0.0.1 \
    --cert-dir="$work/certs" --token-auth-file="$work/tokens.csv" --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$work/sa.key" \
    --service-account-signing-key-file="$work/sa.key" --service-cluster-ip-range=10.96.0.0/16 \
    --enable-priority-and-fairness=false >"$work/apiserver.log" 2>&1 &
pids+=($!)

cat >"$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "https://127.0.0.1:16443", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: "$token"}}]
contexts: [{name: local, context: {cluster: local, user: admin}}]
current-context: local
EOF
export KUBECONFIG=$work/kubeconfig
for _ in $(seq 120); do
    [[ $(kubectl get --raw /readyz 2>/dev/null) == ok ]] && break
    kill -0 "${pids[1]}" 2>/dev/null || { say "kube-apiserver exited: $(tail -5 "$work/apiserver.log")"; exit 1; }
    sleep 1
done
[[ $(kubectl get --raw /readyz 2>/dev/null) == ok ]] || { say "kube-apiserver not ready: $(tail -5 "$work/apiserver.log")"; exit 1; }
say "kube-apiserver $(kubectl version -o json 2>/dev/null | jq -r .serverVersion.gitVersion) ready on 127.0.0.1:16443"

kubectl apply -f "$here/manifest-schemas/crds/" >/dev/null
kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null
kubectl apply -f "$here/base/namespace.yaml" >/dev/null

# The check must be able to fail: a Deployment with no security context at all must draw the namespace's
# PodSecurity warning, or the absence of warnings below proves nothing.
probe=$(kubectl apply --dry-run=server -f - 2>&1 <<'EOF' || true
apiVersion: apps/v1
kind: Deployment
metadata: {name: unconfined-probe, namespace: rag-suite}
spec:
  selector: {matchLabels: {app: probe}}
  template:
    metadata: {labels: {app: probe}}
    spec:
      containers: [{name: probe, image: docker.io/library/busybox:1.37.0}]
EOF
)
grep -q 'would violate PodSecurity "restricted' <<<"$probe" || { say "PodSecurity is not enforced: $probe"; exit 1; }
say "PodSecurity \"restricted\" enforced in rag-suite (a Deployment without a security context is warned about)"

status=0
for k in "$here"/base "$here"/jobs/* "$here"/overlays/*; do
    [[ -f $k/kustomization.yaml ]] || continue
    name=${k#"$here"/}
    if out=$(kubectl apply --dry-run=server -k "$k" 2>&1); then
        if grep -q -i "warning" <<<"$out"; then
            echo "$name: server-side dry run accepted it with warnings:"
            grep -i warning <<<"$out"
            status=1
        else
            echo "$name: server-side dry run: $(grep -c 'dry run' <<<"$out") objects accepted"
        fi
    else
        echo "$name: server-side dry run failed:"
        grep -v 'dry run' <<<"$out"
        status=1
    fi
done
exit $status
