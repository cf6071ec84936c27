#!/usr/bin/env bash
# A virtualenv whose packages pip compiles with native instructions (llama-cpp-python builds llama.cpp for this
# CPU): stamped with its requirements file and this CPU's instruction set (scripts/native-isa.sh), rebuilt when
# either changes. pip's own wheel cache is not used, since it is keyed by the sdist alone and may hand back a wheel
# built on another CPU.
#   scripts/native-venv.sh current VENV REQUIREMENTS   exit 0 when VENV is built for both, 1 otherwise
#   scripts/native-venv.sh build VENV REQUIREMENTS     (re)creates VENV from REQUIREMENTS and stamps it
#   scripts/native-venv.sh ensure VENV REQUIREMENTS    build unless current
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "native-venv.sh: error: $*" >&2; exit 1; }
[[ $# -eq 3 ]] || { echo "usage: native-venv.sh current|build|ensure VENV REQUIREMENTS" >&2; exit 2; }
mode=$1 venv=$2 req=$3
[[ -f $req ]] || die "no requirements file $req"
stamp=$(cat "$req"; echo "isa: $("$root/scripts/native-isa.sh")") || die "could not tell this CPU's instruction set"

current() { [[ -x "$venv/bin/python" && $(cat "$venv/.requirements" 2>/dev/null) == "$stamp" ]]; }
build() {
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check --no-cache-dir -r "$req" >&2 || die "pip install -r $req failed"
    printf '%s\n' "$stamp" > "$venv/.requirements"
}

case $mode in
    current) current ;;
    build) build ;;
    ensure) current || build ;;
    *) echo "usage: native-venv.sh current|build|ensure VENV REQUIREMENTS" >&2; exit 2 ;;
esac
