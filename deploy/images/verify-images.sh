#!/usr/bin/env bash
# The image check: builds the four service images the way a release would and proves each one works and is
# accounted for. Every step fails the check when it fails.
#
#   1. a registry on loopback (Debian's docker-registry, plain HTTP, data in a temporary folder);
#   2. the minimal base image (build-base.sh: Debian runtime libraries + jlinked JRE, no shell), pushed to it;
#   3. the four images built and pushed by Jib (quarkus-container-image-jib, ./mvnw package) on that base, the
#      generation image with its small model (SmolLM2-135M, 98 MB) inside at /models/model.gguf;
#   4. per image: an SBOM (CycloneDX 1.6 JSON: the Debian packages as Trivy lists them from dpkg's status, the
#      Java runtime, and every Java library the Quarkus CycloneDX extension resolved at build time);
#   5. per image: signed with a local key by cosign (built from the Go module proxy), the SBOM attached as a
#      signed attestation, the signature and the attestation verified against the public key;
#   6. an unsigned image (the base) and a tampered one (a service image with one more layer, pushed under the
#      same tag after signing) rejected by the same verification;
#   7. every image run under podman (runc) as it runs in Kubernetes: UID 10001, read-only root filesystem with a
#      tmpfs at /tmp, all capabilities dropped, no new privileges; readiness awaited, then each service called
#      (embed, upsert + search, generate, and ingest + query through the orchestrator wired to the other three);
#      the process's UID checked from the host.
#
#   deploy/images/verify-images.sh [--keep]      --keep leaves the registry and containers running for a look around
#
# Env: RAG_IMAGE_REGISTRY_PORT (5000), RAG_IMAGE_PORT_BASE (28080: the orchestrator; stages on +1..+3),
#      RAG_IMAGE_CHECK_DIR (a temporary folder: registry data, SBOMs, keys, logs), RAG_CACHE_DIR (~/.cache/rag-suite),
#      RAG_IMAGE_READY_TIMEOUT (240 s per container).
# Needs root for podman and apt-get (tools.sh installs what is missing). Report: $RAG_IMAGE_CHECK_DIR/report.md.
set -euo pipefail

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
KEEP=false
[[ ${1:-} == --keep ]] && KEEP=true

