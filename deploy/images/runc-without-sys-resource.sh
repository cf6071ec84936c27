#!/bin/sh
# An OCI runtime wrapper for machines whose root lacks CAP_SYS_RESOURCE (this sandbox's VMs), where runc fails on two
# settings of the bundle's config.json, so it edits them and then runs runc with the same arguments:
#   - process.rlimits is removed: podman always asks for RLIMIT_NOFILE and RLIMIT_NPROC, containerd's CRI for
#     RLIMIT_NOFILE, and runc fails with "error setting rlimits ... operation not permitted". The container keeps
#     the limits it inherits.
#   - process.oomScoreAdj is raised to this process's own value when it asks for less: Kubernetes gives pod
#     sandboxes -998 and Guaranteed pods -997, and lowering a score needs the capability ("failed to update
#     /proc/self/oom_score_adj: Permission denied"). Burstable and BestEffort containers ask for more and keep it.
# Used by deploy/images/verify-images.sh (podman --runtime) and deploy/cluster.sh (containerd's BinaryName) only where
# tools.sh finds the capability missing.
bundle=""
prev=""
for arg in "$@"; do
    case $prev in --bundle|-b) bundle=$arg ;; esac
    case $arg in --bundle=*) bundle=${arg#--bundle=} ;; esac
    prev=$arg
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
    tmp="$bundle/config.json.edited"
    floor=$(cat /proc/self/oom_score_adj 2>/dev/null || echo 0)
    jq --argjson floor "$floor" 'del(.process.rlimits)
        | if (.process.oomScoreAdj // $floor) < $floor then .process.oomScoreAdj = $floor else . end' \
        "$bundle/config.json" >"$tmp" && mv "$tmp" "$bundle/config.json"
fi
exec "${RAG_RUNC:-$(command -v runc || echo /usr/bin/runc)}" "$@"
