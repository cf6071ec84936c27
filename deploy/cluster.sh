#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, from registry packages only, and the suite run on it from
# the manifests the build generates (deploy/base, through deploy/cluster/suite).
#
#   deploy/cluster.sh up      start the node: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
#                             containerd + runc + CNI bridge, kubelet, kube-proxy (iptables), CoreDNS; images in a
#                             loopback registry. Returns when the node is Ready and cluster DNS answers.
#   deploy/cluster.sh test    on a node that is up: `kubectl apply -k` the suite, every pod Ready, a document
#                             ingested and a RAG query answered through the orchestrator's Service, the vector-search
#                             pod deleted (its StatefulSet brings it back with the same volume, the document still
#                             found), an orchestrator pod deleted and replaced, a new orchestrator image rolled out
#                             while retrieval requests go to the Service every 0.2 s (none may fail).
#   deploy/cluster.sh down    stop everything, remove the pods' containers, mounts, bridge, iptables rules and state.
#   deploy/cluster.sh all     up, test, down (down also when up or test fail).
#   deploy/cluster.sh env     print the KUBECONFIG line for a node that is up.
#
# Where the pieces come from:
#   - Debian's containerd (1.6), runc, containernetworking-plugins (bridge, host-local, portmap, loopback),
#     etcd-server, conntrack; docker-registry, umoci and skopeo for the images;
#   - kube-apiserver, kubelet, kube-controller-manager, kube-scheduler, kube-proxy built from the Go module proxy
#     (k8s.io/kubernetes at KUBE_VERSION, deploy/kube-binaries.sh; first build ~10-20 min on 2 cores, cached);
#   - CoreDNS built from the Go module proxy (github.com/coredns/coredns, cached), packed as an image with umoci;
#   - the pod sandbox ("pause") image from deploy/cluster/pause.c, compiled statically with gcc;
#   - the four service images built by Jib on our base image, as deploy/images/verify-images.sh builds them.
# A CA and a certificate per component (openssl): TLS everywhere, RBAC + Node authorization, kubelet client
# certificates checked, Pod Security "restricted" enforced in rag-suite (deploy/base/namespace.yaml).
#
# Not like a production cluster: one node that is also the control plane; the bridge CNI does not enforce
# NetworkPolicy (the policies are stored, not applied); no metrics-server (the HPAs hold their minReplicas);
# the vector-search claim is bound to a hostPath PersistentVolume that this script creates.
#
# Env: RAG_CLUSTER_DIR (/var/lib/rag-cluster: state, logs, certificates), RAG_KUBE_VERSION (v1.34.4),
#      RAG_CLUSTER_REGISTRY_PORT (5001), RAG_CLUSTER_API_PORT (6443), RAG_CLUSTER_NODE_IP (the default route's
#      address), RAG_CLUSTER_READY_TIMEOUT (900 s for the suite's pods), RAG_CACHE_DIR (~/.cache/rag-suite).
# Needs root (containers, mounts, iptables). Report of the last test: $RAG_CLUSTER_DIR/report.md (copied to
# deploy/cluster/last-run.md by `all`).
set -euo pipefail

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cache=${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}
KUBE_VERSION=${RAG_KUBE_VERSION:-v1.34.4}
COREDNS_VERSION=v1.14.7
DIR=${RAG_CLUSTER_DIR:-/var/lib/rag-cluster}
REG_PORT=${RAG_CLUSTER_REGISTRY_PORT:-5001}
REG=localhost:$REG_PORT
API_PORT=${RAG_CLUSTER_API_PORT:-6443}
READY_TIMEOUT=${RAG_CLUSTER_READY_TIMEOUT:-900}
NODE=rag-node
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
API_SERVICE_IP=10.96.0.1
DNS_IP=10.96.0.10
BRIDGE=rag-cni0
ETCD_PORT=23791
KUBE_COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
PKI=$DIR/pki
LOGS=$DIR/logs
RUN=$DIR/run
CONTAINERD_SOCK=$DIR/containerd/containerd.sock
VERSION=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -1)

