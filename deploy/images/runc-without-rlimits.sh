#!/bin/sh
# An OCI runtime for podman (--runtime) on machines whose root lacks CAP_SYS_RESOURCE: removes process.rlimits
# from the bundle's config.json (podman always asks for RLIMIT_NOFILE and RLIMIT_NPROC, and runc fails with
# "error setting rlimits ... operation not permitted" there), then runs runc with the same arguments. The
# container keeps the limits it inherits. Used by deploy/images/verify-images.sh only where tools.sh finds it necessary.
bundle=""
prev=""
for arg in "$@"; do
    case $prev in --bundle|-b) bundle=$arg ;; esac
    case $arg in --bundle=*) bundle=${arg#--bundle=} ;; esac
    prev=$arg
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
    tmp="$bundle/config.json.norlimits"
    jq 'del(.process.rlimits)' "$bundle/config.json" >"$tmp" && mv "$tmp" "$bundle/config.json"
fi
exec "${RAG_RUNC:-$(command -v runc || echo /usr/bin/runc)}" "$@"
