#!/usr/bin/env bash
# Makes a private CA and one server certificate for TLS between the services, for a laptop or a test:
#
#   scripts/dev-certs.sh DIR      -> DIR/ca.crt, DIR/tls.crt, DIR/tls.key (PEM; the key readable by you only)
#
# The certificate names localhost, 127.0.0.1 and the four Kubernetes Service names (short, namespaced and
# cluster-local forms for the namespace in RAG_NAMESPACE, default rag-suite), so the same files serve
# `RAG_TLS_DIR=DIR ./rag up` and a Secret in a cluster. Valid for RAG_CERT_DAYS (default 30) days.
# Real deployments use certificates from their own CA (cert-manager, a service mesh); nothing here is
# meant to be kept.
set -euo pipefail
dir=${1:?usage: scripts/dev-certs.sh DIR}
days=${RAG_CERT_DAYS:-30}
ns=${RAG_NAMESPACE:-rag-suite}
command -v openssl >/dev/null || { echo "dev-certs: openssl is required" >&2; exit 1; }
mkdir -p "$dir"
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

san="DNS:localhost,IP:127.0.0.1,IP:::1"
for svc in embedding-service vector-search-service generation-service rag-orchestrator; do
    san+=",DNS:$svc,DNS:$svc.$ns,DNS:$svc.$ns.svc,DNS:$svc.$ns.svc.cluster.local"
done

openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=rag-suite development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$tmp/ca.key" -out "$dir/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=rag-suite" -keyout "$tmp/tls.key" -out "$tmp/tls.csr" 2>/dev/null
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' \
    "$san" > "$tmp/ext.cnf"
openssl x509 -req -in "$tmp/tls.csr" -CA "$dir/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial -days "$days" \
    -extfile "$tmp/ext.cnf" -out "$dir/tls.crt" 2>/dev/null
# PKCS#8, which both Vert.x (servers) and Netty (clients) read.
openssl pkcs8 -topk8 -nocrypt -in "$tmp/tls.key" -out "$dir/tls.key"
chmod 644 "$dir/ca.crt" "$dir/tls.crt"
echo "dev-certs: wrote $dir/ca.crt, $dir/tls.crt, $dir/tls.key (valid $days days)" >&2