say() { echo "cluster: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
bin() { echo "$cache/go-bin/$1-$KUBE_VERSION"; }
node_ip() {
    if [[ -n ${RAG_CLUSTER_NODE_IP:-} ]]; then echo "$RAG_CLUSTER_NODE_IP"; return; fi
    local dev
    dev=$(ip -4 route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1); exit}')
    ip -4 -o addr show dev "${dev:-lo}" | awk '{sub("/.*", "", $4); print $4; exit}'
}

# start NAME COMMAND...: a background process with its log in $LOGS/NAME.log and its pid in $RUN/NAME.pid.
start() {
    local name=$1
    shift
    setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
    echo $! >"$RUN/$name.pid"
}
running() { [[ -f $RUN/$1.pid ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }
# await WHAT SECONDS PROCESS COMMAND...: until COMMAND succeeds; fails early when PROCESS (a name started above) exits.
await() {
    local what=$1 seconds=$2 process=$3 deadline
    shift 3
    deadline=$(( $(date +%s) + seconds ))
    until "$@" >/dev/null 2>&1; do
        [[ -z $process ]] || running "$process" || fail "$process exited while waiting for $what: $(tail -5 "$LOGS/$process.log")"
        (( $(date +%s) < deadline )) || fail "no $what after ${seconds}s"
        sleep 1
    done
}

tools() {
    # shellcheck source=../scripts/debian-packages.sh
    source "$ROOT/scripts/debian-packages.sh"
    local missing=() tool pkg
    for tool in containerd:containerd runc:runc etcd:etcd-server conntrack:conntrack iptables:iptables \
        docker-registry:docker-registry umoci:umoci skopeo:skopeo mmdebstrap:mmdebstrap jq:jq openssl:openssl \
        kubectl:kubernetes-client gcc:gcc; do
        command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
    done
    [[ -x /usr/lib/cni/bridge ]] || missing+=(containernetworking-plugins)
    install_debian_packages cluster "${missing[@]}" || exit 2
    # shellcheck source=kube-binaries.sh
    source "$HERE/kube-binaries.sh"
    kube_binaries "$KUBE_VERSION" "${KUBE_COMPONENTS[@]}" || fail "building the Kubernetes components"
    COREDNS=$cache/go-bin/coredns-$COREDNS_VERSION
    if [[ ! -x $COREDNS ]]; then
        say "building CoreDNS $COREDNS_VERSION from the Go module proxy (once)"
        local gobin
        gobin=$(mktemp -d)
        CGO_ENABLED=0 GOBIN=$gobin GOFLAGS= go install -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION" >&2 \
            || fail "building CoreDNS"
        mv "$gobin/coredns" "$COREDNS"
        rm -rf "$gobin"
    fi
}

# cert NAME CN O [SAN]: a key and a certificate signed by the cluster CA.
cert() {
    local name=$1 cn=$2 o=$3 san=${4:-}
    openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -out "$PKI/$name.csr" \
        -subj "/CN=$cn${o:+/O=$o}" 2>/dev/null
    {
        echo "basicConstraints=CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        echo "extendedKeyUsage=${san:+serverAuth,}clientAuth"
        [[ -z $san ]] || echo "subjectAltName=$san"
    } >"$PKI/$name.ext"
    openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 30 \
        -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
    rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

# kubeconfig NAME: $PKI/NAME.kubeconfig for the client certificate NAME.
kubeconfig() {
    cat >"$PKI/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: rag, cluster: {server: "https://$NODE_IP:$API_PORT", certificate-authority: "$PKI/ca.crt"}}]
users: [{name: $1, user: {client-certificate: "$PKI/$1.crt", client-key: "$PKI/$1.key"}}]
contexts: [{name: rag, context: {cluster: rag, user: $1}}]
current-context: rag
EOF
}

pki() {
    mkdir -p "$PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 30 \
        -subj "/CN=rag-cluster-ca" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
    cert apiserver kube-apiserver "" "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP,IP:$API_SERVICE_IP"
    cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
    cert admin rag-cluster-admin system:masters
    cert kube-controller-manager system:kube-controller-manager ""
    cert kube-scheduler system:kube-scheduler ""
    cert kube-proxy system:kube-proxy ""
    cert kubelet "system:node:$NODE" system:nodes "DNS:$NODE,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP"
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
    local c
    for c in admin kube-controller-manager kube-scheduler kube-proxy kubelet; do kubeconfig "$c"; done
}

# binary_image BINARY NAME REF USER ARGS...: a one-file image (no base, no shell) with BINARY at /NAME, run as USER
# with the entrypoint /NAME ARGS..., pushed to the registry as REF.
binary_image() {
    local binary=$1 name=$2 ref=$3 user=$4 layout=$DIR/images/$2
    shift 4
    rm -rf "$layout" && mkdir -p "$layout/rootfs"
    install -m 0755 "$binary" "$layout/rootfs/$name"
    local entry=(--config.entrypoint "/$name") a
    for a in "$@"; do entry+=(--config.entrypoint "$a"); done
    oci_from_rootfs "$layout/rootfs" "$layout/oci" image --config.user "$user" "${entry[@]}" \
        --history.created_by "deploy/cluster.sh" >/dev/null
    skopeo copy --quiet --dest-tls-verify=false "oci:$layout/oci:image" "docker://$ref"
}

images() {
    mkdir -p "$DIR/images/bin"
    start_registry "$DIR/registry" "$REG_PORT" || fail "no registry on $REG"
    echo "$REGISTRY_PID" >"$RUN/registry.pid"
    gcc -Os -static -Wall -o "$DIR/images/bin/pause" "$HERE/cluster/pause.c" || fail "compiling pause.c"
    binary_image "$DIR/images/bin/pause" pause "$REG/rag-suite/pause:1" 65535
    binary_image "$COREDNS" coredns "$REG/rag-suite/coredns:${COREDNS_VERSION#v}" 65532
    say "base image and the four service images (Jib; ~3 min)"
    "$HERE/images/build-base.sh" "$DIR/images/base" "$REG/rag-suite/jre-base:25" >"$LOGS/base-image.log" 2>&1 \
        || fail "base image: $(tail -20 "$LOGS/base-image.log")"
    mapfile -t SERVICES < <(awk '$2 ~ /^jib:[^:]+$/ { sub("^jib:", "", $2); print $2 }' "$HERE/images/images.txt")
    build_service_images "$REG" "$REG/rag-suite/jre-base:25" "$LOGS/jib.log" "${SERVICES[@]}" || fail "service images"
}

control_plane() {
    start etcd etcd --data-dir "$DIR/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
        --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 10))"
    start kube-apiserver "$(bin kube-apiserver)" --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
        --advertise-address="$NODE_IP" --bind-address=0.0.0.0 --secure-port="$API_PORT" \
        --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
        --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
        --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
        --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
        --service-account-issuer=https://kubernetes.default.svc.cluster.local \
        --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
        --service-cluster-ip-range="$SERVICE_CIDR"
    export KUBECONFIG=$PKI/admin.kubeconfig
    await "API server" 120 kube-apiserver bash -c '[[ $(kubectl get --raw /readyz) == ok ]]'
    start kube-controller-manager "$(bin kube-controller-manager)" --kubeconfig="$PKI/kube-controller-manager.kubeconfig" \
        --authentication-kubeconfig="$PKI/kube-controller-manager.kubeconfig" \
        --authorization-kubeconfig="$PKI/kube-controller-manager.kubeconfig" \
        --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
        --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
        --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
        --service-cluster-ip-range="$SERVICE_CIDR"
    start kube-scheduler "$(bin kube-scheduler)" --kubeconfig="$PKI/kube-scheduler.kubeconfig" \
        --authentication-kubeconfig="$PKI/kube-scheduler.kubeconfig" \
        --authorization-kubeconfig="$PKI/kube-scheduler.kubeconfig" --bind-address=127.0.0.1 --leader-elect=false
}

node() {
    # Pods reach Services through the host's NAT rules: forwarding on, and bridged traffic through iptables.
    sysctl -qw net.ipv4.ip_forward=1
    [[ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] || sysctl -qw net.bridge.bridge-nf-call-iptables=1
    mkdir -p "$DIR/cni" "$DIR/containerd/certs.d/$REG" "$DIR/kubelet"
    cat >"$DIR/cni/10-rag-pods.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "rag-pods",
  "plugins": [
    {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}],
              "dataDir": "$DIR/cni-ipam"}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
    cat >"$DIR/containerd/certs.d/$REG/hosts.toml" <<EOF
server = "http://$REG"
[host."http://$REG"]
  capabilities = ["pull", "resolve"]
EOF
    # runc is told to set rlimits in every container; where root lacks CAP_SYS_RESOURCE (this sandbox's VMs) it
    # cannot, and the same wrapper podman uses in the image check drops them (deploy/images/runc-without-sys-resource.sh).
    local runc
    runc=$(command -v runc)
    if ! _cap_sys_resource; then runc=$HERE/images/runc-without-sys-resource.sh; fi
    cat >"$DIR/containerd/config.toml" <<EOF
version = 2
root = "$DIR/containerd/root"
state = "$DIR/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$REG/rag-suite/pause:1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$DIR/cni"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$DIR/containerd/certs.d"
EOF
    start containerd containerd --config "$DIR/containerd/config.toml"
    await "containerd" 60 containerd test -S "$CONTAINERD_SOCK"

    cat >"$DIR/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$PKI/ca.crt"}
authorization: {mode: Webhook}
tlsCertFile: "$PKI/kubelet.crt"
tlsPrivateKeyFile: "$PKI/kubelet.key"
cgroupDriver: cgroupfs
containerRuntimeEndpoint: "unix://$CONTAINERD_SOCK"
clusterDomain: cluster.local
clusterDNS: ["$DNS_IP"]
podCIDR: "$POD_CIDR"
failSwapOn: false
failCgroupV1: false
serializeImagePulls: false
maxPods: 30
evictionHard: {memory.available: 200Mi, nodefs.available: 2%, imagefs.available: 2%}
EOF
    start kubelet "$(bin kubelet)" --config="$DIR/kubelet/config.yaml" --kubeconfig="$PKI/kubelet.kubeconfig" \
        --root-dir="$DIR/kubelet" --hostname-override="$NODE" --node-ip="$NODE_IP"
    cat >"$DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$PKI/kube-proxy.kubeconfig"}
