#!/usr/bin/env bash
# Builds the suite's minimal base image offline, as an OCI image layout, and optionally pushes it to a registry:
#
#   deploy/images/build-base.sh OUT_DIR [REGISTRY_REF]
#     OUT_DIR       gets oci/ (the OCI layout, tag "jre"), rootfs.tar, modules.txt and jre-release (for SBOMs)
#     REGISTRY_REF  e.g. localhost:5000/rag-suite/jre-base:25 (pushed with skopeo over plain HTTP)
#
# What is in it, and why nothing more:
#   - the C/C++ runtime the services' native libraries load (ONNX Runtime: libstdc++, libgcc_s, libm, libdl,
#     libpthread, librt; llama.cpp: the same plus libgomp), unpacked from Debian bookworm's packages by mmdebstrap's
#     "extract" variant: no maintainer scripts run, so no shell, no package manager, no coreutils in the image;
#     dpkg's status file stays, so an SBOM scanner can list those packages;
#   - a Java runtime made with jlink from the JDK 21+ that builds the suite (scripts/java-home.sh): only the
#     modules the four services use (below), no jshell/javac, stripped of debug symbols;
#   - /etc/passwd and /etc/group with one user, rag (10001:10001), which the image runs as; /tmp world-writable.
# In real use any distroless or UBI-micro JRE image takes its place: one property, quarkus.jib.base-jvm-image
# (RAG_IMAGE_BASE in deploy/images/verify-images.sh).
#
# Needs: mmdebstrap, umoci, skopeo (Debian packages of the same names) and a Debian mirror (apt's own, by default).
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
OUT=${1:?usage: build-base.sh OUT_DIR [REGISTRY_REF]}
REF=${2:-}
SUITE=${RAG_BASE_SUITE:-bookworm}
MIRROR=${RAG_BASE_MIRROR:-http://deb.debian.org/debian}
# The services' module needs (jdeps over their jars, plus what is only reached reflectively: JMX for Micrometer,
# jdk.crypto.ec/jdk.zipfs for TLS and jar file systems, java.desktop for PDFBox, the Vector API for Lucene).
MODULES=${RAG_BASE_JAVA_MODULES:-java.base,java.compiler,java.datatransfer,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,java.xml.crypto,jdk.crypto.ec,jdk.incubator.vector,jdk.jfr,jdk.localedata,jdk.management,jdk.management.jfr,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs}

for tool in mmdebstrap umoci skopeo; do
    command -v "$tool" >/dev/null || { echo "build-base: $tool not found (apt-get install $tool)" >&2; exit 1; }
done
# shellcheck source=../../scripts/java-home.sh
source "$ROOT/scripts/java-home.sh" || exit 1
# shellcheck source=tools.sh
source "$ROOT/deploy/images/tools.sh"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "build-base: Debian $SUITE runtime libraries (mmdebstrap, extract variant)" >&2
# The extract variant leaves dpkg's status file empty; the hook writes it from the packages' own control data
# (as dpkg would have after configuring them), so SBOM scanners see what the image holds.
mmdebstrap --quiet --variant=extract --include=base-files,libc6,libgcc-s1,libstdc++6,zlib1g,libgomp1 \
    --extract-hook='for deb in "$1"/var/cache/apt/archives/*.deb; do
        dpkg-deb --field "$deb" | sed "/^Package:/a Status: install ok installed"; echo; done >"$1/var/lib/dpkg/status"' \
    "$SUITE" "$work/debian.tar" "$MIRROR"

echo "build-base: Java runtime (jlink from $JAVA_HOME)" >&2
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --output "$work/jre"
tr ',' '\n' <<<"$MODULES" >"$OUT/modules.txt"
cp "$work/jre/release" "$OUT/jre-release"

mkdir -p "$work/rootfs"
tar -xf "$work/debian.tar" -C "$work/rootfs"
# Caches and docs the extract variant leaves behind; nothing at run time reads them.
rm -rf "$work/rootfs/var/cache/apt" "$work/rootfs/var/lib/apt/lists" "$work/rootfs/usr/share/doc" \
    "$work/rootfs/usr/share/man" "$work/rootfs/usr/share/info" "$work/rootfs/usr/share/lintian"
mkdir -p "$work/rootfs/opt" "$work/rootfs/work" "$work/rootfs/tmp" "$work/rootfs/etc"
cp -a "$work/jre" "$work/rootfs/opt/java"
cat >"$work/rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
rag:x:10001:10001:rag:/work:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$work/rootfs/etc/group" <<'EOF'
root:x:0:
rag:x:10001:
nogroup:x:65534:
EOF
chmod 1777 "$work/rootfs/tmp"
chown 10001:10001 "$work/rootfs/work"
tar --sort=name --numeric-owner -cf "$OUT/rootfs.tar" -C "$work/rootfs" .

echo "build-base: OCI image (umoci)" >&2
oci_from_rootfs "$work/rootfs" "$OUT/oci" jre \
    --config.user 10001:10001 \
    --config.workingdir /work \
    --config.env PATH=/opt/java/bin:/usr/bin:/bin \
    --config.env JAVA_HOME=/opt/java \
    --config.env LANG=C.UTF-8 \
    --config.entrypoint /opt/java/bin/java \
    --config.label org.opencontainers.image.title=rag-suite-jre-base \
    --config.label "org.opencontainers.image.description=Debian $SUITE C/C++ runtime + jlinked Java $("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | awk '/java.version =/ {print $3}'), no shell, user 10001" \
    --history.created_by "deploy/images/build-base.sh"

if [[ -n "$REF" ]]; then
    echo "build-base: pushing $REF" >&2
    skopeo copy --quiet --dest-tls-verify=false "oci:$OUT/oci:jre" "docker://$REF"
fi
echo "build-base: done ($(du -sh "$OUT/oci" | cut -f1) in $OUT/oci)" >&2
