#!/usr/bin/env bash
# Creates the kind cluster the local stack targets (context kind-platform): one control plane and three
# workers (kind-config.yaml) on the pinned node image (versions.env KIND_NODE_IMAGE), and waits until
# every node is Ready.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need kind kubectl docker

if timeout 60 kind get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER_NAME"; then
    die "a kind cluster named $KIND_CLUSTER_NAME already exists: delete it (tools/e2e/delete-cluster.sh) or set KIND_CLUSTER_NAME and KUBE_CONTEXT"
fi

# Many pods on one host exhaust the default inotify limits ("too many open files"; kind known issues,
# https://kind.sigs.k8s.io/docs/user/known-issues/#pod-errors-due-to-too-many-open-files). Needs root:
# the workflow sets E2E_TUNE_HOST=1; on a laptop run the two sysctl lines yourself if pods crash so.
if [[ "${E2E_TUNE_HOST:-0}" == "1" ]]; then
    sudo sysctl -w fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512 >&2
fi

log "kind create cluster $KIND_CLUSTER_NAME ($KIND_NODE_IMAGE)"
timeout 900 kind create cluster \
    --name "$KIND_CLUSTER_NAME" \
    --image "$KIND_NODE_IMAGE" \
    --config "$E2E_DIR/kind-config.yaml" \
    --wait 5m
k wait nodes --all --for=condition=Ready --timeout=5m

# The node version must be the one pinned (the image tag), so the run proves that minor.
want="$(sed -E 's/^[^:]+:(v[0-9]+\.[0-9]+)\..*/\1/' <<<"$KIND_NODE_IMAGE")"
got="$(k get nodes -o jsonpath='{.items[0].status.nodeInfo.kubeletVersion}')"
[[ "$got" == "$want".* ]] || die "nodes run $got, expected $want (KIND_NODE_IMAGE $KIND_NODE_IMAGE)"
log "cluster $KIND_CLUSTER_NAME ready: $(k get nodes --no-headers | wc -l | tr -d ' ') nodes, Kubernetes $got"