mode: iptables
clusterCIDR: "$POD_CIDR"
hostnameOverride: "$NODE"
conntrack: {maxPerCore: 0}
EOF
    start kube-proxy "$(bin kube-proxy)" --config="$DIR/kube-proxy.yaml"
    await "node $NODE Ready" 180 kubelet kubectl wait --for=condition=Ready "node/$NODE" --timeout=5s
}

dns() {
    local work=$DIR/coredns
    mkdir -p "$work"
    cp "$HERE/cluster/coredns.yaml" "$work/"
    printf 'resources: [coredns.yaml]\nimages:\n  - {name: coredns-image, newName: %s, newTag: "%s"}\n' \
        "$REG/rag-suite/coredns" "${COREDNS_VERSION#v}" >"$work/kustomization.yaml"
    kubectl apply -k "$work" >/dev/null
    kubectl -n kube-system rollout status deploy/coredns --timeout=180s >&2 || fail "CoreDNS not ready: $(kubectl -n kube-system describe pods -l k8s-app=kube-dns | tail -20)"
}

up() {
    [[ $(id -u) -eq 0 ]] || fail "needs root (containers, mounts, iptables)"
    if running kube-apiserver; then fail "a cluster is up already (deploy/cluster.sh down first)"; fi
    NODE_IP=$(node_ip)
    [[ -n $NODE_IP ]] || fail "no node address (set RAG_CLUSTER_NODE_IP)"
    local t0
    t0=$(date +%s)
    tools
    rm -rf "$DIR" && mkdir -p "$LOGS" "$RUN"
    echo "$NODE_IP" >"$RUN/node-ip"
    pki
    images
    say "images in $REG after $(( $(date +%s) - t0 )) s"
    control_plane
    node
    dns
    echo "$(( $(date +%s) - t0 ))" >"$RUN/up-seconds"
    say "node $NODE ($NODE_IP) Ready, cluster DNS up, $(( $(date +%s) - t0 )) s; KUBECONFIG=$PKI/admin.kubeconfig"
}