REG_PORT=${RAG_IMAGE_REGISTRY_PORT:-5000}
REG=localhost:$REG_PORT
PORT_BASE=${RAG_IMAGE_PORT_BASE:-28080}
READY_TIMEOUT=${RAG_IMAGE_READY_TIMEOUT:-240}
WORK=${RAG_IMAGE_CHECK_DIR:-$(mktemp -d /tmp/rag-image-check.XXXXXX)}
mkdir -p "$WORK"/{registry,sbom,sbom-parts,keys,logs}
REPORT=$WORK/report.md
# The images to build: the jib:MODULE lines of images.txt (the list deploy/validate-manifests.sh holds the manifests to).
mapfile -t SERVICES < <(awk '$2 ~ /^jib:[^:]+$/ { sub("^jib:", "", $2); print $2 }' "$HERE/images.txt")
(( ${#SERVICES[@]} == 4 )) || { echo "image-check: images.txt names ${#SERVICES[@]} service images, not 4" >&2; exit 1; }
started=$(date +%s)

say() { echo "image-check: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
step_start=0
step() { step_start=$(date +%s); say "== $*"; }
step_done() { local s=$(( $(date +%s) - step_start )); echo "| $1 | $s s |" >>"$REPORT"; }

# shellcheck source=tools.sh
source "$HERE/tools.sh"
image_tools_ready || fail "tools missing (see above)"

VERSION=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -1)
BASE=$REG/rag-suite/jre-base:25

REGISTRY_PID=""
declare -A DIGEST=()
cleanup() {
    if [[ $KEEP == false ]]; then
        for s in "${SERVICES[@]}"; do
            podman rm -f "rag-check-$s" >/dev/null 2>&1 || true
            [[ -n ${DIGEST[$s]:-} ]] && podman rmi -f "$REG/rag-suite/$s@${DIGEST[$s]}" >/dev/null 2>&1 || true
        done
        [[ -n $REGISTRY_PID ]] && kill "$REGISTRY_PID" 2>/dev/null || true
        # The images are gone with the registry; the report, SBOMs, keys' public half and logs stay.
        rm -rf "$WORK/registry" "$WORK/base/rootfs.tar" "$WORK/tamper" "$WORK/tamper-layer" "$WORK/trivy-cache"
    else
        say "--keep: registry on $REG (pid $REGISTRY_PID), containers rag-check-*; work folder $WORK"
    fi
}
trap cleanup EXIT

{
    echo "# Image check, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "| step | time |"
    echo "|---|---:|"
} >"$REPORT"

step "registry on $REG"
start_registry "$WORK/registry" "$REG_PORT" || fail "no registry"
step_done "registry up"

step "base image"
"$HERE/build-base.sh" "$WORK/base" "$BASE" >"$WORK/logs/base.log" 2>&1 || fail "base image: $(tail -20 "$WORK/logs/base.log")"
shells=$(tar -tf "$WORK/base/rootfs.tar" | grep -E '(^|/)(s?bin)/(sh|bash|dash|ash|busybox|zsh)$' || true)
[[ -z $shells ]] || fail "the base image has a shell: $shells"
echo "| base image | $(du -m "$WORK/base/rootfs.tar" | cut -f1) MB uncompressed, no shell, $(grep -c '^Package:' <(tar -xOf "$WORK/base/rootfs.tar" ./var/lib/dpkg/status)) Debian packages, JRE $(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$WORK/base/jre-release") |" >>"$WORK/images.md"
step_done "base image built (mmdebstrap + jlink + umoci) and pushed"

step "service images (Jib)"
build_service_images "$REG" "$BASE" "$WORK/logs/jib.log" "${SERVICES[@]}" || fail "Jib build"
model=$SERVICE_MODEL
for s in "${SERVICES[@]}"; do
    ref=$REG/rag-suite/$s:$VERSION
    DIGEST[$s]=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$ref") || fail "$ref not in the registry"
    size=$(skopeo inspect --tls-verify=false --raw "docker://$ref" | jq '[.layers[].size] | add')
    user=$(skopeo inspect --tls-verify=false --config "docker://$ref" | jq -r '.config.User')
    [[ $user == 10001* ]] || fail "$ref runs as '$user', not 10001"
    say "$ref ${DIGEST[$s]} $((size / 1048576)) MiB compressed, user $user"
    echo "| $s image | ${DIGEST[$s]:0:19}…, $((size / 1048576)) MiB compressed, user $user |" >>"$WORK/images.md"
done
step_done "images built by Jib and pushed"

step "SBOMs"
for s in "${SERVICES[@]}"; do
    ref=$REG/rag-suite/$s@${DIGEST[$s]}
    # The JVM build's SBOM (a native build writes *-runner-cyclonedx.json beside it).
    app_sbom=$ROOT/$s/target/quarkus-run-cyclonedx.json
    [[ -f $app_sbom ]] || fail "$s: no target/quarkus-run-cyclonedx.json from the Quarkus CycloneDX extension"
    "$TRIVY" image --quiet --cache-dir "$WORK/trivy-cache" --offline-scan --skip-db-update --insecure \
        --skip-dirs /opt/java --skip-dirs /work --scanners license --format cyclonedx \
        --output "$WORK/sbom-parts/$s.os.json" "$ref" || fail "$s: trivy could not list the image's packages"
    extra=()
    [[ $s == generation-service ]] && extra=(--model "$(basename "$model")=$(sha256sum "$model" | cut -d' ' -f1)")
    python3 "$HERE/merge-sbom.py" --image "$ref" --os "$WORK/sbom-parts/$s.os.json" --app "$app_sbom" \
        --jre-release "$WORK/base/jre-release" "${extra[@]}" --out "$WORK/sbom/$s.cdx.json" || fail "$s: SBOM merge"
    counts=$(jq -r '[.components[] | .type] | group_by(.) | map("\(length) \(.[0])") | join(", ")' "$WORK/sbom/$s.cdx.json")
    say "$s SBOM: $counts"
    echo "| $s SBOM | $counts |" >>"$WORK/images.md"
done
step_done "CycloneDX SBOM per image"

step "signing (cosign, local key)"
export COSIGN_PASSWORD=${COSIGN_PASSWORD:-rag-suite-image-check}
(cd "$WORK/keys" && "$COSIGN" generate-key-pair >/dev/null 2>&1) || fail "cosign generate-key-pair"
cosign_common=(--allow-insecure-registry --allow-http-registry)
for s in "${SERVICES[@]}"; do
    ref=$REG/rag-suite/$s@${DIGEST[$s]}
    "$COSIGN" sign --yes --key "$WORK/keys/cosign.key" --tlog-upload=false "${cosign_common[@]}" "$ref" \
        >"$WORK/logs/sign-$s.log" 2>&1 || fail "cosign sign $ref: $(tail -5 "$WORK/logs/sign-$s.log")"
    "$COSIGN" attest --yes --key "$WORK/keys/cosign.key" --tlog-upload=false "${cosign_common[@]}" \
        --type cyclonedx --predicate "$WORK/sbom/$s.cdx.json" "$ref" \
        >>"$WORK/logs/sign-$s.log" 2>&1 || fail "cosign attest $ref: $(tail -5 "$WORK/logs/sign-$s.log")"
done
step_done "signed + SBOM attested"

step "verification"
verify() { "$COSIGN" verify --key "$WORK/keys/cosign.pub" --insecure-ignore-tlog=true "${cosign_common[@]}" "$1"; }
verify_sbom() {
    "$COSIGN" verify-attestation --key "$WORK/keys/cosign.pub" --insecure-ignore-tlog=true "${cosign_common[@]}" \
        --type cyclonedx "$1"
}
for s in "${SERVICES[@]}"; do
    ref=$REG/rag-suite/$s:$VERSION
    verify "$ref" >"$WORK/logs/verify-$s.json" 2>"$WORK/logs/verify-$s.log" \
        || fail "signature of $ref did not verify: $(tail -3 "$WORK/logs/verify-$s.log")"
    jq -e --arg d "${DIGEST[$s]}" '.[0].critical.image."docker-manifest-digest" == $d' "$WORK/logs/verify-$s.json" >/dev/null \
        || fail "signature of $ref names another digest"
    verify_sbom "$ref" >"$WORK/logs/attestation-$s.json" 2>>"$WORK/logs/verify-$s.log" \
        || fail "SBOM attestation of $ref did not verify"
    # The attested SBOM is the one made above, byte for byte in content.
    jq -r '.payload' "$WORK/logs/attestation-$s.json" | head -1 | base64 -d | jq -S '.predicate' >"$WORK/sbom-parts/$s.attested.json"
    jq -S . "$WORK/sbom/$s.cdx.json" | cmp -s - "$WORK/sbom-parts/$s.attested.json" \
        || fail "the attested SBOM of $ref differs from the one made"
done
echo "| verification | 4 signatures and 4 SBOM attestations valid for the pushed digests |" >>"$WORK/images.md"
# Unsigned: the base image was never signed.
if verify "$BASE" >/dev/null 2>"$WORK/logs/verify-unsigned.log"; then
    fail "the unsigned base image $BASE verified"
fi
say "unsigned $BASE rejected: $(grep -m1 '^Error:' "$WORK/logs/verify-unsigned.log")"
# Tampered: one more layer on a signed image, pushed under the signed tag (as a compromised registry or a
# careless push would); the tag now names content nobody signed.
victim=rag-orchestrator
skopeo copy --quiet --src-tls-verify=false "docker://$REG/rag-suite/$victim:$VERSION" "oci:$WORK/tamper:t"
mkdir -p "$WORK/tamper-layer/work"
echo "not what was signed" >"$WORK/tamper-layer/work/extra.txt"
umoci raw add-layer --image "$WORK/tamper:t" <(tar -C "$WORK/tamper-layer" -cf - .)
skopeo copy --quiet --dest-tls-verify=false "oci:$WORK/tamper:t" "docker://$REG/rag-suite/$victim:$VERSION"
tampered=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/rag-suite/$victim:$VERSION")
[[ $tampered != "${DIGEST[$victim]}" ]] || fail "tampering did not change the digest"
if verify "$REG/rag-suite/$victim:$VERSION" >/dev/null 2>"$WORK/logs/verify-tampered.log"; then
    fail "the tampered image verified"
fi
say "tampered $victim ($tampered) rejected: $(grep -m1 '^Error:' "$WORK/logs/verify-tampered.log")"
# A valid signature moved onto the tampered content (another image's signature under the tag cosign looks up):
# its payload names the other digest, so it is rejected too.
skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false \
    "docker://$REG/rag-suite/embedding-service:${DIGEST[embedding-service]/:/-}.sig" \
    "docker://$REG/rag-suite/$victim:${tampered/:/-}.sig"
if verify "$REG/rag-suite/$victim:$VERSION" >/dev/null 2>"$WORK/logs/verify-moved.log"; then
    fail "the tampered image verified with a signature moved from another image"
fi
say "moved signature on $victim rejected: $(grep -m1 '^Error:' "$WORK/logs/verify-moved.log")"
# Put the signed image back (by digest, which the registry still holds) for the run step.
skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false \
    "docker://$REG/rag-suite/$victim@${DIGEST[$victim]}" "docker://$REG/rag-suite/$victim:$VERSION"
verify "$REG/rag-suite/$victim:$VERSION" >/dev/null 2>&1 || fail "the restored image did not verify"
echo "| rejected | unsigned base image; $victim with one added layer under the signed tag; that image again with embedding-service's valid signature moved onto it |" >>"$WORK/images.md"
step_done "signatures verified, unsigned and tampered images rejected"

step "run under podman"
port_of() {
    case $1 in
        rag-orchestrator) echo "$PORT_BASE" ;;
        embedding-service) echo $((PORT_BASE + 1)) ;;
        vector-search-service) echo $((PORT_BASE + 2)) ;;
        generation-service) echo $((PORT_BASE + 3)) ;;
    esac
}
run_container() {
    local s=$1 port
    shift
    port=$(port_of "$s")
    podman rm -f "rag-check-$s" >/dev/null 2>&1 || true
    # The same constraints as the pods' security context: UID/GID 10001, read-only root, writable /tmp only.
    podman "${PODMAN_RUNTIME[@]}" run -d --name "rag-check-$s" --network host --pull always --tls-verify=false \
        --user 10001:10001 "${POD_SECURITY[@]}" --memory 3g \
        -e QUARKUS_HTTP_PORT="$port" "$@" "$REG/rag-suite/$s@${DIGEST[$s]}" >"$WORK/logs/pull-$s.log" 2>&1 \
        || fail "podman run $s: $(tail -3 "$WORK/logs/pull-$s.log")"
}
wait_ready() {
    local s=$1 uid
    await_container "rag-check-$s" "http://127.0.0.1:$(port_of "$s")/q/health/ready" "$READY_TIMEOUT" \
        "$WORK/logs/$s.log" || fail "$s not ready"
    uid=$(container_uid "rag-check-$s")
    [[ $uid == 10001 ]] || fail "$s runs as UID $uid"
    say "$s ready on :$(port_of "$s") (UID $uid)"
}
post() { curl -sS --fail-with-body --max-time 120 -H 'content-type: application/json' "$@"; }

