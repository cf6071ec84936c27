# shellcheck shell=bash
# Source this file: kube_binaries VERSION NAME... makes sure $cache/go-bin/NAME-VERSION exists for each Kubernetes
# command NAME (kube-apiserver, kubelet, kube-scheduler, kube-controller-manager, kube-proxy), building the missing
# ones from the Go module proxy in one module so they share one dependency download and one compile of the common
# packages. k8s.io/kubernetes replaces its staging modules (k8s.io/api, k8s.io/client-go, ...) with ./staging/...
# folders that a module download does not have; they are pinned here to their published k8s.io/* v0.x releases of
# the same minor. First build ~10-20 min on 2 cores; cached after that. Needs $cache set, go and curl.
# Used by deploy/dry-run.sh (the API server alone) and deploy/cluster.sh (a whole node).
kube_binaries() {
    local version=$1 name missing=()
    shift
    for name in "$@"; do
        [[ -x $cache/go-bin/$name-$version ]] || missing+=("$name")
    done
    (( ${#missing[@]} )) || return 0
    command -v go >/dev/null || { echo "kube-binaries: go is needed to build ${missing[*]}" >&2; return 2; }
    echo "kube-binaries: building ${missing[*]} $version from the Go module proxy (once)" >&2
    local src staging
    src=$(mktemp -d)
    curl -sSf "$(go env GOPROXY | cut -d, -f1)/k8s.io/kubernetes/@v/$version.mod" -o "$src/kubernetes.mod" || return 1
    staging=${version/v1./v0.}
    {
        echo "module rag-suite.local/kube-binaries"
        echo "go 1.24"
        echo "require k8s.io/kubernetes $version"
        echo "replace ("
        awk -v v="$staging" '$2 == "=>" && $3 ~ /^\.\/staging\// { print "\t" $1 " => " $1 " " v }' "$src/kubernetes.mod"
        echo ")"
    } >"$src/go.mod"
    {
        echo "package main"
        for name in "${missing[@]}"; do echo "import _ \"k8s.io/kubernetes/cmd/$name/app\""; done
        echo "func main() {}"
    } >"$src/tools.go"
    local pkgs=() ldflags
    for name in "${missing[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$name"); done
    ldflags="-X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1"
    ldflags+=" -X k8s.io/component-base/version.gitMinor=$(cut -d. -f2 <<<"$version")"
    mkdir -p "$src/out" "$cache/go-bin"
    (cd "$src" && GOFLAGS=-mod=mod go mod tidy >&2 && GOFLAGS=-mod=mod go build -o "$src/out/" -ldflags "$ldflags" "${pkgs[@]}" >&2) \
        || { rm -rf "$src"; echo "kube-binaries: building ${missing[*]} failed" >&2; return 1; }
    for name in "${missing[@]}"; do mv "$src/out/$name" "$cache/go-bin/$name-$version"; done
    rm -rf "$src"
}