# ---- test -------------------------------------------------------------------------------------------------------

REPORT=$DIR/report.md
step_start=0
step() { step_start=$(date +%s); say "== $*"; }
step_done() { echo "| $1 | $(( $(date +%s) - step_start )) s | $2 |" >>"$REPORT"; }
orchestrator() { echo "http://$(kubectl -n rag-suite get svc rag-orchestrator -o jsonpath='{.spec.clusterIP}'):80"; }
# ask: the test question through the orchestrator's Service; prints the answer JSON. Fails unless the pipeline
# retrieved the ingested document for the prompt and generated an answer (which passages the 135M model cites, if
# any, is its own choice: "citations" lists only what it wrote, so it is reported, not required).
ask() {
    local answer
    answer=$(curl -sS --max-time 120 "$(orchestrator)/v1/rag/query" -H 'content-type: application/json' \
        -d '{"question":"What does Raft elect to replicate its log?"}') || fail "query failed"
    jq -e '((.passages // []) | map(.document_id) | index("raft") != null) and (.answer | length > 0)' <<<"$answer" >/dev/null \
        || fail "the answer was not generated from the ingested document: $answer"
    echo "$answer"
}
ready_pods() { kubectl -n rag-suite get pods -l "$1" -o json | jq -r '[.items[] | select(.metadata.deletionTimestamp == null) | select(any(.status.conditions[]?; .type == "Ready" and .status == "True")) | .metadata.name] | join(" ")'; }
# replaced SELECTOR GONE COUNT: COUNT pods of SELECTOR are Ready and none of them is GONE.
replaced() {
    local pods
    pods=$(ready_pods "$1")
    [[ $(wc -w <<<"$pods") -ge $3 && " $pods " != *" $2 "* ]]
}

