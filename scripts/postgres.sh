#!/usr/bin/env bash
# A local PostgreSQL 15 with the pgvector extension, for the vector search service's pgvector backend and
# its tests. Usage: scripts/postgres.sh start|stop|status|url
#
#   start   installs what is missing (Debian's postgresql-15 and postgresql-server-dev-15 when run as root;
#           pgvector built from its release source), creates a cluster on loopback and starts it; prints the
#           JDBC URL on its last line
#   stop    stops the cluster
#   url     prints the JDBC URL
#
# Debian 12 does not ship postgresql-15-pgvector, so pgvector is built from the release source, fetched
# from the Go module proxy (the only reachable mirror of its GitHub tags) and checked against a pinned
# SHA-256. The cluster is for tests and local runs: it listens on 127.0.0.1 only and trusts local
# connections. Settings: RAG_PG_PORT (55432), RAG_PG_DATA (/var/tmp/rag-suite-pg15), RAG_CACHE_DIR.
set -euo pipefail

PG_VERSION=15
PGVECTOR_VERSION=0.8.1
PGVECTOR_SHA256=27b90e9b742744798466ea632cd29de81d6d55003e16e006e403f116d36ae922
PORT=${RAG_PG_PORT:-55432}
DATA=${RAG_PG_DATA:-/var/tmp/rag-suite-pg$PG_VERSION}
CACHE=${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}
BIN=/usr/lib/postgresql/$PG_VERSION/bin
PG_CONFIG=$BIN/pg_config
DB=rag
ROLE=rag

# shellcheck source=debian-packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian-packages.sh"

die() { echo "postgres.sh: error: $*" >&2; exit 1; }
info() { echo "postgres.sh: $*" >&2; }

# Runs a command as the cluster's owner: initdb and postgres refuse to run as root.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

install_packages() {
    local missing=()
    [[ -x $BIN/postgres ]] || missing+=("postgresql-$PG_VERSION")
    # pg_config comes with the client package; the server headers pgvector builds against do not.
    [[ -x $PG_CONFIG && -f $("$PG_CONFIG" --includedir-server 2>/dev/null)/postgres.h ]] \
        || missing+=("postgresql-server-dev-$PG_VERSION")
    install_debian_packages postgres.sh "${missing[@]}" || exit 1
}

install_pgvector() {
    local sharedir
    sharedir=$("$PG_CONFIG" --sharedir)
    if grep -qs "default_version = '$PGVECTOR_VERSION'" "$sharedir/extension/vector.control"; then
        return 0
    fi
    local proxy zip src
    proxy=${GOPROXY:-https://proxy.golang.org}
    proxy=${proxy%%,*}
    [[ $proxy == direct || $proxy == off ]] && proxy=https://proxy.golang.org
    zip="$CACHE/pgvector-$PGVECTOR_VERSION.zip"
    mkdir -p "$CACHE"
    if [[ ! -f $zip ]] || ! echo "$PGVECTOR_SHA256  $zip" | sha256sum -c --quiet - 2>/dev/null; then
        info "fetching pgvector $PGVECTOR_VERSION source from $proxy"
        curl -fsSL --retry 3 -o "$zip.part" "$proxy/github.com/pgvector/pgvector/@v/v$PGVECTOR_VERSION.zip" \
            || die "could not download pgvector $PGVECTOR_VERSION"
        echo "$PGVECTOR_SHA256  $zip.part" | sha256sum -c --quiet - || die "pgvector source: SHA-256 mismatch"
        mv "$zip.part" "$zip"
    fi
    src=$(mktemp -d)
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$src"
    info "building pgvector $PGVECTOR_VERSION"
    (cd "$src"/github.com/pgvector/pgvector@v$PGVECTOR_VERSION \
        && make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >&2 \
        && make -s install PG_CONFIG="$PG_CONFIG" >&2) || die "building pgvector failed"
    rm -rf "$src"
}

running() { [[ -f $DATA/postmaster.pid ]] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

url() { echo "jdbc:postgresql://127.0.0.1:$PORT/$DB?user=$ROLE"; }

psql_super() { as_owner psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"; }

start() {
    install_packages
    install_pgvector
    if [[ ! -f $DATA/PG_VERSION ]]; then
        info "creating a cluster in $DATA"
        rm -rf "$DATA"
        mkdir -p "$DATA"
        [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$DATA"
        chmod 700 "$DATA"
        as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! running; then
        info "starting PostgreSQL $PG_VERSION on 127.0.0.1:$PORT"
        as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=/tmp -c max_connections=200" \
            >/dev/null || die "PostgreSQL did not start; see $DATA/server.log"
    fi
    psql_super -d postgres -tc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'" | grep -q 1 \
        || psql_super -d postgres -c "CREATE ROLE $ROLE LOGIN"
    psql_super -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
        || psql_super -d postgres -c "CREATE DATABASE $DB OWNER $ROLE"
    # The extension is created by a superuser once; the service then finds it (CREATE EXTENSION IF NOT EXISTS).
    psql_super -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS vector; ALTER EXTENSION vector UPDATE"
    url
}

case ${1:-} in
    start) start ;;
    stop) if running; then as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi ;;
    status) if running; then echo "running on 127.0.0.1:$PORT ($DATA)"; else echo stopped; exit 3; fi ;;
    url) url ;;
    *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
