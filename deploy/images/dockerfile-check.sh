#!/usr/bin/env bash
# Builds Dockerfile.jvm with podman (buildah) for one service and runs the result: proof that the multi-stage file
# works, on a machine that cannot pull its usual base images. Stand-ins made offline replace them, passed as the
# Dockerfile's own build arguments:
#   BUILD_IMAGE    Debian bookworm minbase + curl/unzip + the JDK 21+ that builds the suite (instead of eclipse-temurin)
#   MODEL_IMAGE    Debian bookworm minbase + python3-pip (instead of python:3.12-slim)
#   LIBS_IMAGE     Debian bookworm minbase (instead of debian:12-slim)
#   RUNTIME_IMAGE  the suite's own base, build-base.sh (instead of distroless java21)
# The build stage runs the Maven wrapper inside the container, so it downloads Maven and every dependency from
# Maven Central (minutes). Not part of CI; the Jib images are what CI builds.
#
#   deploy/images/dockerfile-check.sh [SERVICE]      default rag-orchestrator
# Env: RAG_IMAGE_REGISTRY_PORT (5001), RAG_IMAGE_PORT_BASE (28180), RAG_CACHE_DIR
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SERVICE=${1:-rag-orchestrator}
REG_PORT=${RAG_IMAGE_REGISTRY_PORT:-5001}
REG=localhost:$REG_PORT
PORT=${RAG_IMAGE_PORT_BASE:-28180}
WORK=$(mktemp -d /tmp/rag-dockerfile-check.XXXXXX)
say() { echo "dockerfile-check: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# shellcheck source=tools.sh
source "$HERE/tools.sh"
image_tools_ready || fail "tools missing"
source "$ROOT/scripts/java-home.sh"

REGISTRY_PID=""
cleanup() {
    podman rm -f rag-dockerfile-check >/dev/null 2>&1 || true
    for i in jdk python debian runtime; do podman rmi -f "$REG/standin/$i:1" >/dev/null 2>&1 || true; done
    [[ -n $REGISTRY_PID ]] && kill "$REGISTRY_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
start_registry "$WORK/registry" "$REG_PORT" || fail "no registry"

# A Debian bookworm minbase image with extra packages and, optionally, a folder copied in at /opt/java.
standin() {
    local name=$1 packages=$2 java=${3:-} rootfs=$WORK/$1.rootfs
    mmdebstrap --quiet --variant=minbase ${packages:+--include=$packages} bookworm "$rootfs" http://deb.debian.org/debian
    # This machine's trust store, so the stand-ins reach Maven Central and PyPI the way the host does (through
    # whatever TLS-inspecting proxy the host trusts).
    mkdir -p "$rootfs/etc/ssl/certs"
    cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
    local env=(--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
    if [[ -n $java ]]; then
        # -L: the JDK's cacerts is a link into the host's /etc/ssl/certs/java (its trust, as above).
        cp -rL "$java" "$rootfs/opt/java"
        env=(--config.env PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --config.env JAVA_HOME=/opt/java)
    fi
    oci_from_rootfs "$rootfs" "$WORK/$name.oci" t "${env[@]}" --config.cmd /bin/bash
    skopeo copy --quiet --dest-tls-verify=false "oci:$WORK/$name.oci:t" "docker://$REG/standin/$name:1"
    rm -rf "$rootfs"
    say "stand-in $REG/standin/$name:1 ready"
}
standin jdk curl,unzip,ca-certificates "$JAVA_HOME"
standin python python3-pip,ca-certificates
standin debian ""
"$HERE/build-base.sh" "$WORK/base" "$REG/standin/runtime:1" >"$WORK/base.log" 2>&1 || fail "base: $(tail -5 "$WORK/base.log")"

say "podman build -f deploy/images/Dockerfile.jvm --build-arg SERVICE=$SERVICE (Maven inside: minutes)"
start=$(date +%s)
podman build --pull=always --network host --tls-verify=false --ulimit nofile=20000:20000 -f "$HERE/Dockerfile.jvm" \
    --build-arg SERVICE="$SERVICE" \
    --build-arg BUILD_IMAGE="$REG/standin/jdk:1" --build-arg MODEL_IMAGE="$REG/standin/python:1" \
    --build-arg LIBS_IMAGE="$REG/standin/debian:1" --build-arg RUNTIME_IMAGE="$REG/standin/runtime:1" \
    -t "localhost/rag-suite/$SERVICE:dockerfile" "$ROOT" >"$WORK/build.log" 2>&1 \
    || fail "podman build: $(tail -30 "$WORK/build.log")"
say "built in $(( $(date +%s) - start )) s: $(podman image inspect -f '{{.Size}}' "localhost/rag-suite/$SERVICE:dockerfile" | awk '{printf "%d MB", $1/1e6}')"

extra=()
[[ $SERVICE == generation-service ]] && extra=(-e RAG_GENERATION_MODEL_PATH=/models/model.gguf)
[[ $SERVICE == vector-search-service ]] && extra=(-e RAG_VECTOR_DATA_DIR=/tmp/data)
podman "${PODMAN_RUNTIME[@]}" run -d --name rag-dockerfile-check --network host "${POD_SECURITY[@]}" \
    -e QUARKUS_HTTP_PORT="$PORT" "${extra[@]}" "localhost/rag-suite/$SERVICE:dockerfile" >/dev/null || fail "podman run"
# A stage must become ready (its model or index loaded); the orchestrator only live, as its readiness needs the
# three stages.
probe=ready
[[ $SERVICE == rag-orchestrator ]] && probe=live
await_container rag-dockerfile-check "http://127.0.0.1:$PORT/q/health/$probe" 180 "$WORK/container.log" \
    || fail "not $probe"
say "$SERVICE from Dockerfile.jvm is $probe on :$PORT as UID $(container_uid rag-dockerfile-check); passed"
podman rmi -f "localhost/rag-suite/$SERVICE:dockerfile" >/dev/null 2>&1 || true