run_container embedding-service
mkdir -p "$WORK/vector-data"
# The same environment as the generated Kubernetes manifests give the pods.
run_container vector-search-service -v "$WORK/vector-data:/data:rw,U" -e RAG_VECTOR_DATA_DIR=/data
run_container generation-service -e RAG_GENERATION_MODEL_PATH=/models/model.gguf
for s in embedding-service vector-search-service generation-service; do wait_ready "$s"; done
run_container rag-orchestrator \
    -e QUARKUS_GRPC_CLIENTS_EMBEDDING_HOST=127.0.0.1 -e QUARKUS_GRPC_CLIENTS_EMBEDDING_PORT="$(port_of embedding-service)" \
    -e QUARKUS_GRPC_CLIENTS_VECTOR_SEARCH_HOST=127.0.0.1 -e QUARKUS_GRPC_CLIENTS_VECTOR_SEARCH_PORT="$(port_of vector-search-service)" \
    -e QUARKUS_GRPC_CLIENTS_GENERATION_HOST=127.0.0.1 -e QUARKUS_GRPC_CLIENTS_GENERATION_PORT="$(port_of generation-service)"
wait_ready rag-orchestrator

dims=$(post "http://127.0.0.1:$(port_of embedding-service)/v1/embed" -d '{"texts":["hello world"]}' \
    | jq '.embeddings[0] | length') || fail "embedding call"
