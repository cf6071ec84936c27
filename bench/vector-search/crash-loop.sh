#!/usr/bin/env bash
# The kill -9 durability loop of the vector search service, longer than CI's 20 cycles:
#   bench/vector-search/crash-loop.sh [CYCLES=200] [SEED]
# Each cycle starts the packaged service on the same data folder, checks every batch written so far
# (acknowledged upserts all there, acknowledged deletes gone, the write in flight at the kill all or nothing),
# writes until a SIGKILL at a random moment. See e2e-tests/.../VectorStoreCrashTest.java.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cycles=${1:-200}
seed_opt=()
[[ -n "${2:-}" ]] && seed_opt=(-Drag.crash.seed="$2")
source "$root/scripts/java-home.sh" || exit 1
cd "$root"
./mvnw -q -B -ntp package -DskipTests -pl vector-search-service -am
./mvnw -B -ntp verify -pl e2e-tests -Dtest=VectorStoreCrashTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Drag.crash.cycles="$cycles" -De2e.fork-timeout=0 "${seed_opt[@]}" | grep -E "VectorStoreCrashTest|Tests run|FAIL|BUILD"
