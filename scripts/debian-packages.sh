# shellcheck shell=bash
# Source this file: install_debian_packages WHO PACKAGE... installs Debian packages the suite's scripts need (WHO
# names the caller in messages). As root through apt-get, first from the package lists the machine has and, only
# when that fails, again after `apt-get update`; as another user it says what to install and returns 1.
# Used by scripts/postgres.sh, deploy/images/tools.sh and deploy/dry-run.sh.
install_debian_packages() {
    local who=$1
    shift
    (( $# )) || return 0
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        echo "$who: missing $*; install them (apt-get install $*) or run as root" >&2
        return 1
    fi
    echo "$who: installing $* (apt-get)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 \
        || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2; } \
        || { echo "$who: apt-get could not install $*" >&2; return 1; }
}