[[ $dims == 384 ]] || fail "embedding returned $dims dimensions"
vs="http://127.0.0.1:$(port_of vector-search-service)"
post "$vs/v1/collections" -d '{"name":"image-check","dimension":3,"metric":"cosine"}' >/dev/null || fail "create collection"
post -X PUT "$vs/v1/collections/image-check/points" -d '{"points":[{"id":"a","vector":[1,0,0],"text":"alpha"},{"id":"b","vector":[0,1,0],"text":"beta"}]}' >/dev/null \
    || fail "upsert"
hit=$(post "$vs/v1/collections/image-check/search" -d '{"vector":[0.9,0.1,0],"top_k":1}' | jq -r '.results[0].id') || fail "search"
[[ $hit == a ]] || fail "search returned $hit"
answer=$(post "http://127.0.0.1:$(port_of generation-service)/v1/generate" \
    -d '{"messages":[{"role":"user","content":"What is the capital of France?"}],"max_tokens":16,"temperature":0}' \
    | jq -r '.text') || fail "generation call"
[[ -n $answer && $answer != null ]] || fail "generation returned no text"
orch="http://127.0.0.1:$(port_of rag-orchestrator)"
post "$orch/v1/documents" -d '{"id":"raft","title":"Raft","text":"Raft is a consensus algorithm designed to be easy to understand. It elects a leader that replicates a log to followers."}' >/dev/null \
    || fail "ingest through the orchestrator"