test_suite() {
    export KUBECONFIG=$PKI/admin.kubeconfig
    running kube-apiserver || fail "no cluster is up (deploy/cluster.sh up)"
    {
        echo "# deploy/cluster.sh test, $(date -u +%Y-%m-%dT%H:%MZ)"
        echo
        echo "Kubernetes $KUBE_VERSION (built from the Go module proxy), containerd $(containerd --version | awk '{print $3}'), runc $(runc --version | awk 'NR==1 {print $3}'), one node, $(nproc) CPUs; \`deploy/cluster.sh up\` took $(cat "$RUN/up-seconds" 2>/dev/null || echo '?') s (images built and pushed, control plane, node Ready, DNS up)."
        echo
        echo "| step | time | result |"
        echo "|---|---:|---|"
    } >"$REPORT"

    step "apply the suite"
    # The StatefulSet's claim (data-vector-search-service-0, 10Gi, ReadWriteOnce, no class) binds to this volume;
    # the pods run as 10001 and a hostPath volume is not chowned by fsGroup, so the folder is made theirs.
    # A volume released by an earlier run's claim cannot be bound again: it is replaced, and its data dropped.
    if [[ $(kubectl get pv rag-node-vector-search-0 -o jsonpath='{.status.phase}' 2>/dev/null) =~ ^(Released|Failed)$ ]]; then
        kubectl delete pv rag-node-vector-search-0 >/dev/null
        rm -rf "$DIR/volumes/vector-search-0"
    fi
    mkdir -p "$DIR/volumes/vector-search-0"
    chown 10001:10001 "$DIR/volumes/vector-search-0"
    kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolume
metadata: {name: rag-node-vector-search-0}
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  claimRef: {namespace: rag-suite, name: data-vector-search-service-0}
  hostPath: {path: "$DIR/volumes/vector-search-0", type: Directory}
EOF
    local work=$DIR/suite
    mkdir -p "$work"
    {
        echo "resources: [$(realpath --relative-to="$work" "$HERE/cluster/suite")]"
        echo "images:"
        for s in embedding-service vector-search-service generation-service rag-orchestrator; do
            echo "  - {name: docker.io/rag-suite/$s, newName: $REG/rag-suite/$s}"
        done
    } >"$work/kustomization.yaml"
    kubectl apply -k "$work" >"$LOGS/apply.log" 2>&1 || fail "kubectl apply -k: $(cat "$LOGS/apply.log")"
    ! grep -i warning "$LOGS/apply.log" || fail "kubectl apply warned (Pod Security?)"
    step_done "kubectl apply -k (deploy/base through deploy/cluster/suite)" "$(grep -c -E 'created|configured|unchanged' "$LOGS/apply.log") objects, no warning"

    step "every pod Ready"
    local w
    for w in deploy/embedding-service statefulset/vector-search-service deploy/generation-service deploy/rag-orchestrator; do
        kubectl -n rag-suite rollout status "$w" --timeout="${READY_TIMEOUT}s" >&2 \
            || fail "$w not ready: $(kubectl -n rag-suite describe "$w" | tail -15; kubectl -n rag-suite get pods -o wide)"
    done
    kubectl -n rag-suite get pods -o wide >&2
    step_done "every pod Ready" "$(kubectl -n rag-suite get pods -o json | jq -r '.items | "\(length) pods: " + (group_by(.metadata.labels["app.kubernetes.io/name"]) | map("\(.[0].metadata.labels["app.kubernetes.io/name"]) x\(length)") | join(", "))')"

    step "a document and a question through the orchestrator's Service"
    local url doc
    url=$(orchestrator)
    doc=$(curl -sS --max-time 60 "$url/v1/documents" -H 'content-type: application/json' \
        -d '{"id":"raft","title":"Raft","text":"Raft is a consensus algorithm. It elects a leader that replicates a log to the other servers."}') \
        || fail "ingest failed"
    say "ingest: $doc"
    local answer
    answer=$(ask)
    say "answer: $answer"
    step_done "ingest + RAG query via Service $url" "raft retrieved, $(jq -r '"\(.usage.completion_tokens) tokens generated in \(.timings.total_ms | floor) ms, cited: \([.citations[].document_id] | join(",") | if . == "" then "none" else . end)"' <<<"$answer")"

    step "vector-search pod deleted: the StatefulSet brings it back on the same volume"
    local old
    old=$(kubectl -n rag-suite get pod vector-search-service-0 -o jsonpath='{.metadata.uid}')
    kubectl -n rag-suite delete pod vector-search-service-0 --wait=true >&2
    await "vector-search-service-0 back" "$READY_TIMEOUT" "" bash -c \
        "[[ \$(kubectl -n rag-suite get pod vector-search-service-0 -o jsonpath='{.metadata.uid}') != $old ]] && kubectl -n rag-suite wait --for=condition=Ready pod/vector-search-service-0 --timeout=5s"
    answer=$(ask)
    step_done "vector-search-service-0 deleted and back" "new pod on the same volume, the document still retrieved"

    step "orchestrator pod deleted: the Deployment replaces it"
    local before victim after
    before=$(ready_pods app.kubernetes.io/name=rag-orchestrator)
    victim=${before%% *}
    kubectl -n rag-suite delete pod "$victim" --wait=false >&2
    await "a replacement for $victim" "$READY_TIMEOUT" "" replaced app.kubernetes.io/name=rag-orchestrator "$victim" 2
    after=$(ready_pods app.kubernetes.io/name=rag-orchestrator)
    step_done "orchestrator pod $victim deleted" "Ready again: $after"

    step "a new orchestrator image rolled out while the Service is polled"
    # The same build with one more label: a different image (config digest), so the rollout replaces every pod.
    local tag=$VERSION-rollout-$(date +%s) digest
    rm -rf "$DIR/images/rollout"
    skopeo copy --quiet --src-tls-verify=false "docker://$REG/rag-suite/rag-orchestrator:$VERSION" "oci:$DIR/images/rollout:image"
    umoci config --image "$DIR/images/rollout:image" --config.label "rag-suite.rollout=$tag" >/dev/null
    skopeo copy --quiet --dest-tls-verify=false "oci:$DIR/images/rollout:image" "docker://$REG/rag-suite/rag-orchestrator:$tag"
    digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/rag-suite/rag-orchestrator:$tag")
    local polls=0 failed=0 code
    : >"$LOGS/rollout-polls.log"
    (
        while :; do
            # A real call (retrieval: embedding + vector search), not the readiness endpoint: a pod that is shutting
            # down reports not-ready on purpose while it goes on serving (QUARKUS_SHUTDOWN_DELAY).
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url/v1/rag/retrieve" \
                -H 'content-type: application/json' -d '{"question":"What does Raft elect?"}' || true)
            echo "$(date +%s.%N) $code" >>"$LOGS/rollout-polls.log"
            sleep 0.2
        done
    ) &
    local poller=$!
    kubectl -n rag-suite set image deploy/rag-orchestrator "rag-orchestrator=$REG/rag-suite/rag-orchestrator:$tag" >&2
    kubectl -n rag-suite rollout status deploy/rag-orchestrator --timeout="${READY_TIMEOUT}s" >&2 || { kill "$poller"; fail "rollout did not finish"; }
    sleep 2
    kill "$poller" 2>/dev/null || true
    wait "$poller" 2>/dev/null || true
    polls=$(wc -l <"$LOGS/rollout-polls.log")
    failed=$(awk '$2 != 200' "$LOGS/rollout-polls.log" | wc -l)
    local images
    images=$(kubectl -n rag-suite get pods -l app.kubernetes.io/name=rag-orchestrator -o json \
        | jq -r '[.items[] | select(.metadata.deletionTimestamp == null) | .status.containerStatuses[0].imageID] | unique | join(" ")')
    [[ $images == *"$digest" ]] && [[ $images != *" "* ]] || fail "orchestrator pods run $images, not $digest"
    (( failed == 0 )) || fail "$failed of $polls requests to the Service failed during the rollout: $(awk '$2 != 200' "$LOGS/rollout-polls.log" | head -20 | tr '\n' ' ')"
    answer=$(ask)
    step_done "kubectl set image (rag-orchestrator:$tag)" "every pod on ${digest:0:19}…, $polls retrieval requests to the Service during the rollout, $failed failed; a query answered after it"
    say "report: $REPORT"
    cat "$REPORT"
}