rag=$(post "$orch/v1/rag/query" -d '{"question":"What does Raft elect?","top_k":2}') || fail "query through the orchestrator"
# The passage the prompt gave first is the retrieval check; citations are what the 135M model chose to write ([n]
# markers), which it often omits: cites_nothing must then say so.
cited=$(jq -r '.context[0].document_id' <<<"$rag")
[[ $cited == raft ]] || fail "the query's first passage is '$cited': $rag"
[[ $(jq -r '(.citations | length == 0) == .cites_nothing' <<<"$rag") == true ]] || fail "cites_nothing disagrees with citations: $rag"
say "embed: $dims dims; search: $hit; generate: $(head -c 60 <<<"$answer" | tr '\n' ' ')…; first passage $cited, $(jq -r '.citations | length' <<<"$rag") cited"
{
    echo "| run | 4 containers under podman ($(runc --version | head -1)), UID 10001, read-only root, no capabilities |"
    echo "| calls | embed -> $dims dims; upsert + search -> '$hit'; generate -> '$(head -c 40 <<<"$answer" | tr '\n|' '  ')…'; ingest + query -> first passage '$cited' |"
} >>"$WORK/images.md"
step_done "containers ready and answering"

{
    echo
    echo "| what | result |"
    echo "|---|---|"
    cat "$WORK/images.md"
    echo
    echo "Total: $(( $(date +%s) - started )) s; registry $REG; work folder $WORK."
} >>"$REPORT"
cat "$REPORT"
say "passed in $(( $(date +%s) - started )) s"