# ---- down -------------------------------------------------------------------------------------------------------

down() {
    local name
    for name in kube-proxy kubelet; do stop_process "$name"; done
    # The pods' containers outlive containerd (their shims keep them); kill them through containerd first.
    if running containerd && command -v ctr >/dev/null; then
        local c
        for c in $(ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
            ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks kill -s SIGKILL "$c" >/dev/null 2>&1 || true
        done
        sleep 1
        for c in $(ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
            ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks delete -f "$c" >/dev/null 2>&1 || true
        done
    fi
    for name in containerd kube-scheduler kube-controller-manager kube-apiserver etcd registry; do stop_process "$name"; done
    pkill -f "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK" 2>/dev/null || true
    [[ -x $(bin kube-proxy) ]] && "$(bin kube-proxy)" --cleanup >/dev/null 2>&1 || true
    iptables -t nat -S 2>/dev/null | grep -q "CNI-" && {
        iptables -t nat -S | awk '/^-A POSTROUTING .*CNI-/ {sub("^-A", "-D"); print}' | while read -r rule; do
            eval "iptables -t nat $rule" 2>/dev/null || true
        done
        iptables -t nat -S | awk '/^-N CNI-/ {print $2}' | while read -r chain; do
            iptables -t nat -F "$chain" 2>/dev/null || true
            iptables -t nat -X "$chain" 2>/dev/null || true
        done
    }
    ip link del "$BRIDGE" 2>/dev/null || true
    if [[ -d $DIR ]]; then
        findmnt -rn -o TARGET | grep "^$DIR/" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
        # Network namespaces of the pods are mounted under /run/netns by containerd.
        findmnt -rn -o TARGET | grep -E '^/run/netns/cni-' | while read -r m; do umount -l "$m" 2>/dev/null || true; rm -f "$m"; done
        rm -rf "$DIR"
    fi
    say "down"
}
stop_process() {
    running "$1" || return 0
    local pid
    pid=$(cat "$RUN/$1.pid")
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
    kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
}

# start_registry, oci_from_rootfs, build_service_images and _cap_sys_resource.
# shellcheck source=images/tools.sh
source "$HERE/images/tools.sh"
NODE_IP=$(cat "$RUN/node-ip" 2>/dev/null || true)

case ${1:-} in
    up) up ;;
    test) test_suite ;;
    down) down ;;
    all)
        trap down EXIT
        up
        test_suite
        cp "$REPORT" "$HERE/cluster/last-run.md"
        ;;
    env) echo "export KUBECONFIG=$PKI/admin.kubeconfig" ;;
    *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
